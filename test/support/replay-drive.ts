// Drives the replay market model over a list of messages on a virtual clock, against a plain
// displayed book, and watches the book the venue would show at every level update and after every
// message: the harness of test/replay/replay-model.test.ts.
import { VirtualClock } from '../../src/core/clock/virtual-clock.ts';
import { L2Book } from '../../src/sim/book/l2-book.ts';
import type { MarketSink } from '../../src/sim/market/market-model.ts';
import { ReplayModel, type ReplayEvent, type ReplayOptions } from '../../src/sim/market/replay-model.ts';
import type { BinanceMessage } from '../../src/sim/replay/binance-messages.ts';

/** The displayed book as the venue holds it, with every crossed or locked state counted. */
export class WatchedBook implements MarketSink {
  readonly book = new L2Book();
  levelUpdates = 0;
  /** Level updates after which the displayed best bid was above / equal to the best ask. */
  crossedAtUpdate = 0;
  lockedAtUpdate = 0;
  trades: Array<[number, number, string]> = [];

  setLevel(side: 'bid' | 'ask', price: number, qty: number): void {
    this.book.set(side, price, qty);
    this.levelUpdates++;
    const state = this.state();
    if (state === 'crossed') this.crossedAtUpdate++;
    else if (state === 'locked') this.lockedAtUpdate++;
  }
  marketTrade(price: number, qty: number, aggressor: string): void {
    this.trades.push([price, qty, aggressor]);
  }
  refreshTop(): void {}
  levelQty(side: 'bid' | 'ask', price: number): number {
    return this.book.qty(side, price);
  }
  best(side: 'bid' | 'ask'): number | null {
    return side === 'bid' ? this.book.bestBid() : this.book.bestAsk();
  }
  available(side: 'bid' | 'ask', price: number): number {
    return this.book.qty(side, price);
  }
  state(): 'ok' | 'crossed' | 'locked' {
    const bid = this.book.bestBid();
    const ask = this.book.bestAsk();
    if (bid === null || ask === null || bid < ask) return 'ok';
    return bid > ask ? 'crossed' : 'locked';
  }
}

export interface Driven {
  readonly model: ReplayModel;
  readonly sink: WatchedBook;
  readonly events: ReplayEvent[];
  readonly clock: VirtualClock;
}

/**
 * Replays `messages` from `startMs` (default: the first message's time) until `untilMs`, or until
 * the clock is idle; `after(m, driven)` runs once each message has been applied, before the next
 * one is.
 */
export function drive(
  messages: Iterable<BinanceMessage>,
  options: ReplayOptions & { startMs?: number; untilMs?: number; after?: (m: BinanceMessage, d: Driven) => void } = {},
): Driven {
  const it = messages[Symbol.iterator]();
  let last: BinanceMessage | null = null;
  let first: BinanceMessage | null = null;
  const head = it.next();
  if (!head.done) first = head.value;
  const events: ReplayEvent[] = [];
  const sink = new WatchedBook();
  const clock = new VirtualClock(options.startMs ?? first?.recvMs ?? 0);
  let started = false;
  const source = {
    // The model asks for the next message only once it has applied the previous one.
    next(): BinanceMessage | null {
      if (last !== null && options.after) options.after(last, driven);
      if (!started) {
        started = true;
        last = first;
      } else {
        const n = it.next();
        last = n.done ? null : n.value;
      }
      return last;
    },
  };
  const model = new ReplayModel(clock, sink, source, (e) => events.push(e), options);
  const driven: Driven = { model, sink, events, clock };
  model.start();
  if (options.untilMs === undefined) clock.runUntilIdle();
  else clock.advanceTo(options.untilMs);
  return driven;
}
