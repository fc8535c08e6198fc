// What a scenario author reads when a file is wrong, and what an empty key means: one line per
// problem, all of them in one pass (an unknown field does not hide a missing limit price on
// another order), a misspelt field named with what it probably meant (swapped letters
// included), and `safety:` with nothing under it read as the section's defaults.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from './load-scenario.ts';
import { closestKey, editDistance } from './issue-text.ts';

const FILE = 'm.yaml';

const HEAD = `name: probe
seed: 3
venue: { name: binance-spot }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: PT1M
market:
  model: static_book
  bids: [["99.90", "5.000"]]
  asks: [["100.10", "5.000"]]
`;

/** The problem lines of `text` (each `file: path: message`), or [] when it parses. */
function problems(text: string): string[] {
  try {
    parseScenario(text, FILE);
    return [];
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    return err.message.split('\n');
  }
}

/** Levenshtein distance (no swaps), the reference the swap-aware distance must not exceed. */
function levenshtein(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => i || j));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd'), maxLength: 8 });

describe('the distance behind "did you mean"', () => {
  it('is Levenshtein with a swap of two adjacent letters costing one', () => {
    expect(editDistance('sied', 'side')).toBe(1);
    expect(editDistance('qyt', 'qty')).toBe(1);
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('abc', 'ca')).toBe(3); // optimal string alignment: a swapped pair is not edited again
    expect(editDistance('', 'side')).toBe(4);
    fc.assert(
      fc.property(word, word, (a, b) => {
        const d = editDistance(a, b);
        expect(d).toBe(editDistance(b, a));
        expect(d).toBeLessThanOrEqual(levenshtein(a, b));
        expect(d).toBeGreaterThanOrEqual(Math.abs(a.length - b.length));
        expect(d === 0).toBe(a === b);
      }),
    );
  });

  it('a swap of two adjacent different letters is one edit', () => {
    fc.assert(
      fc.property(
        word.filter((w) => w.length >= 2),
        fc.nat(),
        (w, k) => {
          const i = k % (w.length - 1);
          fc.pre(w[i] !== w[i + 1]);
          const swapped = w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2);
          expect(editDistance(w, swapped)).toBe(1);
        },
      ),
    );
  });

  it('suggests the field for swapped, missing, extra and wrong letters alike', () => {
    const order = ['id', 'at', 'side', 'qty', 'type', 'limitPrice', 'stopPrice', 'route', 'twap'];
    for (const [typo, meant] of [
      ['sied', 'side'],
      ['qyt', 'qty'],
      ['sidee', 'side'],
      ['sude', 'side'],
      ['limitPrcie', 'limitPrice'],
      ['tpye', 'type'],
      ['LIMITPRICE', 'limitPrice'],
    ] as const)
      expect(closestKey(typo, order), typo).toBe(meant);
    expect(closestKey('colour', order)).toBeNull();
  });
});

describe('a misspelt field in a file', () => {
  it('is one line naming what it probably meant, swapped letters included', () => {
    for (const [typo, meant] of [
      ['sied', 'side'],
      ['qyt', 'qty'],
    ]) {
      const order = `{ id: a, at: PT1S, side: buy, qty: "1.000", type: market }`.replace(`${meant}:`, `${typo}:`);
      expect(problems(`${HEAD}orders:\n  - ${order}\n`)).toEqual([
        `${FILE}: orders[0]: unknown field "${typo}" (did you mean "${meant}"?)`,
      ]);
    }
  });
});

describe('every problem in one pass', () => {
  it('an unknown field on one order does not hide a missing limitPrice on another', () => {
    const text = `${HEAD}orders:
  - { id: a, at: PT1S, side: buy, qty: "1.000", type: market, colour: red }
  - { id: b, at: PT2S, side: sell, qty: "1.000", type: limit }
`;
    expect(problems(text)).toEqual([
      `${FILE}: orders[0]: unknown field "colour"`,
      `${FILE}: orders[1].limitPrice: is required for a limit order`,
    ]);
  });

  it('a misspelt side on one order does not hide problems of the others, at their own indices', () => {
    const text = `${HEAD}orders:
  - { id: a, at: PT1S, sied: buy, qty: "1.000", type: market }
  - { id: b, at: PT1S, side: buy, qty: "abc", type: market }
  - { id: c, at: PT2S, side: sell, qty: "1.000", type: limit }
  - { id: c, at: PT3S, side: sell, qty: "1.0005", type: market }
`;
    expect(problems(text)).toEqual([
      `${FILE}: orders[0]: unknown field "sied" (did you mean "side"?)`,
      `${FILE}: orders[1].qty: must be a decimal number written as a string, like "0.01"`,
      `${FILE}: orders[2].limitPrice: is required for a limit order`,
      `${FILE}: orders[3].id: duplicate id "c"`,
      `${FILE}: orders[3].qty: 1.0005 is not a whole number of lots (0.001)`,
    ]);
  });

  it('a check naming an order that could not be read is left out rather than guessed', () => {
    const text = `${HEAD}orders:
  - { id: a, at: PT1S, side: buy, qty: "abc", type: market }
  - { id: b, at: PT2S, side: sell, qty: "1.000", type: limit }
actions:
  - { at: PT5S, kind: cancel, parent: a }
`;
    // "no order has id a" would be false: order a is there, with a bad quantity.
    expect(problems(text)).toEqual([
      `${FILE}: orders[0].qty: must be a decimal number written as a string, like "0.01"`,
      `${FILE}: orders[1].limitPrice: is required for a limit order`,
    ]);
  });

  it('a field most checks read (the instrument) stops the checks rather than mislead them', () => {
    const text =
      HEAD.replace('tickSize: "0.01"', 'tickSize: "x"') +
      `orders:\n  - { id: b, at: PT2S, side: sell, qty: "1.000", type: limit }\n`;
    const lines = problems(text);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^m\.yaml: instrument\.tickSize: /);
  });

  it('each problem put into a file is listed once, whatever the others', () => {
    type Fault = 'none' | 'unknown' | 'typo' | 'noLimit' | 'offGrid' | 'badQty';
    const fault = fc.constantFrom<Fault>('none', 'unknown', 'typo', 'noLimit', 'offGrid', 'badQty');
    fc.assert(
      fc.property(fc.array(fault, { minLength: 1, maxLength: 6 }), (faults) => {
        const orders = faults.map((f, i) => {
          const type = f === 'noLimit' ? 'limit' : 'market';
          const qty = f === 'offGrid' ? '1.0005' : f === 'badQty' ? 'abc' : '1.000';
          const side = f === 'typo' ? 'sdie: buy' : 'side: buy';
          const extra = f === 'unknown' ? ', colour: red' : '';
          return `  - { id: o${i}, at: PT1S, ${side}, qty: "${qty}", type: ${type}${extra} }`;
        });
        const lines = problems(`${HEAD}orders:\n${orders.join('\n')}\n`);
        const expected = faults.flatMap((f, i) => {
          const at = `${FILE}: orders[${i}]`;
          if (f === 'unknown') return [`${at}: unknown field "colour"`];
          if (f === 'typo') return [`${at}: unknown field "sdie" (did you mean "side"?)`];
          if (f === 'noLimit') return [`${at}.limitPrice: is required for a limit order`];
          if (f === 'offGrid') return [`${at}.qty: 1.0005 is not a whole number of lots (0.001)`];
          if (f === 'badQty') return [`${at}.qty: must be a decimal number written as a string, like "0.01"`];
          return [];
        });
        expect([...lines].sort()).toEqual([...expected].sort());
      }),
    );
  });
});

describe('a latency that is not a number of milliseconds', () => {
  const withLatency = (latency: string) =>
    HEAD.replace('venue: { name: binance-spot }', `venue: { name: binance-spot, latency: ${latency} }`);
  const FORMS = 'a number of milliseconds (from 0 to 60000) or { ms, jitterMs }';

  it('a string is told the number to write, at the path it was given', () => {
    for (const path of ['orderEntry', 'ack', 'fillReport', 'marketData'])
      expect(problems(withLatency(`{ ${path}: "25ms" }`))).toEqual([
        `${FILE}: venue.latency.${path}: must be ${FORMS}, not the string "25ms": write 25, unquoted and without a unit`,
      ]);
    expect(problems(withLatency('{ ack: "25" }'))).toEqual([
      `${FILE}: venue.latency.ack: must be ${FORMS}, not the string "25": write 25, unquoted and without a unit`,
    ]);
    expect(problems(withLatency('{ ack: "PT0.025S" }'))).toEqual([
      `${FILE}: venue.latency.ack: must be ${FORMS}, not the string "PT0.025S": write 25, unquoted and without a unit`,
    ]);
    expect(problems(withLatency('{ ack: "fast" }'))).toEqual([
      `${FILE}: venue.latency.ack: must be ${FORMS}, not the string "fast"`,
    ]);
    expect(problems(withLatency('{ ack: true }'))).toEqual([`${FILE}: venue.latency.ack: must be ${FORMS}, not true`]);
  });

  it('in the { ms, jitterMs } form, the problem is the field’s', () => {
    const ms = 'a number of milliseconds (from 0 to 60000)';
    expect(problems(withLatency('{ fillReport: { ms: "25" } }'))).toEqual([
      `${FILE}: venue.latency.fillReport.ms: must be ${ms}, not the string "25": write 25, unquoted and without a unit`,
    ]);
    expect(problems(withLatency('{ fillReport: { ms: 5, jitterMs: "3ms" } }'))).toEqual([
      `${FILE}: venue.latency.fillReport.jitterMs: must be ${ms}, not the string "3ms": write 3, unquoted and without a unit`,
    ]);
    expect(problems(withLatency('{ fillReport: { ms: 5, jitter: 3 } }'))).toEqual([
      `${FILE}: venue.latency.fillReport: unknown field "jitter" (did you mean "jitterMs"?)`,
    ]);
  });

  it('any string at any latency is one line naming its path and what the field takes', () => {
    fc.assert(
      fc.property(fc.constantFrom('orderEntry', 'ack', 'fillReport', 'marketData'), fc.string(), (path, text) => {
        const lines = problems(withLatency(`{ ${path}: ${JSON.stringify(text)} }`));
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(`${FILE}: venue.latency.${path}: must be ${FORMS}, not the string `);
      }),
    );
  });
});

describe('an empty key', () => {
  const full = `${HEAD}orders:\n  - { id: a, at: PT1S, side: buy, qty: "1.000", type: market }\n`;
  const hash = (text: string) => parseScenario(text, FILE).hash;

  it('means the key left out where that is allowed: the section gets its defaults', () => {
    for (const section of ['safety', 'fillDetection', 'routing', 'retry', 'report', 'faults', 'actions'])
      expect(hash(`${full}${section}:\n`), section).toBe(hash(full));
    // Blocks the component schemas check (reconciliation, safety.preTrade) take null as their
    // defaults already, and a breaker's null is the breaker with its defaults: they parse.
    for (const block of ['reconciliation:', 'safety:\n  preTrade:\n  dedup:', 'safety:\n  breaker:'])
      expect(problems(`${full}${block}\n`), block).toEqual([]);
    expect(hash(`${full}safety:\n  # the pre-trade limits were here\n`)).toBe(hash(full));
    expect(
      hash(full.replace('venue: { name: binance-spot }', 'venue:\n  name: binance-spot\n  fees:\n  latency:')),
    ).toBe(hash(full));
    expect(hash(`${HEAD}orders:\n`)).toBe(hash(HEAD));
  });

  it('keeps the meaning null has where a field takes it', () => {
    const off = parseScenario(`${full}reconciliation: { periodMs: null }\n`, FILE);
    expect(off.scenario.reconciliation).toEqual({ periodMs: null });
    expect(off.hash).not.toBe(hash(full));
  });

  it('is refused, naming the field, where the field is required', () => {
    expect(problems(full.replace(/^instrument: .*$/m, 'instrument:'))).toEqual([
      `${FILE}: instrument: must be an object, not null`,
    ]);
    expect(problems(full.replace('  - { id: a,', '  - { id:').replace(/id: at:/, 'id:, at:'))[0]).toMatch(
      /^m\.yaml: orders\[0\]\.id: /,
    );
  });
});

describe('any input', () => {
  const key = fc.constantFrom(
    '__proto__',
    'constructor',
    'toString',
    'name',
    'seed',
    'venue',
    'safety',
    'preTrade',
    'orders',
    'side',
    'sied',
    'qty',
    'type',
    'market',
    'model',
    'start',
    'mode',
  );
  const value = fc.letrec((tie) => ({
    any: fc.oneof(
      { depthSize: 'small' },
      fc.constant(null),
      fc.integer(),
      fc.string({ maxLength: 4 }),
      fc.boolean(),
      fc.array(tie('any'), { maxLength: 3 }),
      fc.dictionary(key, tie('any'), { maxKeys: 4 }),
    ),
  })).any;

  it('is a scenario or a ScenarioError, never another error, whatever its keys and empty values', () => {
    const base = parseScenario(
      `${HEAD}orders:\n  - { id: a, at: PT1S, side: buy, qty: "1.000", type: market }\n`,
      FILE,
    );
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 5 }), (extra) => {
        const text = JSON.stringify({ ...JSON.parse(JSON.stringify(base.scenario)), ...extra });
        try {
          parseScenario(text, FILE);
        } catch (err) {
          expect(err).toBeInstanceOf(ScenarioError);
          for (const line of (err as ScenarioError).message.split('\n'))
            expect(line.startsWith(`${FILE}: `)).toBe(true);
        }
      }),
    );
  });

  it('a key named __proto__ stays a key, refused as unknown', () => {
    expect(problems(`${HEAD}__proto__: { a: 1 }\nsafety: { __proto__: null }\n`)).toEqual([
      `${FILE}: safety: unknown field "__proto__"`,
      `${FILE}: (top level): unknown field "__proto__"`,
    ]);
  });
});
