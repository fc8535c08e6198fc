// Canonical JSON: object keys sorted, no whitespace, integers only as numbers. The digest is a
// hash of this text, so two runs that produced the same events produce the same bytes no matter
// in which order their code happened to build the objects.
// Written into one growing string (no per-key arrays, closures or joined pieces): every event of
// every run goes through here on its way into the log's digest.
export function canonicalJson(value: unknown): string {
  return write('', value, null);
}

/** The canonical JSON of an object without one of its keys (an event without its kind), with
 *  no copy of the object made to leave the key out. */
export function canonicalJsonWithout(value: object, omit: string): string {
  return write('', value, omit);
}

/** Quoted object keys: a run uses a few dozen distinct keys, each quoted again on every event. */
const quotedKeys = new Map<string, string>();

function quoteKey(k: string): string {
  let q = quotedKeys.get(k);
  if (q === undefined) {
    q = JSON.stringify(k);
    if (quotedKeys.size < 4096) quotedKeys.set(k, q);
  }
  return q;
}

function write(out: string, value: unknown, omit: string | null): string {
  switch (typeof value) {
    case 'string':
      return out + JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`non-finite number ${value} in a log payload`);
      // JSON writes a finite number as its ToString (-0 as "0"): the same text, without a call.
      return out + value;
    case 'boolean':
      return out + (value ? 'true' : 'false');
    case 'object': {
      if (value === null) return out + 'null';
      if (Array.isArray(value)) {
        out += '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          // A hole is written as nothing, as Array.prototype.map and join leave it.
          if (i in value) out = write(out, value[i], null);
        }
        return out + ']';
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      out += '{';
      let first = true;
      for (const k of keys) {
        const v = obj[k];
        if (v === undefined || k === omit) continue;
        if (!first) out += ',';
        first = false;
        out = write(out + quoteKey(k) + ':', v, null);
      }
      return out + '}';
    }
    default:
      throw new Error(`cannot put a ${typeof value} in a log payload`);
  }
}
