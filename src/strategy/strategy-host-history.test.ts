// A history that answers later (a live venue's bars, delivered as a unit of work of the process
// some time after the strategy started): the host holds the symbol's live samples until it has
// answered, so the strategy sees its bars in time order whenever the answer comes, and a failed
// read hands over what was held and warms up on live data.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/clock/virtual-clock.ts';
import type { ExecEvent } from '../core/model/events.ts';
import { makeInstrument } from '../core/model/instrument.ts';
import { OrderLedger } from '../core/order/order-ledger.ts';
import type { MarketDataPort } from '../core/ports/broker.ts';
import type { Bar, StrategyDefinition } from './strategy-api.ts';
import type { FeedSample } from './strategy-feed.ts';
import { StrategyHost } from './strategy-host.ts';
import type { HistorySource, LoadedStrategy } from './strategy-port.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 5, 15, 0, 0);
const AAPL = makeInstrument({ symbol: 'AAPL', tickSize: '0.01', lotSize: '1', minNotional: '1' });

const market: MarketDataPort = {
  topOfBook: () => ({ bid: 18_740, bidQty: 1, ask: 18_750, askQty: 1 }),
  window: () => ({ vwap: null, twapMid: null, volume: 0 }),
  lastUpdateAt: () => null,
};

const historyBar = (time: number): FeedSample => ({
  quote: null,
  trades: null,
  bars: [{ symbol: 'AAPL', time, ms: MIN, open: 187, high: 187, low: 187, close: 187, volume: 1 }],
});

/** A host whose history answers (done, or failed) `delayMs` after it is asked. */
function run(delayMs: number, outcome: 'done' | 'failed', runMs: number) {
  const clock = new VirtualClock(T0 + 30_000);
  const seen: Bar[] = [];
  const events: ExecEvent[] = [];
  const definition: StrategyDefinition<unknown> = {
    name: 'late-history',
    warmup: { bars: 2 },
    create: () => ({ onBar: (b) => void seen.push(b) }),
  };
  const strategy: LoadedStrategy = {
    definition,
    params: {},
    paramsJson: '{}',
    module: 'late-history.ts',
    codeHash: 'test',
    form: 'handler',
    warmup: { bars: 2 },
    quoteMs: 1_000,
    barMs: MIN,
    warmupTimeoutMs: 0,
    callbackBudgetMs: 250,
    onFailure: { killSwitch: 'active', cancelParents: false },
  };
  const history: HistorySource = {
    read(_symbol, _span, until, done, failed) {
      const liveStart = Math.floor(until / MIN) * MIN;
      clock.schedule(
        () =>
          outcome === 'done'
            ? done({ samples: [historyBar(liveStart - 2 * MIN), historyBar(liveStart - MIN)], source: 'late bars' })
            : failed('refused'),
        delayMs,
      );
    },
  };
  const host = new StrategyHost({
    strategy,
    clock,
    marketData: market,
    instruments: [AAPL],
    ledger: new OrderLedger(),
    record: (e) => events.push(e),
    command: () => {},
    history,
  });
  host.start();
  clock.advanceBy(runMs);
  return { seen, events, host };
}

describe('a history that answers later', () => {
  it('holds live samples until it has answered: the strategy sees its bars in time order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 * MIN }), fc.constantFrom('done', 'failed'), (delay, outcome) => {
        const { seen, events, host } = run(delay, outcome as 'done' | 'failed', 5 * MIN);
        const times = seen.map((b) => b.time);
        for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThan(times[i - 1]!);
        const live = seen.filter((b) => b.time >= T0);
        // Every live bar of the five minutes reached the strategy (held ones too), once.
        expect(live.map((b) => b.time)).toEqual([0, 1, 2, 3, 4].map((i) => T0 + i * MIN));
        if (outcome === 'done') expect(seen.slice(0, 2).map((b) => b.time)).toEqual([T0 - 2 * MIN, T0 - MIN]);
        const states = events.flatMap((e) => (e.kind === 'StrategyHydration' ? [`${e.state}:${e.detail}`] : []));
        expect(states[0]).toBe('hydrating:reading history');
        expect(states.at(-1)).toBe(outcome === 'done' ? 'hydrated:history' : 'hydrated:live');
        expect(host.notHydrated()).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it('is not warm while the answer is awaited, whatever the live feed brought meanwhile', () => {
    const { host, seen } = run(3 * MIN, 'done', 2 * MIN + 5_000);
    expect(seen).toEqual([]);
    expect(host.notHydrated()).toEqual(['AAPL: warm-up 0 of 2 bars']);
  });
});
