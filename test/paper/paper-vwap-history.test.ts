// A paper VWAP with `profile: history` against each local gateway over loopback, through the real
// SDKs: the gateway draws two days of its market model before it started and serves them as
// minute bars (Alpaca's 1Min bars, Binance's 1m klines); the live process reads them through the
// adapter before the node starts, and the parent's plan stores the profile made of them, which is
// the average of the gateway's own minutes over the horizon's time of day on both days. The run
// completes its quantity. Every wait is a bounded condition.
import { describe, expect, it } from 'vitest';
import { historyProfile, historyWindows } from '../../src/core/algo/history-profile.ts';
import type { ExecEvent, LogEntry } from '../../src/core/model/events.ts';
import { ALWAYS_OPEN } from '../../src/core/venues/nyse-calendar.ts';
import type { GatewayVenue } from '../../src/gateway/gateway-venue.ts';
import type { MarketFeed } from '../../src/gateway/market-feed.ts';
import { minuteHistoryOf } from '../../src/gateway/minute-history.ts';
import { runPaper } from '../../src/runtime/paper-run.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { API_KEY, API_SECRET, binanceGateway } from '../support/binance-gateway-harness.ts';
import { alpacaPaperGateway, binancePaperOptions, paperOptions, scratchStores } from '../support/paper-options.ts';

const KEY = 'paper-vwap-history-key';
const SECRET = 'paper-vwap-history-secret';
const { store } = scratchStores('execsim-paper-vwap-history-');

const of = <K extends ExecEvent['kind']>(entries: readonly LogEntry[], kind: K) =>
  entries.filter((e) => e.event.kind === kind).map((e) => e as LogEntry<Extract<ExecEvent, { kind: K }>>);

/** The gateway's own minutes, drawn again the same way, as the bars a profile reads. */
function gatewayBars(gv: GatewayVenue, feed: MarketFeed) {
  const history = minuteHistoryOf(
    gv.scenario,
    gv.file,
    gv.instrument,
    feed,
    gv.startedAt,
    gv.scenario.venue.clockSkewMs,
  )!;
  return history.minutes().map((m) => ({ start: m.start, volume: m.lots }));
}

/** The profile the plan should hold: those bars over the windows of the parent's horizon on the
 *  two previous days. */
function expectedWeights(bars: ReturnType<typeof gatewayBars>, start: number, horizonMs: number): number[] {
  const p = historyProfile(bars, historyWindows(start, horizonMs, 2, ALWAYS_OPEN), horizonMs, 2);
  if (!('weights' in p)) throw new Error(`expected a profile: ${p.unavailable}`);
  return [...p.weights];
}

/** The plan's weights are the gateway's minutes over the horizon from the plan's start, to the
 *  sixth decimal. On the wall clock the plan reads its start a moment before the parent's
 *  creation is stamped (a millisecond or two; a window's weight counts the milliseconds it
 *  covers), so the start is the latest of the 50 ms before the creation that gives them. */
function expectPlanned(weights: number[], gv: GatewayVenue, feed: MarketFeed, created: number, horizonMs: number) {
  const close = (want: number[]) =>
    want.length === weights.length && weights.every((w, i) => Math.abs(w - want[i]!) < 5e-7);
  const bars = gatewayBars(gv, feed);
  for (let back = 0; back <= 50; back++) if (close(expectedWeights(bars, created - back, horizonMs))) return;
  // None did: the comparison at the creation time says how far off they are.
  const want = expectedWeights(bars, created, horizonMs);
  expect(weights).toHaveLength(want.length);
  weights.forEach((w, i) => expect(w).toBeCloseTo(want[i]!, 6));
  expect.unreachable('weights closer than 5e-7 at the creation time, yet not within the 50 ms before it');
}

/** The stored plan's profile, and the one the gateway's minutes give for its horizon. */
function planned(entries: readonly LogEntry[]) {
  const created = of(entries, 'ParentOrderCreated')[0]!;
  const plan = of(entries, 'TwapPlanned')[0]!.event;
  return { start: created.time, horizonMs: created.event.totalSlices * plan.intervalMs, trajectory: plan.trajectory };
}

describe('a paper VWAP with a profile from the venue history', () => {
  it('Alpaca: reads 1Min bars through the SDK and plans on the gateway’s minutes', async () => {
    const gw = await alpacaPaperGateway('test/fixtures/gateway/alpaca-minute-history.yaml', {
      id: KEY,
      secret: SECRET,
    });
    const s = store();
    const report = await runPaper(
      loadScenarioFile('test/fixtures/paper/vwap-history-aapl.yaml'),
      // The gateway draws its two days of minutes on the first request for them: seconds of CPU
      // on a loaded machine, past the 3 s deadline the other paper tests give each request.
      paperOptions(gw.url, s, { id: KEY, secret: SECRET }, { requestTimeoutMs: 30_000 }),
    );
    expect(report.expectations.filter((e) => !e.pass)).toEqual([]);
    const entries = [...s.entries(report.runId)];
    const { start, horizonMs, trajectory } = planned(entries);
    expect(trajectory, JSON.stringify(trajectory)).toMatchObject({
      kind: 'vwap',
      profile: 'history',
      history: { days: 2, daysUsed: 2, source: 'alpaca 1Min bars (iex)' },
    });
    const weights = (trajectory as unknown as { weights: number[] }).weights;
    expect(weights.every((w) => w > 0)).toBe(true);
    expectPlanned(weights, gw.venue, gw.feed, start, horizonMs);
  });

  it('Binance: reads 1m klines through ccxt and plans on the gateway’s minutes', async () => {
    const gw = await binanceGateway('test/fixtures/gateway/binance-minute-history.yaml');
    const s = store();
    const options = binancePaperOptions(gw.url, s, { apiKey: API_KEY, secret: API_SECRET });
    const report = await runPaper(loadScenarioFile('test/fixtures/paper/vwap-history-btcusdt.yaml'), options);
    expect(report.expectations.filter((e) => !e.pass)).toEqual([]);
    const entries = [...s.entries(report.runId)];
    const { start, horizonMs, trajectory } = planned(entries);
    expect(trajectory, JSON.stringify(trajectory)).toMatchObject({
      kind: 'vwap',
      profile: 'history',
      history: { days: 2, daysUsed: 2, source: 'binance 1m klines' },
    });
    const weights = (trajectory as unknown as { weights: number[] }).weights;
    expectPlanned(weights, gw.venue, gw.feed, start, horizonMs);
  });
});
