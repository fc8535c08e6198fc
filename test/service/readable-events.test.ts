// Events as a person reads them (src/store/readable-events.ts): the log's lots, ticks, notional
// units and epoch milliseconds shown as the instrument's decimals and ISO-8601 times, exactly
// (a property over instruments and amounts, negative positions and values past 2^32 included);
// every number the bundled scenarios' logs hold is either shown in a unit or declared a plain
// number (a new field cannot slip through unread); a run of two instruments shows each event in
// its own instrument's units, an event about an order in its order's; the browser's walk
// (static/readable-payload.js, which the session page's script uses) shows every payload as the
// server's does; and the run page shows its events so, while the API keeps the stored units.
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { toSteps } from '../../src/core/model/decimal.ts';
import { makeInstrument, type Instrument } from '../../src/core/model/instrument.ts';
import { API_BASE, createApp } from '../../src/server/app.ts';
import { pageRoutes } from '../../src/server/pages/page-routes.tsx';
import { ReadModel } from '../../src/store/read-model.ts';
import {
  instrumentsOf,
  isoTime,
  PLAIN_NUMBERS,
  READABLE_UNITS,
  ReadableEvents,
  eventUnitOf,
} from '../../src/store/readable-events.ts';
import { openStoreReader } from '../../src/store/store-reader.ts';

const GRIDS: readonly Instrument[] = [
  makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' }),
  makeInstrument({ symbol: 'AAPL', tickSize: '0.01', lotSize: '1', minNotional: '1' }),
  makeInstrument({ symbol: 'SHIBUSDT', tickSize: '0.00000001', lotSize: '1', minNotional: '1' }),
  makeInstrument({ symbol: 'X', tickSize: '0.5', lotSize: '0.001', minNotional: '5' }),
];

/** Bundled scenarios whose logs hold most kinds of event: restarts, reconciliation, orphans, the
 *  safety controls, a strategy, a replay, the liquidity cap, the quote fallback, two symbols. */
const SCENARIOS = [
  'restart-mid-twap',
  'restart-orphan-at-startup',
  'webhook-free-reconciliation',
  'safety-duplicate-signals',
  'safety-breaker-fat-finger',
  'fill-detection-faults',
  'twap-limit-partial',
  'strategy-breakout',
  'replay-btcusdt',
  'twap-liquidity-cap',
  'quote-fallback-outage',
  'two-symbols',
];

const dir = mkdtempSync(path.join(tmpdir(), 'execsim-readable-'));
const db = path.join(dir, 'runs.db');
let model: ReadModel;
/** Each bundled run's id, scenario name and its events (kind and parsed payload, in order). */
let runs: Array<{ id: string; name: string; events: Array<{ seq: number; kind: string; payload: unknown }> }>;

beforeAll(() => {
  const code = main(['run', ...SCENARIOS.map((s) => `scenarios/${s}.yaml`), '--db', db], {
    out: () => {},
    err: () => {},
    env: {},
  });
  expect(code).toBe(0);
  model = ReadModel.open(db);
  runs = model.listRuns({ limit: 100 }).items.map((r) => ({
    id: r.id,
    name: r.scenario,
    events: [...model.eventLines(r.id, {})].map(([seq, , kind, payload]) => ({
      seq,
      kind,
      payload: JSON.parse(payload) as unknown,
    })),
  }));
  expect(runs).toHaveLength(SCENARIOS.length);
}, 120_000);
afterAll(() => {
  model?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every number of a payload with its path (`[]` for a list's entries). */
function numbers(v: unknown, at = ''): Array<{ path: string; value: number }> {
  if (typeof v === 'number') return [{ path: at, value: v }];
  if (Array.isArray(v)) return v.flatMap((x) => numbers(x, `${at}[]`));
  if (v !== null && typeof v === 'object')
    return Object.entries(v).flatMap(([k, x]) => numbers(x, at === '' ? k : `${at}.${k}`));
  return [];
}

describe('amounts and times as a person reads them', () => {
  it('lots, ticks and notional units as exact decimals that read back as the same integers; times as ISO', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...GRIDS),
        fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        (inst, position, price, fee, at) => {
          const shown = new ReadableEvents([inst]).payload('FillReport', {
            qty: Math.abs(position),
            price,
            fee,
            venueTime: at,
            tradeId: 't',
          }) as Record<string, string>;
          expect(toSteps(shown['qty']!, inst.lotSize)).toBe(Math.abs(position));
          expect(toSteps(shown['price']!, inst.tickSize)).toBe(price);
          expect(shown['tradeId']).toBe('t');
          expect(shown['venueTime']).toBe(new Date(at).toISOString());
          const account = new ReadableEvents([inst]).payload('AccountReport', {
            position,
            quote: fee,
            symbol: inst.symbol,
          }) as Record<string, string>;
          expect(toSteps(account['position']!, inst.lotSize)).toBe(position);
          // A notional unit is a tick times a lot: the quote amount over the lot is in ticks.
          const unit = toSteps(`${account['quote']}`, decimalProduct(inst.tickSize, inst.lotSize));
          expect(unit).toBe(fee);
        },
      ),
    );
  });

  it('a fraction of a millisecond to the microsecond, an average price in fractional ticks to 4 more places', () => {
    expect(isoTime(Date.UTC(2024, 7, 9) + 30_018.353)).toBe('2024-08-09T00:00:30.018353Z');
    const shown = new ReadableEvents([GRIDS[0]!]).payload('MarketBenchmark', {
      from: Date.UTC(2024, 7, 9),
      to: Date.UTC(2024, 7, 9, 0, 1),
      vwap: 6_100_012.5,
      twapMid: null,
      volume: 150_000,
    });
    expect(shown).toEqual({
      from: '2024-08-09T00:00:00.000Z',
      to: '2024-08-09T00:01:00.000Z',
      vwap: '61000.125',
      twapMid: null,
      volume: '1.5',
    });
  });

  it('a field named for its integer unit is shown without it; plain numbers stay numbers', () => {
    const shown = new ReadableEvents([GRIDS[0]!]).payload('TwapPlanned', {
      limitOffsetTicks: 5,
      minNotionalUnits: 50_000_000,
      intervalMs: 30_000,
      liquidityCap: { advLots: 2_000_000_000, days: 20, pctOfAdv: 1, maxSliceQty: 20_000_000, readAt: 0 },
    });
    expect(shown).toEqual({
      limitOffset: '0.05',
      minNotional: '5',
      intervalMs: 30_000,
      liquidityCap: { adv: '20000', days: 20, pctOfAdv: 1, maxSliceQty: '200', readAt: '1970-01-01T00:00:00.000Z' },
    });
  });
});

describe("the bundled scenarios' logs", () => {
  it('hold no number that is neither shown in a unit nor declared a plain number', () => {
    const unread = new Set<string>();
    for (const r of runs)
      for (const e of r.events)
        for (const { path: at } of numbers(e.payload)) {
          const key = at.slice(at.lastIndexOf('.') + 1).replace(/\[\]$/, '');
          if (eventUnitOf(e.kind, at) === undefined && !PLAIN_NUMBERS.has(key)) unread.add(`${e.kind} ${at}`);
        }
    expect([...unread].sort()).toEqual([]);
  });

  it('a run of two instruments shows each event in its own instrument’s units, an order’s events in its order’s', () => {
    const two = runs.find((r) => r.name === 'two-symbols')!;
    const insts = instrumentsOf(model.scenarioOf(two.id)?.scenario);
    expect(insts.map((i) => i.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
    const readable = new ReadableEvents(insts);
    const symbolOf = new Map<string, string>();
    let checked = 0;
    for (const e of two.events) {
      const p = e.payload as Record<string, unknown>;
      if (e.kind === 'OrderCreated') symbolOf.set(p['clientOrderId'] as string, p['symbol'] as string);
      const shown = readable.payload(e.kind, e.payload) as Record<string, unknown>;
      if (e.kind !== 'FillReport') continue;
      const inst = insts.find((i) => i.symbol === symbolOf.get(p['clientOrderId'] as string))!;
      expect(toSteps(shown['qty'] as string, inst.lotSize), JSON.stringify(p)).toBe(p['qty']);
      expect(toSteps(shown['price'] as string, inst.tickSize)).toBe(p['price']);
      checked++;
    }
    expect(new Set([...symbolOf.values()])).toEqual(new Set(['BTCUSDT', 'ETHUSDT']));
    expect(checked).toBeGreaterThan(1);
  });

  it("a run of two instruments shows the account's quote in account units, whichever symbol's answer states it", () => {
    const two = runs.find((r) => r.name === 'two-symbols')!;
    const insts = instrumentsOf(model.scenarioOf(two.id)?.scenario);
    const readable = new ReadableEvents(insts);
    // BTCUSDT's notional unit (0.01 x 0.00001) is the finer: the account's unit.
    expect(readable.accountUnit?.symbol).toBe('BTCUSDT');
    const baselines = two.events
      .filter((e) => e.kind === 'AccountBaseline')
      .map((e) => readable.payload(e.kind, e.payload) as { symbol: string; quote: string });
    // The account held 200,000 USDT at the start, stated by each symbol's baseline alike.
    expect(baselines.map((b) => [b.symbol, b.quote])).toEqual([
      ['BTCUSDT', '200000'],
      ['ETHUSDT', '200000'],
    ]);
  });

  it("the browser's walk shows every payload of a run of one instrument as the server's does", () => {
    const code = readFileSync('src/server/pages/static/readable-payload.js', 'utf8');
    const context: Record<string, unknown> = {};
    runInNewContext(code, context);
    const browser = context['execsimReadable'] as (
      units: unknown,
      inst: unknown,
      kind: string,
      payload: unknown,
    ) => unknown;
    const units = JSON.parse(JSON.stringify(READABLE_UNITS)) as unknown;
    let compared = 0;
    for (const r of runs) {
      const insts = instrumentsOf(model.scenarioOf(r.id)?.scenario);
      if (insts.length !== 1) continue;
      const inst = insts[0]!;
      const readable = new ReadableEvents(insts);
      const spec = { symbol: inst.symbol, tickSize: inst.tickSize, lotSize: inst.lotSize };
      for (const e of r.events) {
        // As the browser gets it: JSON, compared as JSON (the context's objects are its own).
        const theirs = JSON.stringify(browser(units, spec, e.kind, e.payload));
        expect(theirs, `${r.name} ${e.seq} ${e.kind}`).toBe(JSON.stringify(readable.payload(e.kind, e.payload)));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });
});

describe('the run page', () => {
  it('shows the events in decimals and ISO times; the events API keeps the stored units', async () => {
    const store = openStoreReader(db);
    try {
      const app = createApp({
        reader: store.reader,
        deleteRun: null,
        jobs: null,
        scenariosDir: 'scenarios',
        version: 'test',
        token: null,
        pages: (rd) => pageRoutes(rd, { apiBase: API_BASE }),
      }).app;
      const run = runs.find((r) => r.name === 'restart-mid-twap')!;
      const fill = run.events.find((e) => e.kind === 'FillReport')!;
      const p = fill.payload as { qty: number; venueTime: number };
      const html = await (await app.request(`http://127.0.0.1/runs/${run.id}?kinds=FillReport`)).text();
      const qty = new ReadableEvents(instrumentsOf(model.scenarioOf(run.id)?.scenario)).payload('FillReport', p) as {
        qty: string;
      };
      expect(html).toContain(`&quot;qty&quot;:&quot;${qty.qty}&quot;`);
      expect(html).not.toContain(`&quot;qty&quot;:${p.qty},`);
      expect(html).toContain(isoTime(p.venueTime));
      const api = (await (
        await app.request(`http://127.0.0.1${API_BASE}/runs/${run.id}/events?kinds=FillReport`)
      ).json()) as {
        items: Array<{ payload: { qty: unknown } }>;
      };
      expect(api.items[0]?.payload.qty).toBe(p.qty);
    } finally {
      store.close();
    }
  });
});

/** The decimal product of two decimals ("0.01" x "0.00001" = "0.0000001"). */
function decimalProduct(a: string, b: string): string {
  const [ai, af = ''] = a.split('.') as [string, string?];
  const [bi, bf = ''] = b.split('.') as [string, string?];
  const digits = (BigInt(ai + af) * BigInt(bi + bf)).toString();
  const places = af.length + bf.length;
  const padded = digits.padStart(places + 1, '0');
  return places === 0 ? padded : `${padded.slice(0, padded.length - places)}.${padded.slice(padded.length - places)}`;
}
