// The liquidity cap in paper runs against the local gateways over loopback. Alpaca: the adapter
// reads the venue's 1Day bars through the real SDK before the node starts; against a gateway with
// a daily history the TWAP is planned capped (12 slices of 5 instead of 6 of 10), against one
// without, the cap is off with one warning and the slices go as asked; a resumed run plans with
// the stored volume and reads none. Binance: the adapter reads complete 1d klines through ccxt,
// from a history whose quote volume passes 2^53 notional units (the bundled replay gateway's), and
// the bundled paper TWAP against that gateway plans with the cap on.
// Every wait is a bounded condition.
import { describe, expect, it } from 'vitest';
import type { ExecEvent, LogEntry } from '../../src/core/model/events.ts';
import { makeInstrument } from '../../src/core/model/instrument.ts';
import type { AlpacaGateway } from '../../src/gateway/alpaca/alpaca-gateway.ts';
import { BinanceAdapter } from '../../src/live/binance/binance-adapter.ts';
import { AlpacaAdapter } from '../../src/live/alpaca/alpaca-adapter.ts';
import { WallClock } from '../../src/live/wall-clock.ts';
import { resumePaper, runPaper, type PaperOptions } from '../../src/runtime/paper-run.ts';
import { loadAnyScenarioFile, loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import type { RunStore } from '../../src/store/run-store.ts';
import { API_KEY, API_SECRET, binanceGateway, ccxtClient } from '../support/binance-gateway-harness.ts';
import { onCleanup, scoped } from '../support/gateway-harness.ts';
import {
  alpacaPaperGateway,
  binancePaperOptions,
  interruptedPaperRun,
  paperOptions,
  scratchStores,
} from '../support/paper-options.ts';

const KEY = 'paper-liquidity-key-id';
const SECRET = 'paper-liquidity-secret';
const WITH_HISTORY = 'test/fixtures/gateway/alpaca-aapl-adv.yaml';
const WITHOUT_HISTORY = 'test/fixtures/gateway/alpaca-aapl.yaml';
const CAPPED = 'test/fixtures/paper/twap-aapl-capped.yaml';
const { store } = scratchStores('execsim-paper-liquidity-');
const gateway = (file: string) => alpacaPaperGateway(file, { id: KEY, secret: SECRET });

/** Paper options whose adapter counts its daily-volume reads, and the warnings said. */
function counted(gw: { url: string }, s: RunStore) {
  const seen = { reads: 0, warnings: [] as string[] };
  const base = paperOptions(gw.url, s, { id: KEY, secret: SECRET });
  const options: PaperOptions = {
    ...base,
    warn: (m) => seen.warnings.push(m),
    venue: (...args) => {
      const v = base.venue(...args);
      const read = v.dailyVolumes!.bind(v);
      v.dailyVolumes = (symbol, days) => {
        seen.reads++;
        return read(symbol, days);
      };
      return v;
    },
  };
  return { options, seen };
}

const of = <K extends ExecEvent['kind']>(entries: readonly LogEntry[], kind: K) =>
  entries.filter((e) => e.event.kind === kind).map((e) => e as LogEntry<Extract<ExecEvent, { kind: K }>>);

/** The venue's orders of a run: quantity each (our ids carry the run's id at the venue). */
function venueQtys(gw: AlpacaGateway, runId: string): number[] {
  return gw.orders
    .orders()
    .map((r) => gw.orders.orderJson(r))
    .filter((o) => String(o.client_order_id).startsWith(`${runId}-`))
    .map((o) => Number(o.qty));
}

describe.concurrent('the liquidity cap in a paper run on the local Alpaca gateway', () => {
  it(
    "caps the TWAP's slices at 0.5% of the average of the venue's 20 complete daily bars",
    scoped(async () => {
      const gw = await gateway(WITH_HISTORY);
      const s = store();
      const { options, seen } = counted(gw, s);
      const report = await runPaper(loadScenarioFile(CAPPED), options);
      expect(report.expectations.filter((e) => !e.pass)).toEqual([]);
      expect(report.passed).toBe(true);
      const entries = [...s.entries(report.runId)];
      expect(seen.reads).toBe(1);
      expect(of(entries, 'DailyVolumeRead').map((e) => e.event)).toEqual([
        { kind: 'DailyVolumeRead', symbol: 'AAPL', advLots: 1000, days: 20, source: 'alpaca 1Day bars (sip)' },
      ]);
      expect(of(entries, 'LiquidityCapOff')).toEqual([]);
      expect(seen.warnings.filter((w) => w.includes('liquidity'))).toEqual([]);
      // Read before anything was planned; the plan stores it.
      const read = of(entries, 'DailyVolumeRead')[0]!;
      const plan = of(entries, 'TwapPlanned')[0]!;
      expect(read.seq).toBeLessThan(plan.seq);
      expect(plan.event.liquidityCap).toMatchObject({ advLots: 1000, days: 20, pctOfAdv: 0.5, maxSliceQty: 5 });
      expect(plan.event.adjustments.map((a) => JSON.parse(a))).toContainEqual({
        kind: 'liquidity_cap',
        requested: 6,
        used: 12,
        maxSliceQty: 5,
      });
      // The venue holds twelve orders of five shares.
      expect(venueQtys(gw, report.runId)).toEqual(Array(12).fill(5));
    }),
  );

  it(
    'without daily bars the cap is off, said once, and the TWAP trades uncapped',
    scoped(async () => {
      const gw = await gateway(WITHOUT_HISTORY);
      const s = store();
      const { options, seen } = counted(gw, s);
      const report = await runPaper(loadScenarioFile(CAPPED), options);
      expect(report.expectations.filter((e) => !e.pass)).toEqual([]);
      expect(report.passed).toBe(true);
      const entries = [...s.entries(report.runId)];
      // The gateway's only day bar is today's, still open: no complete day to average.
      expect(of(entries, 'LiquidityCapOff').map((e) => e.event)).toEqual([
        { kind: 'LiquidityCapOff', symbol: 'AAPL', reason: 'alpaca 1Day bars (sip): no complete daily bar' },
      ]);
      expect(seen.warnings.filter((w) => w.includes('liquidity'))).toEqual([
        'liquidity cap off for AAPL: alpaca 1Day bars (sip): no complete daily bar; its TWAP slices are not capped',
      ]);
      expect(of(entries, 'TwapPlanned')[0]!.event.liquidityCap).toBeUndefined();
      expect(venueQtys(gw, report.runId)).toEqual(Array(6).fill(10));
    }),
  );

  it(
    'a read the venue refuses is the same warning, and the run trades',
    scoped(async () => {
      const gw = await gateway(WITH_HISTORY);
      const s = store();
      const { options, seen } = counted(gw, s);
      // The adapter's answer when Alpaca refuses the request (its own failure path, a 401 from the
      // gateway, is checked below): the run must neither stop nor block the order.
      const refusing: PaperOptions = {
        ...options,
        venue: (...args) => {
          const v = options.venue(...args);
          v.dailyVolumes = async () => {
            seen.reads++;
            return { kind: 'failed', reason: 'HTTP 403 subscription does not permit querying recent SIP data' };
          };
          return v;
        },
      };
      const report = await runPaper(loadScenarioFile(CAPPED), refusing);
      expect(report.expectations.filter((e) => !e.pass)).toEqual([]);
      expect(report.passed).toBe(true);
      const entries = [...s.entries(report.runId)];
      expect(of(entries, 'LiquidityCapOff').map((e) => e.event.reason)).toEqual([
        "the venue's daily bars could not be read: HTTP 403 subscription does not permit querying recent SIP data",
      ]);
      expect(seen.reads).toBe(1);
      expect(venueQtys(gw, report.runId)).toEqual(Array(6).fill(10));
    }),
  );

  it(
    'a resumed run plans with the stored volume and reads none: the planned slices, each sent once under its id',
    scoped(async () => {
      const gw = await gateway(WITH_HISTORY);
      const s = store();
      const first = counted(gw, s);
      let submits = 0;
      const id = await interruptedPaperRun(
        loadScenarioFile(CAPPED),
        first.options,
        (e) => e.event.kind === 'SubmitOrder' && ++submits === 3,
      );
      expect(first.seen.reads).toBe(1);

      const again = counted(gw, s);
      const report = await resumePaper(id, again.options);
      expect(report.expectations.filter((e) => !e.pass)).toEqual([]);
      expect(report.passed).toBe(true);
      expect(again.seen.reads).toBe(0);
      const entries = [...s.entries(id)];
      const restarted = of(entries, 'ProcessRestarted')[0]!.seq;
      expect(entries.filter((e) => e.seq > restarted && e.event.kind === 'DailyVolumeRead')).toEqual([]);
      expect(entries.filter((e) => e.seq > restarted && e.event.kind === 'OrderCreated')).toEqual([]);
      expect(report.duplicateOrders).toEqual([]);
      const planned = of(entries, 'OrderCreated').map((e) => e.event.clientOrderId);
      expect(planned).toHaveLength(12);
      const atVenue = gw.orders
        .orders()
        .map((r) => gw.orders.orderJson(r))
        .filter((o) => String(o.client_order_id).startsWith(`${id}-`));
      const ids = atVenue.map((o) => String(o.client_order_id).slice(id.length + 1));
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.every((x) => planned.includes(x as never))).toBe(true);
      expect(atVenue.reduce((a, o) => a + Number(o.filled_qty), 0)).toBe(60);
      // Sized by the plan's cap; a slice run after the restart may catch up missed ones (up to 3x
      // its planned size: twap.catchUpMaxMultiple), which is the catch-up's rule, not a new cap.
      expect(Math.max(...atVenue.map((o) => Number(o.qty)))).toBeLessThanOrEqual(15);
    }),
  );
});

describe.concurrent('the Binance adapter reads daily volumes from 1d klines', () => {
  const adapter = (url: string) => {
    const a = new BinanceAdapter({
      instrument: makeInstrument(
        loadAnyScenarioFile('test/fixtures/gateway/binance-btcusdt-adv.yaml').scenario.instrument,
      ),
      runId: 'run-liquidity',
      apiKey: API_KEY,
      secret: API_SECRET,
      url,
      clock: new WallClock(),
      requestTimeoutMs: 3000,
      marketData: { stream: false },
    });
    onCleanup(() => a.stop());
    return a;
  };

  it(
    'the last 20 complete UTC days of the gateway history, in lots',
    scoped(async () => {
      const gw = await binanceGateway('test/fixtures/gateway/binance-btcusdt-adv.yaml');
      const got = await adapter(gw.url).dailyVolumes('BTCUSDT', 20);
      expect(got).toEqual({ kind: 'read', dailyLots: Array(20).fill(150_050_000), source: 'binance 1d klines' });
    }),
  );

  it(
    "the bundled replay gateway's 20,000 BTC a day (past 2^53 notional units): 20 days read, through ccxt too",
    scoped(async () => {
      const gw = await binanceGateway('scenarios/gateway/btcusdt-replay.yaml');
      expect(await adapter(gw.url).dailyVolumes('BTCUSDT', 20)).toEqual({
        kind: 'read',
        dailyLots: Array(20).fill(2_000_000_000),
        source: 'binance 1d klines',
      });
      const candles = await (await ccxtClient(gw)).fetchOHLCV('BTC/USDT', '1d', undefined, 21);
      expect(candles.slice(0, 20).map((c) => c[5])).toEqual(Array(20).fill(20_000));
    }),
  );

  it(
    'the bundled paper TWAP against the bundled replay gateway plans with its cap on',
    scoped(async () => {
      const gw = await binanceGateway('scenarios/gateway/btcusdt-replay.yaml');
      const s = store();
      const warnings: string[] = [];
      const report = await runPaper(loadAnyScenarioFile('scenarios/paper/twap-btcusdt.yaml'), {
        ...binancePaperOptions(gw.url, s, { apiKey: API_KEY, secret: API_SECRET }),
        warn: (m) => void warnings.push(m),
      });
      expect(report.expectations.filter((e) => !e.pass)).toEqual([]);
      expect(report.passed).toBe(true);
      const entries = [...s.entries(report.runId)];
      expect(of(entries, 'LiquidityCapOff')).toEqual([]);
      expect(warnings.filter((w) => w.includes('liquidity'))).toEqual([]);
      expect(of(entries, 'DailyVolumeRead').map((e) => e.event)).toEqual([
        { kind: 'DailyVolumeRead', symbol: 'BTCUSDT', advLots: 2_000_000_000, days: 20, source: 'binance 1d klines' },
      ]);
      expect(of(entries, 'TwapPlanned')[0]!.event.liquidityCap).toMatchObject({ advLots: 2_000_000_000, pctOfAdv: 1 });
    }),
  );

  it(
    "without a history only today's kline is there, still open: no complete day",
    scoped(async () => {
      const gw = await binanceGateway();
      expect(await adapter(gw.url).dailyVolumes('BTCUSDT', 20)).toEqual({
        kind: 'read',
        dailyLots: [],
        source: 'binance 1d klines',
      });
    }),
  );

  it(
    'another symbol than the one it trades is a failure that says so',
    scoped(async () => {
      const gw = await binanceGateway();
      expect(await adapter(gw.url).dailyVolumes('ETHUSDT', 20)).toEqual({
        kind: 'failed',
        reason: 'the adapter trades BTCUSDT, not ETHUSDT',
      });
    }),
  );
});

describe('the Alpaca adapter reads daily volumes from 1Day bars', () => {
  it('the last complete days only, through the SDK', async () => {
    const gw = await gateway(WITH_HISTORY);
    const a = new AlpacaAdapter({
      instrument: makeInstrument(loadAnyScenarioFile(WITH_HISTORY).scenario.instrument),
      keyId: KEY,
      secret: SECRET,
      baseUrl: gw.url,
      clock: new WallClock(),
      requestTimeoutMs: 3000,
      marketData: { stream: false },
    });
    onCleanup(() => a.stop());
    expect(await a.dailyVolumes('AAPL', 5)).toEqual({
      kind: 'read',
      dailyLots: [1000, 1000, 1000, 1000, 1000],
      source: 'alpaca 1Day bars (sip)',
    });
    const refused = new AlpacaAdapter({
      instrument: makeInstrument(loadAnyScenarioFile(WITH_HISTORY).scenario.instrument),
      keyId: 'wrong-key',
      secret: 'wrong-secret',
      baseUrl: gw.url,
      clock: new WallClock(),
      requestTimeoutMs: 3000,
      marketData: { stream: false },
    });
    onCleanup(() => refused.stop());
    const failed = await refused.dailyVolumes('AAPL', 5);
    expect(failed.kind).toBe('failed');
    expect(JSON.stringify(failed)).toMatch(/401/);
    expect(JSON.stringify(failed)).not.toContain('wrong-secret');
  });
});
