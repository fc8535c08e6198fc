// Bad input of the kinds that used to crash mid-run, run for hours or validate and then do
// nothing: each is refused at validation with the field and the problem (and, for numbers, the
// bound). The sound base scenario parses; every case changes one thing in it.
import { describe, it, expect } from 'vitest';
import { parseScenario, parseScenarioFile, ScenarioError } from '../../src/scenario/load-scenario.ts';
import { estimateEvents, MAX_SIM_EVENTS } from '../../src/scenario/event-limit.ts';
import { parseDurationMs } from '../../src/core/model/time-fields.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const FILE = 'b.yaml';

const BASE = `name: bounds
seed: 3
venue: { name: binance-spot }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: PT10M
market:
  model: synthetic
  initialPrice: "100.00"
  volatility: 0.05
  stepMs: 250
  spreadTicks: 2
  depth: ["1.000", "2.000"]
  trades: { ratePerSec: 2, meanQty: "0.100" }
externalOrders:
  - { at: PT10S, clientOrderId: desk-bid, side: buy, qty: "1.000", limitPrice: "90.00" }
signals:
  - { id: sig-1, at: PT5S, side: buy, qty: "0.500", route: single }
orders:
  - { id: buy-1, at: PT1S, side: buy, qty: "1.500", type: market, route: single }
  - id: twap-1
    at: PT20S
    side: buy
    qty: "3.000"
    type: market
    twap: { duration: PT2M, slices: 6 }
actions:
  - { at: PT1M, kind: resolve_orphan, clientOrderId: desk-bid, resolution: cancel }
restarts:
  - { at: PT30S, downtime: PT10S }
expect:
  - filledQty: { parent: buy-1, equals: "1.500" }
`;

const ZI_MARKET = `market:
  model: zero_intelligence
  initialPrice: "100.00"
  limitRatePerSec: 5
  marketRatePerSec: 1
  cancelRatePerSec: 0.1
  priceRangeTicks: 20
  meanQty: "0.100"
`;

/** A paper run of 120 days with a 90-day TWAP: waits far past Node's 24.8-day timer limit, and
 *  sound. */
const PAPER = `name: paper-long
seed: 5
mode: paper
venue: { name: binance-spot }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
duration: P120D
liquidity: { enabled: false }
orders:
  - { id: slow-buy, side: buy, qty: "0.03", type: market, route: twap, twap: { duration: P90D, slices: 3 } }
`;

const SYNTH_MARKET = BASE.slice(BASE.indexOf('market:\n'), BASE.indexOf('externalOrders:'));

function variant(from: string, to: string, text = BASE): string {
  expect(text.split(from), `"${from}" must occur once`).toHaveLength(2);
  return text.replace(from, () => to);
}

function problems(text: string): string[] {
  try {
    // A paper-only file (no start, no market) is read as a paper run reads it.
    if (/^mode: paper$/m.test(text)) parseScenarioFile(text, FILE);
    else parseScenario(text, FILE);
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as ScenarioError).message.split('\n');
  }
  throw new Error('expected a ScenarioError, but the scenario parsed');
}

interface Case {
  readonly title: string;
  readonly text: string;
  /** The field path one of the problem lines must name. */
  readonly path: string;
  readonly mentions: readonly (string | RegExp)[];
}

const CASES: readonly Case[] = [
  // Magnitudes: prices, quantities and their products stay exact.
  {
    title: 'a volatility that makes the price unbounded',
    text: variant('volatility: 0.05', 'volatility: 1e308'),
    path: 'market.volatility',
    mentions: ['unbounded', /market\.volatility may be at most about \d/],
  },
  {
    title: 'an initial price at the largest safe tick count',
    text: variant('initialPrice: "100.00"', 'initialPrice: "90071992547409.91"'),
    path: 'market.initialPrice',
    mentions: ['2^51', /at most about \d+\.\d+/],
  },
  {
    title: 'an initial price whose notional with the run quantity overflows',
    text: variant('initialPrice: "100.00"', 'initialPrice: "1000000000000.00"'),
    path: 'market.initialPrice',
    mentions: ['notional', '6,000 lots'],
  },
  {
    title: 'a geometric walk whose 10-sigma move overflows',
    text: variant('volatility: 0.05', 'volatility: 5\n  walk: geometric'),
    path: 'market.volatility',
    mentions: ['10-standard-deviation'],
  },
  {
    title: 'a price jump fault that multiplies the price past the bound',
    text: variant(
      'restarts:',
      'faults:\n' + '  - { kind: price_jump, at: PT1M, bps: 100000 }\n'.repeat(12) + 'restarts:',
    ),
    path: 'faults[0].bps',
    mentions: ['price jumps'],
  },
  {
    title: 'a liquidity drop factor that scales depth past 2^53 lots',
    text: variant(
      'restarts:',
      'faults:\n  - { kind: liquidity_drop, from: PT1M, until: PT2M, depthFactor: 1e20 }\nrestarts:',
    ),
    path: 'market.depth[0]',
    mentions: ['depthFactor', 'largest quantity'],
  },
  {
    title: 'a quantity above 2^53 lots is too large, not off the grid',
    text: variant('qty: "1.500", type: market', 'qty: "9007199254740.992", type: market'),
    path: 'orders[0].qty',
    mentions: ['too large', 'at most 9007199254740.991'],
  },
  {
    title: 'a minimum notional beyond the notional range',
    text: variant('minNotional: "5"', 'minNotional: "1000000000000"'),
    path: 'instrument.minNotional',
    mentions: ['too large', '2^51'],
  },
  {
    title: 'a tick size with more decimals than reports can print',
    text: variant('tickSize: "0.01"', 'tickSize: "0.0000000000000000001"'),
    path: 'instrument.tickSize',
    mentions: ['19 decimal places', '18'],
  },
  {
    title: 'a breaker loss limit beyond the notional range',
    text: variant('restarts:', 'safety: { breaker: { loss: { max: "1000000000000000000" } } }\nrestarts:'),
    path: 'safety.breaker.loss.max',
    mentions: ['too large'],
  },
  {
    title: 'a start before 1970',
    text: variant('start: 2024-08-09T00:00:00Z', 'start: 1969-12-31T23:00:00Z'),
    path: 'start',
    mentions: ['before 1970-01-01T00:00:00Z'],
  },
  {
    title: 'a run ending after year 9999',
    text: variant('start: 2024-08-09T00:00:00Z', 'start: 9999-12-31T23:55:00Z'),
    path: 'duration',
    mentions: ['9999-12-31'],
  },
  // Work: rates and steps that would run for hours.
  {
    title: 'a trade rate of 1e7 per second',
    text: variant('ratePerSec: 2', 'ratePerSec: 10000000'),
    path: 'market.trades.ratePerSec',
    mentions: ['events', 'market trades', '50,000,000'],
  },
  {
    title: 'one-millisecond steps over a year',
    text: variant('stepMs: 250', 'stepMs: 1').replace('duration: PT10M', 'duration: P365D'),
    path: 'market.stepMs',
    mentions: ['31,536,000,000 market steps', 'P365D'],
  },
  {
    title: 'a zero-intelligence limit rate of 1e6 per second',
    text: variant(SYNTH_MARKET, variant('limitRatePerSec: 5', 'limitRatePerSec: 1000000', ZI_MARKET)),
    path: 'market.limitRatePerSec',
    mentions: ['limit orders', 'above the limit'],
  },
  {
    title: 'spread regimes changing every millisecond',
    text: variant(
      'spreadTicks: 2\n',
      'spreadTicks: 2\n  regimes: [{ spreadTicks: 2, meanDuration: PT0.001S }, { spreadTicks: 4, meanDuration: PT0.001S }]\n',
    ).replace('duration: PT10M', 'duration: P1D'),
    path: 'market.regimes[0].meanDuration',
    mentions: ['spread regime changes'],
  },
  // TWAPs the planner refuses.
  {
    title: 'a TWAP interval of zero',
    text: variant('twap: { duration: PT2M, slices: 6 }', 'twap: { duration: PT2M, interval: PT0S }'),
    path: 'orders[1].twap.interval',
    mentions: ['planner', 'must be positive'],
  },
  {
    title: 'a TWAP interval below a millisecond',
    text: variant('twap: { duration: PT2M, slices: 6 }', 'twap: { duration: PT2M, interval: PT0.0005S }'),
    path: 'orders[1].twap.interval',
    mentions: ['finer than a millisecond'],
  },
  {
    title: 'more TWAP slices than the duration holds 1 ms apart',
    text: variant('twap: { duration: PT2M, slices: 6 }', 'twap: { duration: PT10S, slices: 100000 }'),
    path: 'orders[1].twap.duration',
    mentions: ['100000 slices'],
  },
  {
    title: 'more TWAP slices than a plan may have',
    text: variant(
      'restarts:',
      'safety: { preTrade: { maxOrderNotional: "10000000" } }\nrestarts:',
      variant(
        'duration: PT10M',
        'duration: PT2H',
        variant(
          'qty: "3.000"\n',
          'qty: "5000.000"\n',
          variant('twap: { duration: PT2M, slices: 6 }', 'twap: { duration: PT1H, interval: PT0.001S }'),
        ),
      ),
    ),
    path: 'orders[1].twap.interval',
    mentions: ['1000000'],
  },
  {
    title: 'a TWAP longer than 366 days',
    text: variant(
      'duration: PT10M',
      'duration: P400D',
      variant('twap: { duration: PT2M, slices: 6 }', 'twap: { duration: P99999D, slices: 6 }'),
    ),
    path: 'orders[1].twap.duration',
    mentions: ['"P99999D" is longer than a TWAP may run', 'at most P366D'],
  },
  {
    title: 'a TWAP interval longer than 366 days',
    text: variant('twap: { duration: PT2M, slices: 6 }', 'twap: { duration: PT2M, interval: P367D }'),
    path: 'orders[1].twap.interval',
    mentions: ['"P367D" is longer than a TWAP may run'],
  },
  {
    title: 'a defaultTwap longer than 366 days',
    text: variant('restarts:', 'routing: { defaultTwap: { duration: P1000D, slices: 3 } }\nrestarts:'),
    path: 'routing.defaultTwap.duration',
    mentions: ['at most P366D'],
  },
  {
    title: 'a paper run longer than 366 days',
    text: PAPER.replace('duration: P120D', 'duration: P367D'),
    path: 'duration',
    mentions: ['"P367D" is longer than a paper run may last', 'at most P366D'],
  },
  {
    title: 'a limit parent routed twap through a defaultTwap without limitOffsetTicks',
    text: variant(
      '{ id: buy-1, at: PT1S, side: buy, qty: "1.500", type: market, route: single }',
      '{ id: buy-1, at: PT1S, side: buy, qty: "1.500", type: limit, limitPrice: "99.00", route: twap }',
    ),
    path: 'routing.defaultTwap.limitOffsetTicks',
    mentions: ['orders[0]', 'required for limit children'],
  },
  {
    title: 'a defaultTwap whose interval is zero',
    text: variant('restarts:', 'routing: { defaultTwap: { duration: PT1M, interval: PT0S } }\nrestarts:'),
    path: 'routing.defaultTwap.interval',
    mentions: ['must be positive'],
  },
  // Times after the end of the run.
  {
    title: 'a restart after the end of the run',
    text: variant('{ at: PT30S, downtime: PT10S }', '{ at: PT20M, downtime: PT10S }'),
    path: 'restarts[0].at',
    mentions: ['after the end of the run', 'PT10M'],
  },
  {
    title: 'a restart window ending after the end of the run',
    text: variant('{ at: PT30S, downtime: PT10S }', '{ between: [PT1M, PT11M], downtime: PT10S }'),
    path: 'restarts[0].between[1]',
    mentions: ['after the end of the run'],
  },
  {
    title: 'a restart window that ends before it starts',
    text: variant('{ at: PT30S, downtime: PT10S }', '{ between: [PT2M, PT1M], downtime: PT10S }'),
    path: 'restarts[0].between[1]',
    mentions: ['must not be before between[0]'],
  },
  {
    title: 'an external order after the end of the run',
    text: variant('{ at: PT10S, clientOrderId: desk-bid', '{ at: PT11M, clientOrderId: desk-bid'),
    path: 'externalOrders[0].at',
    mentions: ['after the end of the run'],
  },
  // Ids that name nothing (or the wrong thing).
  {
    title: 'resolve_orphan of an id that is not an external order',
    text: variant('clientOrderId: desk-bid, resolution: cancel', 'clientOrderId: nobody, resolution: cancel'),
    path: 'actions[0].clientOrderId',
    mentions: ['"nobody"', 'externalOrders', 'desk-bid'],
  },
  {
    title: 'resolve_orphan before the external order is placed',
    text: variant('{ at: PT1M, kind: resolve_orphan', '{ at: PT5S, kind: resolve_orphan'),
    path: 'actions[0].at',
    mentions: ['before externalOrders[0] is placed'],
  },
  {
    title: 'a cancel naming a signal',
    text: variant('restarts:', 'restarts:').replace(
      'actions:\n',
      'actions:\n  - { at: PT2M, kind: cancel, parent: sig-1 }\n',
    ),
    path: 'actions[0].parent',
    mentions: ['"sig-1" is a signal, not an order', 'buy-1'],
  },
  {
    title: 'a cancel naming nothing known',
    text: BASE.replace('actions:\n', 'actions:\n  - { at: PT2M, kind: cancel, parent: ghost }\n'),
    path: 'actions[0].parent',
    mentions: ['no order has id "ghost"'],
  },
  {
    title: 'an expectation on a signal id as a parent',
    text: variant('parent: buy-1', 'parent: sig-1'),
    path: 'expect[0].filledQty.parent',
    mentions: ['is a signal'],
  },
  {
    title: 'a signal expectation naming no signal',
    text: variant(
      '  - filledQty: { parent: buy-1, equals: "1.500" }\n',
      '  - signal: { id: sig-2, equals: accepted }\n',
    ),
    path: 'expect[0].signal.id',
    mentions: ['no signal has id "sig-2"', 'sig-1'],
  },
  {
    title: 'duplicate external order ids',
    text: variant(
      'externalOrders:\n',
      'externalOrders:\n  - { at: PT10S, clientOrderId: desk-bid, side: sell, qty: "1.000", limitPrice: "110.00" }\n',
    ),
    path: 'externalOrders[1].clientOrderId',
    mentions: ['duplicate'],
  },
  {
    title: 'an external order quantity off the lot grid',
    text: variant('qty: "1.000", limitPrice: "90.00"', 'qty: "1.0005", limitPrice: "90.00"'),
    path: 'externalOrders[0].qty',
    mentions: ['not a whole number of lots'],
  },
  {
    title: 'an account quote balance off the tick grid',
    text: variant('venue: { name: binance-spot }', 'venue: { name: binance-spot, account: { quote: "1000.005" } }'),
    path: 'venue.account.quote',
    mentions: ['ticks'],
  },
  // Durations.
  {
    title: 'a duration in months',
    text: variant('duration: PT10M', 'duration: P1M'),
    path: 'duration',
    mentions: ['months or years', 'P30D', 'PnW'],
  },
  {
    title: 'a duration in years',
    text: variant('duration: PT10M', 'duration: P1Y'),
    path: 'duration',
    mentions: ['months or years'],
  },
  {
    title: 'a duration with a negative part',
    text: variant('duration: PT10M', 'duration: PT1H-30M'),
    path: 'duration',
    mentions: ['negative'],
  },
  // Misspelled and missing fields.
  {
    title: 'a misspelled side',
    text: variant('{ id: buy-1, at: PT1S, side: buy,', '{ id: buy-1, at: PT1S, sid: buy,'),
    path: 'orders[0]',
    mentions: ['unknown field "sid" (did you mean "side"?)'],
  },
  {
    title: 'a misspelled restart field inside a union',
    text: variant('{ at: PT30S, downtime: PT10S }', '{ att: PT30S, downtime: PT10S }'),
    path: 'restarts[0]',
    mentions: ['unknown field "att" (did you mean "at"?)'],
  },
  {
    title: 'a misspelled market field',
    text: variant('volatility: 0.05', 'volatilty: 0.05'),
    path: 'market',
    mentions: ['did you mean "volatility"?'],
  },
  {
    title: 'a misspelled component field',
    text: variant('restarts:', 'reconciliation: { periodMS: 60000 }\nrestarts:'),
    path: 'reconciliation',
    mentions: ['did you mean "periodMs"?'],
  },
  {
    title: 'a missing enum field lists its choices',
    text: variant('{ id: buy-1, at: PT1S, side: buy,', '{ id: buy-1, at: PT1S,'),
    path: 'orders[0].side',
    mentions: ['is required', 'buy, sell'],
  },
];

describe('scenario bounds: refused at validation with the field and the bound', () => {
  it('the base scenario is sound', () => {
    expect(() => parseScenario(BASE, FILE)).not.toThrow();
    expect(() => parseScenario(variant(SYNTH_MARKET, ZI_MARKET), FILE)).not.toThrow();
  });

  it('takes a 120-day paper run with a 90-day TWAP, and a TWAP of exactly 366 days', () => {
    expect(parseScenarioFile(PAPER, FILE).scenario.duration).toBe('P120D');
    const year = PAPER.replace('duration: P120D', 'duration: P366D').replace('duration: P90D', 'duration: P366D');
    expect(parseScenarioFile(year, FILE).scenario.orders[0]?.twap?.duration).toBe('P366D');
  });

  it.each(CASES)('$title', ({ text, path, mentions }) => {
    const lines = problems(text);
    const line = lines.find((l) => l.startsWith(`${FILE}: ${path}: `));
    expect(line, lines.join('\n')).toBeDefined();
    for (const m of mentions) {
      if (typeof m === 'string') expect(line).toContain(m);
      else expect(line).toMatch(m);
    }
  });
});

describe('durations of exact length', () => {
  it.each([
    ['P1W', 604_800_000],
    ['P2W', 1_209_600_000],
    ['P1D', 86_400_000],
    ['P1DT12H', 129_600_000],
    ['PT1M30.5S', 90_500],
    ['pt30s', 30_000],
  ])('%s is %d ms, and a run may last that long', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
    const long = variant('duration: PT10M', `duration: ${text}`)
      .replace('stepMs: 250', 'stepMs: 60000')
      .replace('{ at: PT1M, kind: resolve_orphan', '{ at: PT15S, kind: resolve_orphan');
    if (ms >= 600_000) expect(parseScenario(long, FILE).scenario.duration).toBe(text);
  });
});

describe('the event estimate', () => {
  it('leaves the base far below the limit and counts what the run simulates', () => {
    const { scenario } = parseScenario(BASE, FILE);
    const parts = estimateEvents(scenario, []);
    const total = parts.reduce((a, p) => a + p.value, 0);
    // 600 s: 2,400 steps of 250 ms, 1,200 trades, 2 reconciliation passes.
    expect(parts.find((p) => p.path.join('.') === 'market.stepMs')?.value).toBe(2_400);
    expect(parts.find((p) => p.path.join('.') === 'market.trades.ratePerSec')?.value).toBe(1_200);
    expect(total).toBeLessThan(MAX_SIM_EVENTS / 1000);
  });
});

describe('several problems', () => {
  it('are all listed, one line each, with the file and the field', () => {
    const text = variant('{ id: buy-1, at: PT1S, side: buy,', '{ id: buy-1, at: PT1S, sid: buy,').replace(
      'seed: 3',
      'seed: -1',
    );
    const lines = problems(text);
    // The misspelt side is one problem: "side: is required" would be the same one again.
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.startsWith(`${FILE}: `))).toBe(true);
    expect(lines.map((l) => l.split(': ')[1])).toEqual(expect.arrayContaining(['seed', 'orders[0]']));
    expect(lines.join('\n')).toContain('unknown field "sid" (did you mean "side"?)');
  });

  it('past 50 are counted after the first 50', () => {
    const many = Array.from(
      { length: 60 },
      (_, i) => `  - { id: o${i}, at: PT1S, side: buy, qty: "1.0005", type: market, route: single }\n`,
    ).join('');
    const lines = problems(variant('orders:\n', `orders:\n${many}`));
    expect(lines).toHaveLength(51);
    expect(lines[50]).toBe(`${FILE}: and 10 more problems (60 in all)`);
  });
});

describe('YAML aliases', () => {
  it('an alias bomb is a ScenarioError naming the limit, not a ReferenceError', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const lines = problems(`name: bomb\n${levels.join('\n')}\n`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^b\.yaml: invalid YAML: .*aliases.*100/);
  });

  it('an alias inside the node it names is a ScenarioError at that path, not a stack overflow', () => {
    expect(problems('a: &a [*a]\n')).toEqual([
      `${FILE}: a[0]: invalid YAML: an alias (*name) here stands for a node that holds it, so the value would contain itself`,
    ]);
    const text = variant('orders:\n', 'orders:\n  - &o { id: loop, side: buy, again: *o }\n');
    expect(problems(text)).toEqual([
      `${FILE}: orders[0].again: invalid YAML: an alias (*name) here stands for a node that holds it, so the value would contain itself`,
    ]);
    // The same node named twice side by side is no loop.
    expect(problems('x: &v { a: 1 }\ny: [*v, *v]\n')[0]).not.toMatch(/contain itself/);
  });

  it('a few aliases are still fine', () => {
    const text = variant('orders:\n', 'x-qty: &q "1.500"\norders:\n').replace(
      'qty: "1.500", type: market',
      'qty: *q, type: market',
    );
    // x-qty is not a scenario field: the aliases resolve, then the schema names the unknown key.
    expect(problems(text)).toEqual([`${FILE}: (top level): unknown field "x-qty"`]);
  });
});

describe('replay files', () => {
  it('a directory given as a replay file is refused at validation', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-bounds-'));
    try {
      const file = path.join(dir, 'r.yaml');
      const text = variant(SYNTH_MARKET, 'market: { model: replay, files: ["."] }\n');
      expect(() => parseScenario(text, file)).toThrow(`${file}: market.files[0]: ${dir} is not a file`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
