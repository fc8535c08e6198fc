// The host's own timers (the market sampling every quoteMs, a handler's onTimer): it keeps only
// the one still waiting of each, so a run of hours does not carry every spent timer to its end,
// and stop() cancels what waits; the strategy is handed every sample and tick all the same.
import { Subscription } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/clock/virtual-clock.ts';
import { makeInstrument } from '../core/model/instrument.ts';
import { OrderLedger } from '../core/order/order-ledger.ts';
import type { MarketDataPort } from '../core/ports/broker.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { StrategyDefinition } from './strategy-api.ts';
import { StrategyHost } from './strategy-host.ts';
import type { LoadedStrategy } from './strategy-port.ts';

const T0 = Date.UTC(2026, 0, 5, 15, 0, 0);
const AAPL = makeInstrument({ symbol: 'AAPL', tickSize: '0.01', lotSize: '1', minNotional: '1' });
const market: MarketDataPort = {
  topOfBook: () => ({ bid: 18_740, bidQty: 1, ask: 18_750, askQty: 1 }),
  window: () => ({ vwap: null, twapMid: null, volume: 0 }),
  lastUpdateAt: () => null,
};

/** A timer the host holds: counts the host's unsubscribe() of it. */
class Held extends Subscription {
  constructor(
    private readonly inner: Subscription,
    private readonly counts: { cancelled: number; spentCancelled: number },
    private readonly spent: () => boolean,
  ) {
    super();
  }

  override unsubscribe(): void {
    this.counts.cancelled++;
    if (this.spent()) this.counts.spentCancelled++;
    this.inner.unsubscribe();
    super.unsubscribe();
  }
}

/** A handler strategy with an onTimer every `timerMs`, run for `runMs` of samples, then stopped. */
function run(runMs: number, timerMs: number) {
  const virtual = new VirtualClock(T0);
  const counts = { scheduled: 0, cancelled: 0, spentCancelled: 0 };
  const clock: Clock = {
    now: () => virtual.now(),
    scheduler: virtual.scheduler,
    post: (work: (arg?: unknown) => void, delayMs: number, arg?: unknown) => virtual.post(work, delayMs, arg),
    schedule: (work, delayMs) => {
      counts.scheduled++;
      let fired = false;
      const inner = virtual.schedule(() => {
        fired = true;
        work();
      }, delayMs);
      return new Held(inner, counts, () => fired);
    },
  };
  const seen = { quotes: 0, ticks: 0 };
  const definition: StrategyDefinition<unknown> = {
    name: 'timers',
    create: () => ({
      timerMs,
      onQuote: () => void seen.quotes++,
      onTimer: () => void seen.ticks++,
    }),
  };
  const strategy: LoadedStrategy = {
    definition,
    params: {},
    paramsJson: '{}',
    module: 'timers.ts',
    codeHash: 'test',
    form: 'handler',
    warmup: {},
    quoteMs: 1_000,
    barMs: 60_000,
    warmupTimeoutMs: 0,
    callbackBudgetMs: 250,
    onFailure: { killSwitch: 'active', cancelParents: false },
  };
  const host = new StrategyHost({
    strategy,
    clock,
    marketData: market,
    instruments: [AAPL],
    ledger: new OrderLedger(),
    record: () => {},
    command: () => {},
    history: null,
  });
  host.start();
  virtual.advanceBy(runMs);
  host.stop();
  const after = { ...seen };
  virtual.advanceBy(60_000);
  return { seen: after, later: seen, counts };
}

describe("the host's timers", () => {
  it('are kept only while they wait: stop() cancels the waiting ones, none of the spent', () => {
    const { seen, later, counts } = run(600_000, 2_000);
    expect(seen).toEqual({ quotes: 600, ticks: 300 });
    expect(counts.scheduled).toBe(601 + 301);
    // The sampling's and the onTimer's next timers, waiting when the host stopped.
    expect(counts.cancelled).toBe(2);
    expect(counts.spentCancelled).toBe(0);
    // Nothing reaches the strategy once it stopped.
    expect(later).toEqual(seen);
  });
});
