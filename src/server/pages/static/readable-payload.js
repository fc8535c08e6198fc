// An event's payload as a person reads it, in the browser: the same walk as the server's
// (src/store/readable-events.ts), over the same tables, which the page hands over
// (READABLE_UNITS as data-units, the instrument's symbol, tick and lot sizes as data-instrument):
// quantities, prices and fees as the instrument's decimals, times as ISO-8601 UTC. The session
// page's script shows the entries it receives with it, so a live row reads as a rendered one.
// test/service/readable-events.test.ts runs it against the server's walk.
(function (root) {
  'use strict';

  function parseStep(step) {
    var parts = String(step).split('.');
    var frac = parts[1] || '';
    return { mantissa: BigInt(parts[0] + frac), scale: frac.length };
  }

  function formatScaled(mantissa, scale) {
    var negative = mantissa < BigInt(0);
    var digits = (negative ? -mantissa : mantissa).toString().padStart(scale + 1, '0');
    var whole = digits.slice(0, digits.length - scale);
    var frac = digits.slice(digits.length - scale).replace(/0+$/, '');
    return (negative ? '-' : '') + whole + (frac ? '.' + frac : '');
  }

  function stepsText(steps, sizes) {
    var mantissa = BigInt(steps);
    var scale = 0;
    for (var i = 0; i < sizes.length; i++) {
      var p = parseStep(sizes[i]);
      mantissa *= p.mantissa;
      scale += p.scale;
    }
    return formatScaled(mantissa, scale);
  }

  function trimZeros(text) {
    if (text.indexOf('.') < 0 || text.indexOf('e') >= 0) return text;
    return text.replace(/0+$/, '').replace(/\.$/, '');
  }

  function isoTime(ms) {
    var whole = Math.floor(ms);
    var iso = new Date(whole).toISOString();
    var micros = Math.round((ms - whole) * 1000);
    return micros === 0 ? iso : iso.slice(0, -1) + String(micros).padStart(3, '0') + 'Z';
  }

  function shown(unit, v, inst) {
    if (unit === 'time') return isFinite(v) && Math.abs(v) <= 8.64e15 ? isoTime(v) : v;
    if (!inst) return v;
    if (unit === 'lots') return Number.isInteger(v) ? stepsText(v, [inst.lotSize]) : v;
    if (unit === 'units' || unit === 'account')
      return Number.isInteger(v) ? stepsText(v, [inst.tickSize, inst.lotSize]) : v;
    if (!isFinite(v)) return v;
    if (Number.isInteger(v)) return stepsText(v, [inst.tickSize]);
    var tick = parseStep(inst.tickSize);
    return trimZeros(((v * Number(tick.mantissa)) / Math.pow(10, tick.scale)).toFixed(tick.scale + 4));
  }

  function walk(units, paths, v, path, inst, account) {
    if (Array.isArray(v))
      return v.map(function (x) {
        return walk(units, paths, x, path + '[]', inst, account);
      });
    if (v === null || typeof v !== 'object') return v;
    // An entry of a list that names its own symbol is in that symbol's units: this page knows
    // only its own instrument's.
    if (typeof v.symbol === 'string' && path !== '' && inst && v.symbol !== inst.symbol) inst = null;
    var out = {};
    for (var key in v) {
      if (!Object.prototype.hasOwnProperty.call(v, key)) continue;
      var x = v[key];
      var at = path === '' ? key : path + '.' + key;
      var renamed = Object.prototype.hasOwnProperty.call(units.renamed, key) ? units.renamed[key] : undefined;
      var unit = Object.prototype.hasOwnProperty.call(paths, at)
        ? paths[at]
        : renamed
          ? renamed.unit
          : Object.prototype.hasOwnProperty.call(units.byName, key)
            ? units.byName[key]
            : undefined;
      var name = renamed && typeof x === 'number' && inst ? renamed.name : key;
      var unitOf = unit === 'account' ? account || inst : inst;
      out[name] =
        typeof x === 'number' && unit !== undefined ? shown(unit, x, unitOf) : walk(units, paths, x, at, inst, account);
    }
    return out;
  }

  /** The payload of a `kind` event of an instrument ({ symbol, tickSize, lotSize }) as a person
   *  reads it; `account`, the instrument whose notional unit is the account's (the account's
   *  quote is stated in it), when the run has several. */
  root.execsimReadable = function (units, inst, kind, payload, account) {
    var paths = Object.prototype.hasOwnProperty.call(units.byKind, kind) ? units.byKind[kind] : {};
    return walk(units, paths, payload, '', inst, account || null);
  };
})(typeof window !== 'undefined' ? window : globalThis);
