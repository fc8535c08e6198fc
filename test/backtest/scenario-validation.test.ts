// Scenario validation: every bad scenario becomes one ScenarioError whose message starts with the
// file name and names the offending field; a good one parses, gets its defaults, is frozen, and
// has a hash that ignores formatting and comments but not values.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseScenario, ScenarioError } from '../../src/scenario/load-scenario.ts';

const FILE = 'x.yaml';

// A small valid scenario. Lines are unique, so each case below can replace exactly one of them.
const BASE = `name: probe
seed: 3
venue:
  name: binance-spot
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: PT1M
market:
  model: static_book
  bids:
    - ["99.90", "1.000"]
    - ["99.50", "2.000"]
  asks:
    - ["100.10", "1.000"]
    - ["100.80", "2.000"]
orders:
  - { id: buy-1, at: PT1S, side: buy, qty: "1.500", type: market }
  - { id: sell-1, at: PT2S, side: sell, qty: "0.500", type: limit, limitPrice: "99.50" }
expect:
  - filledQty: { parent: buy-1, equals: "1.500" }
  - noDiscrepancies: true
`;

/** BASE with `from` (which must occur in it) replaced by `to`: a mutation that cannot silently miss. */
function variant(from: string, to: string): string {
  expect(BASE.split(from)).toHaveLength(2);
  return BASE.replace(from, () => to); // a function, so "$&" in `to` stays literal
}

/** The ScenarioError that parsing `text` must throw. */
function scenarioError(text: string): ScenarioError {
  try {
    parseScenario(text, FILE);
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return err as ScenarioError;
  }
  throw new Error('expected a ScenarioError, but the scenario parsed');
}

interface BadCase {
  readonly title: string;
  readonly text: string;
  /** The field path the message must name right after the file. */
  readonly path: string;
  /** Further fragments the message must contain. */
  readonly mentions: readonly (string | RegExp)[];
}

const BAD: readonly BadCase[] = [
  {
    title: 'market samples every 0 ms',
    text: BASE + 'report: { sampleMs: 0 }\n',
    path: 'report.sampleMs',
    mentions: ['at least 1 ms', 'off'],
  },
  {
    title: 'market samples at a fraction of a ms',
    text: BASE + 'report: { sampleMs: 0.5 }\n',
    path: 'report.sampleMs',
    mentions: ['whole number of ms from 1 to 3600000, auto or off'],
  },
  {
    title: 'market samples less than once an hour',
    text: BASE + 'report: { sampleMs: 3600001 }\n',
    path: 'report.sampleMs',
    mentions: ['at most 3600000 ms'],
  },
  {
    title: 'missing name',
    text: variant('name: probe\n', ''),
    path: 'name',
    mentions: ['is required'],
  },
  {
    title: 'unknown top-level field',
    text: BASE + 'colour: blue\n',
    path: '(top level)',
    mentions: ['unknown field "colour"'],
  },
  {
    title: 'unknown field inside an order',
    text: variant('{ id: buy-1,', '{ id: buy-1, foo: 1,'),
    path: 'orders[0]',
    mentions: ['unknown field "foo"'],
  },
  {
    title: 'unknown field inside the venue',
    text: variant('  name: binance-spot\n', '  name: binance-spot\n  region: eu\n'),
    path: 'venue',
    mentions: ['unknown field "region"'],
  },
  {
    title: 'qty written as a YAML number',
    text: variant('qty: "1.500", type: market', 'qty: 1.5, type: market'),
    path: 'orders[0].qty',
    mentions: [/string/],
  },
  {
    title: 'qty that is not a decimal',
    text: variant('qty: "1.500", type: market', 'qty: "1.5btc", type: market'),
    path: 'orders[0].qty',
    mentions: ['decimal'],
  },
  {
    title: 'qty of zero',
    text: variant('qty: "1.500", type: market', 'qty: "0", type: market'),
    path: 'orders[0].qty',
    mentions: ['greater than zero'],
  },
  {
    title: 'qty that is not a whole number of lots',
    text: variant('qty: "1.500", type: market', 'qty: "1.5001", type: market'),
    path: 'orders[0].qty',
    mentions: ['1.5001', 'lots', '0.001'],
  },
  {
    title: 'limit price off the tick grid',
    text: variant('limitPrice: "99.50"', 'limitPrice: "99.505"'),
    path: 'orders[1].limitPrice',
    mentions: ['ticks'],
  },
  {
    title: 'limit order without limitPrice',
    text: variant(', limitPrice: "99.50" }', ' }'),
    path: 'orders[1].limitPrice',
    mentions: ['required', 'limit order'],
  },
  {
    title: 'a limit TWAP with a limitPrice and no offset',
    text: variant('type: market }', 'type: limit, limitPrice: "100.00", twap: { duration: PT30S, slices: 3 } }'),
    path: 'orders[0].limitPrice',
    mentions: ['from the touch', 'use twap.limitOffsetTicks instead', 'twap.worstPrice'],
  },
  {
    title: 'a limit TWAP with a limitPrice beside its offset',
    text: variant(
      'type: market }',
      'type: limit, limitPrice: "100.00", twap: { duration: PT30S, slices: 3, limitOffsetTicks: -1 } }',
    ),
    path: 'orders[0].limitPrice',
    mentions: ['(by twap.limitOffsetTicks)', 'remove limitPrice', 'give twap.worstPrice to cap the price'],
  },
  {
    title: 'market order with a limitPrice',
    text: variant('type: market }', 'type: market, limitPrice: "100.00" }'),
    path: 'orders[0].limitPrice',
    mentions: ['not allowed', 'market order'],
  },
  {
    title: 'an iceberg that would look at its peg every 0 s',
    text: variant(
      'type: market }',
      'type: limit, limitPrice: "100.00", algo: { kind: iceberg, display: "0.1", peg: touch, repegTicks: 1, checkEvery: PT0S } }',
    ),
    path: 'orders[0].algo.checkEvery',
    mentions: ['longer than zero'],
  },
  {
    title: 'an expectation whose range is empty',
    text: variant('  - noDiscrepancies: true', '  - fills: { min: 5, max: 1 }'),
    path: 'expect[1].fills.min',
    mentions: ['min is above max'],
  },
  {
    title: 'an expectation whose equals is outside its own range',
    text: variant('  - noDiscrepancies: true', '  - fills: { equals: 10, min: 11 }'),
    path: 'expect[1].fills.equals',
    mentions: ['outside min..max'],
  },
  {
    title: 'unknown order type',
    text: variant('type: market }', 'type: iceberg }'),
    path: 'orders[0].type',
    mentions: ['market', 'limit', 'stop', 'stop_limit'],
  },
  {
    title: 'market order with GTC',
    text: variant('type: market }', 'type: market, tif: GTC }'),
    path: 'orders[0].tif',
    mentions: ['IOC or FOK'],
  },
  {
    title: 'start with an offset instead of Z',
    text: variant('start: 2024-08-09T00:00:00Z', 'start: "2024-08-09T02:00:00+02:00"'),
    path: 'start',
    mentions: ['UTC'],
  },
  {
    title: 'start without a zone',
    text: variant('start: 2024-08-09T00:00:00Z', 'start: "2024-08-09T00:00:00"'),
    path: 'start',
    mentions: ['UTC'],
  },
  {
    title: 'duration that is not ISO-8601',
    text: variant('duration: PT1M', 'duration: 1 minute'),
    path: 'duration',
    mentions: ['ISO-8601 duration'],
  },
  {
    title: 'order at that is not a duration',
    text: variant('at: PT1S', 'at: soon'),
    path: 'orders[0].at',
    mentions: ['ISO-8601 duration'],
  },
  {
    title: 'order at beyond the duration',
    text: variant('at: PT2S', 'at: PT2M'),
    path: 'orders[1].at',
    mentions: ['PT2M', 'after the end', 'PT1M'],
  },
  {
    title: 'duplicate order ids',
    text: variant('id: sell-1', 'id: buy-1'),
    path: 'orders[1].id',
    mentions: ['duplicate id "buy-1"'],
  },
  {
    title: 'asks not ascending',
    text: variant('["100.80", "2.000"]', '["100.05", "2.000"]'),
    path: 'market.asks[1][0]',
    mentions: ['ascending'],
  },
  {
    title: 'bids not descending',
    text: variant('["99.50", "2.000"]', '["99.95", "2.000"]'),
    path: 'market.bids[1][0]',
    mentions: ['descending'],
  },
  {
    title: 'crossed book',
    text: variant('["99.90", "1.000"]', '["100.10", "1.000"]'),
    path: 'market.asks[0][0]',
    mentions: ['100.10', 'above best bid'],
  },
  {
    title: 'expectation with two kinds',
    text: variant('  - noDiscrepancies: true\n', '  - { noDiscrepancies: true, noDuplicateOrders: true }\n'),
    path: 'expect[1]',
    mentions: ['exactly one kind'],
  },
  {
    title: 'expectation referencing an unknown parent',
    text: variant('parent: buy-1', 'parent: nobody'),
    path: 'expect[0].filledQty.parent',
    mentions: ['"nobody"'],
  },
  {
    // The node refuses a cancel of a parent it does not hold, and that refusal is logged nowhere.
    title: 'a cancel before its order is placed',
    text: variant('expect:\n', 'actions:\n  - { at: PT1.999S, kind: cancel, parent: sell-1 }\nexpect:\n'),
    path: 'actions[0].at',
    mentions: ['PT1.999S is before orders[1] ("sell-1") is placed (at PT2S): the cancel would find no parent'],
  },
  {
    title: 'negative seed',
    text: variant('seed: 3', 'seed: -1'),
    path: 'seed',
    mentions: [],
  },
  {
    title: 'fractional seed',
    text: variant('seed: 3', 'seed: 1.5'),
    path: 'seed',
    mentions: [],
  },
  {
    title: 'unknown venue',
    text: variant('  name: binance-spot\n', '  name: nasdaq\n'),
    path: 'venue.name',
    mentions: [],
  },
  {
    // Which endpoints a venue has is its registry entry's to say, at a paper run's start
    // (test/cli/cli-paper-venue.test.ts); the file only checks the name's shape.
    title: 'a paper endpoint that is not a name',
    text: variant('  name: binance-spot\n', '  name: binance-spot\n  endpoint: "Main Net!"\n'),
    path: 'venue.endpoint',
    mentions: ["must be the name of one of the venue's paper endpoints, like demo or testnet"],
  },
  // The checks across fields build the instrument, which an empty symbol cannot be: they must not
  // run on one (they threw "Symbol must not be empty", a stack trace at the command line).
  {
    title: 'an empty symbol',
    text: variant('symbol: BTCUSDT,', 'symbol: "",'),
    path: 'instrument.symbol',
    mentions: ['must be an upper-case symbol like BTCUSDT'],
  },
  {
    title: 'an empty symbol of a further instrument',
    text:
      BASE +
      'otherInstruments:\n  - { symbol: "", tickSize: "0.01", lotSize: "0.001", minNotional: "5", market: { model: static_book, bids: [["9.90", "5"]], asks: [["10.10", "5"]] } }\n',
    path: 'otherInstruments[0].symbol',
    mentions: ['must be an upper-case symbol like BTCUSDT'],
  },
  ...['""', '"x"', '" "', '"1e3"'].map((v) => ({
    // A pre-trade limit that is no decimal is not compared with 0 (parseDecimal threw).
    title: `a pre-trade limit of ${v}`,
    text: BASE + `safety: { preTrade: { maxOrderQty: ${v} } }\n`,
    path: 'safety.preTrade.maxOrderQty',
    mentions: ['must be a quantity as a decimal string like "5000"'],
  })),
];

describe('parseScenario rejects bad scenarios with the file and field in the message', () => {
  it.each(BAD)('$title', ({ text, path, mentions }) => {
    const { message } = scenarioError(text);
    expect(message.startsWith(`${FILE}: ${path}: `), message).toBe(true);
    for (const m of mentions) {
      if (typeof m === 'string') expect(message).toContain(m);
      else expect(message).toMatch(m);
    }
  });

  it('reports invalid YAML with its line', () => {
    const { message } = scenarioError('name: probe\nseed: 3\nvenue: { name: binance-spot\nstart: x\n');
    expect(message.startsWith(`${FILE}: `), message).toBe(true);
    expect(message).toContain('invalid YAML');
    expect(message).toMatch(/line \d+/);
  });

  it('reports a syntax error once, at its first place, not the errors that follow from it', () => {
    const err = scenarioError('name: x\n  bad: [\n');
    expect(err.problems).toEqual([
      { path: 'line 1, column 7', message: 'invalid YAML: Nested mappings are not allowed in compact mappings' },
    ]);
    // Duplicate keys are each their own problem.
    expect(scenarioError('a: 1\nb: 2\na: 3\nb: 4\n').problems.map((p) => p.path)).toEqual([
      'line 3, column 1',
      'line 4, column 1',
    ]);
  });

  it('reports a duplicate key with the line it is on', () => {
    const { message } = scenarioError('name: probe\nseed: 3\nname: again\n');
    expect(message).toContain('invalid YAML');
    expect(message).toMatch(/line 3\b/);
  });

  it.each([
    ['a list', '- name: probe\n- seed: 3\n'],
    ['a scalar', 'just some text\n'],
    ['an empty file', ''],
  ])('rejects %s at the top level', (_what, text) => {
    const { message } = scenarioError(text);
    expect(message).toMatch(new RegExp(`^${FILE.replace('.', '\\.')}: .*mapping`));
  });

  it('lists every problem on its own line when there are several', () => {
    const text = variant('qty: "1.500", type: market', 'qty: "1.5001", type: market').replace('seed: 3', 'seed: -1');
    const lines = scenarioError(text).message.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.some((l) => l.startsWith(`${FILE}: seed: `))).toBe(true);
    expect(lines.some((l) => l.startsWith(`${FILE}: orders[0].qty: 1.5001 is not a whole number of lots`))).toBe(true);
  });

  it('turns any non-decimal qty into a ScenarioError naming orders[0].qty', () => {
    const notDecimal = fc.string({ maxLength: 12, size: 'max' }).filter((s) => !/^\s*-?\d+(\.\d+)?\s*$/.test(s));
    fc.assert(
      fc.property(notDecimal, (qty) => {
        const text = variant('qty: "1.500", type: market', `qty: ${JSON.stringify(qty)}, type: market`);
        expect(scenarioError(text).message.startsWith(`${FILE}: orders[0].qty: `)).toBe(true);
      }),
    );
  });

  it('turns any non-duration order time into a ScenarioError naming orders[0].at', () => {
    const notDuration = fc.string({ maxLength: 12, size: 'max' }).filter((s) => !/^-?P/i.test(s.trim()));
    fc.assert(
      fc.property(notDuration, (at) => {
        const text = variant('at: PT1S', `at: ${JSON.stringify(at)}`);
        expect(scenarioError(text).message.startsWith(`${FILE}: orders[0].at: `)).toBe(true);
      }),
    );
  });
});

describe('parseScenario on a valid scenario', () => {
  const MINIMAL = `name: minimal
seed: 0
venue: { name: binance-spot }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
market: { model: static_book, asks: [["100.10", "1.000"]] }
orders:
  - { id: a, side: buy, qty: "1.000", type: market }
`;

  it('takes venue.endpoint on binance-spot, and leaves it out of a file that does not state it', () => {
    expect(
      parseScenario(variant('  name: binance-spot\n', '  name: binance-spot\n  endpoint: testnet\n'), FILE).scenario
        .venue.endpoint,
    ).toBe('testnet');
    expect(parseScenario(BASE, FILE).scenario.venue.endpoint).toBeUndefined();
  });

  it('takes a cancel at the instant its order is placed: it runs after the order', () => {
    const text = variant('expect:\n', 'actions:\n  - { at: PT2S, kind: cancel, parent: sell-1 }\nexpect:\n');
    expect(parseScenario(text, FILE).scenario.actions).toHaveLength(1);
  });

  it('parses the base scenario and keeps its values', () => {
    const { scenario, file } = parseScenario(BASE, FILE);
    expect(file).toBe(FILE);
    expect(scenario.name).toBe('probe');
    expect(scenario.seed).toBe(3);
    expect(scenario.duration).toBe('PT1M');
    expect(scenario.orders.map((o) => o.id)).toEqual(['buy-1', 'sell-1']);
    expect(scenario.orders[1]?.limitPrice).toBe('99.50');
    expect(scenario.expect).toHaveLength(2);
  });

  it('fills in the defaults', () => {
    const { scenario } = parseScenario(MINIMAL, FILE);
    expect(scenario.venue.fees).toEqual({ makerBps: 10, takerBps: 10 });
    expect(scenario.duration).toBe('PT1H');
    expect(scenario.description).toBe('');
    expect(scenario.market.model === 'static_book' && scenario.market.bids).toEqual([]);
    expect(scenario.venue.latency).toEqual({
      orderEntry: { ms: 5, jitterMs: 0 },
      ack: { ms: 5, jitterMs: 0 },
      fillReport: { ms: 5, jitterMs: 0 },
      marketData: { ms: 0, jitterMs: 0 },
    });
    expect(scenario.venue.queue).toEqual({ model: 'risk_averse' });
    expect(scenario.venue.fillOnTouch).toBe(false);
    expect(scenario.faults).toEqual([]);
    expect(scenario.signals).toEqual([]);
    expect(scenario.expect).toEqual([]);
    expect(scenario.report).toEqual({ sampleMs: 1000 });
    const order = scenario.orders[0];
    expect(order?.at).toBe('PT0S');
    expect(order !== undefined && 'tif' in order).toBe(false);
    expect(order?.tif).toBeUndefined();
  });

  it('is deeply frozen', () => {
    const { scenario } = parseScenario(BASE, FILE);
    expect(Object.isFrozen(scenario)).toBe(true);
    expect(Object.isFrozen(scenario.venue)).toBe(true);
    expect(Object.isFrozen(scenario.venue.fees)).toBe(true);
    expect(Object.isFrozen(scenario.orders)).toBe(true);
    expect(Object.isFrozen(scenario.orders[0])).toBe(true);
    expect(scenario.market.model === 'static_book' && Object.isFrozen(scenario.market.asks[0])).toBe(true);
    expect(() => {
      (scenario as { seed: number }).seed = 4;
    }).toThrow(TypeError);
    expect(scenario.seed).toBe(3);
  });

  it('has a hash that ignores formatting, comments and key order', () => {
    const reformatted = `# the same scenario, written differently
seed: 3      # keys in another order
name: "probe"

venue: { name: binance-spot }
instrument:
  symbol: BTCUSDT
  lotSize: '0.001'
  tickSize: "0.01"
  minNotional: "5"
start: "2024-08-09T00:00:00Z"
duration: PT1M
market: { model: static_book, bids: [["99.90", "1.000"], ["99.50", "2.000"]], asks: [["100.10", "1.000"], ["100.80", "2.000"]] }
orders:
  - id: buy-1
    at: PT1S
    side: buy
    qty: "1.500"
    type: market
  - { type: limit, id: sell-1, at: PT2S, side: sell, qty: "0.500", limitPrice: "99.50" }   # trailing comment
expect:
  - filledQty:
      equals: "1.500"
      parent: buy-1
  - noDiscrepancies: true
`;
    const a = parseScenario(BASE, FILE);
    const b = parseScenario(reformatted, 'other.yaml');
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.hash).toBe(a.hash);
    expect(b.canonical).toBe(a.canonical);
  });

  it('has a hash that changes when any value changes', () => {
    const base = parseScenario(BASE, FILE).hash;
    const changed = [
      variant('seed: 3', 'seed: 4'),
      variant('qty: "1.500", type: market', 'qty: "1.501", type: market'),
      variant('duration: PT1M', 'duration: PT2M'),
      variant('["99.50", "2.000"]', '["99.50", "2.001"]'),
    ].map((t) => parseScenario(t, FILE).hash);
    for (const h of changed) expect(h).not.toBe(base);
    expect(new Set(changed).size).toBe(changed.length);
  });
});
