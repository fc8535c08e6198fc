// A live run's clock reads the process's Date.now, which the host's guard takes away while a
// strategy's code runs: the host reads the run's clock for the strategy outside its guard, so the
// realm's Date, Date.now kept from import and the context's now() all answer with the run's time.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SchedulerLike, Subscription } from 'rxjs';
import { VirtualClock } from '../core/clock/virtual-clock.ts';
import type { ExecEvent } from '../core/model/events.ts';
import { makeInstrument } from '../core/model/instrument.ts';
import { OrderLedger } from '../core/order/order-ledger.ts';
import type { MarketDataPort } from '../core/ports/broker.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { NodeCommand } from '../node/node-commands.ts';
import { loadStrategy } from './load-strategy.ts';
import { StrategySlot } from './strategy-slot.ts';

const BTC = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });
const market: MarketDataPort = {
  topOfBook: () => ({ bid: 6_100_000, bidQty: 100_000, ask: 6_100_002, askQty: 100_000 }),
  window: () => ({ vwap: null, twapMid: null, volume: 0 }),
  lastUpdateAt: () => null,
};

/** A virtual clock that, like the wall clock, reads the process's Date.now to tell the time. */
class DateReadingClock implements Clock {
  constructor(private readonly inner: VirtualClock) {}
  now(): number {
    return Date.now() >= 0 ? this.inner.now() : Number.NaN;
  }
  get scheduler(): SchedulerLike {
    return this.inner.scheduler;
  }
  schedule(work: () => void, delayMs: number): Subscription {
    return this.inner.schedule(work, delayMs);
  }
  post<A>(work: (arg: A) => void, delayMs: number, arg?: A): void {
    this.inner.post(work, delayMs, arg as A);
  }
}

describe("the run's clock read for a strategy", () => {
  it('answers inside its calls even when reading it reads Date.now', () => {
    const inner = new VirtualClock(Date.UTC(2024, 7, 9));
    const events: ExecEvent[] = [];
    const commands: NodeCommand[] = [];
    const strategy = loadStrategy({
      module: 'own-realm.ts',
      path: resolve('test/fixtures/strategies/own-realm.ts'),
      params: {},
      warmupTimeoutMs: 0,
      onFailure: { killSwitch: 'halted', cancelParents: true },
    });
    const slot = new StrategySlot({
      strategy,
      seed: 5,
      clock: new DateReadingClock(inner),
      marketData: market,
      instruments: [BTC],
      ledger: new OrderLedger(),
      record: (e) => events.push(e),
      command: (_label, c) => commands.push(c),
      history: null,
      prior: [],
      candidate: () => null,
    });
    slot.start();
    inner.advanceBy(70_000);
    expect(events.filter((e) => e.kind === 'StrategyFailed')).toEqual([]);
    const ids = commands.flatMap((c) => (c.kind === 'EmitSignal' ? [c.signal.signalId] : []));
    expect(ids.map((id) => id.replace(/-r\d+-/, '-r-'))).toEqual([
      't10000-10000-10000-pundefined-r-4',
      't10000-10000-10000-pundefined-r-6',
    ]);
  });
});
