// Our market-data view of the simulated venue: the venue's top of book reaching us after the
// market-data latency, in order, frozen while quotes are stale (a top sent then is never sent, one
// arriving then is dropped). On a virtual clock nothing is posted: a top waits in a ring with its
// arrival time and its place in the clock's order, and is applied when the view is next read,
// exactly where its delivery would have run; a wall clock posts each delivery.
import type { TopOfBook } from '../../core/ports/broker.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { FaultSchedule } from '../faults.ts';
import type { LatencyModel } from '../latency-model.ts';
import { NO_PRICE, TopRing } from './top-ring.ts';

/**
 * A channel that keeps its own order: nothing sent on it arrives before what was sent earlier.
 * Each send reads the clock once and works out both the arrival time and the delay from that
 * reading (a second reading, taken later, would shorten the delay and let the message overtake
 * one sent before it). On a clock that can order unposted work (a virtual clock: orderMark), posted
 * work runs by due time, ties in the order posted, and now() stands still within a piece of work,
 * so each message is posted to run as its own delivery. On other clocks (the gateway's wall clock)
 * the clock takes its own reading of now() when the message is posted, which may be a millisecond
 * past this one, so a message's delivery can come due after the next message's: there each
 * delivery hands over the oldest message still on the channel, whichever delivery runs first.
 */
export class Channel {
  private last = -Infinity;
  /** Whether each posted delivery is its own message's (see above). */
  private readonly ordered: boolean;
  /** Messages sent and not yet delivered, oldest first (clocks that are not `ordered`). */
  private readonly queue: Array<() => void> = [];
  constructor(private readonly clock: Clock) {
    this.ordered = clock.orderMark !== undefined;
  }
  /** Delivers `fn` after `delay`, never before anything this channel delivered earlier. */
  send(delay: number, fn: () => void): void {
    const now = this.clock.now();
    const at = this.take(now + delay);
    if (this.ordered) {
      this.clock.post(fn, at - now);
      return;
    }
    this.clock.post(this.deliverOldest, at - now);
    this.queue.push(fn);
  }

  /** The time a message sent now with `delay` arrives (taken: later messages come after it). */
  reserve(delay: number): number {
    return this.take(this.clock.now() + delay);
  }

  /** Takes arrival time `at`, or the last one taken if that is later. */
  private take(at: number): number {
    const t = Math.max(at, this.last);
    this.last = t;
    return t;
  }

  private readonly deliverOldest = (): void => {
    const fn = this.queue.shift();
    fn?.();
  };
}

const EMPTY_TOP: TopOfBook = { bid: null, bidQty: 0, ask: null, askQty: 0 };

export class MarketDataFeed {
  private readonly data: Channel;
  /** Our view's top as numbers (bid, bidQty, ask, askQty; NO_PRICE for a missing side), and
   *  the object top() hands out, built when the view changed since it was last asked. */
  private readonly viewTop = new Float64Array([NO_PRICE, 0, NO_PRICE, 0]);
  private view: TopOfBook | null = EMPTY_TOP;
  private viewAt: number | null = null;
  private readonly inFlight = new TopRing();
  /** The top last sent towards our view (as viewTop); `publishedValid` false when the view may be
   *  behind it (quotes were stale). */
  private readonly published = new Float64Array([NO_PRICE, 0, NO_PRICE, 0]);
  private publishedValid = true;
  /** During a catch-up: the last top published that arrives before its end (bid, bidQty, ask,
   *  askQty, arrival), not yet in the ring. */
  private readonly held = new Float64Array(5);
  private holding = false;
  private heldUntil = -Infinity;
  /** Whether the market-data delay is fixed (sampling it draws nothing), and that delay: read
   *  once instead of sampled for every top. */
  private readonly fixed: boolean;
  private readonly fixedDelayMs: number;

  constructor(
    private readonly clock: Clock,
    private readonly latency: LatencyModel,
    private readonly faults: FaultSchedule,
  ) {
    this.data = new Channel(clock);
    this.fixed = latency.fixed('marketData');
    this.fixedDelayMs = this.fixed ? latency.sample('marketData') : 0;
  }

  /** Our view's top of book now. */
  top(): TopOfBook {
    this.settleView();
    if (this.view === null) {
      const v = this.viewTop;
      const bid = v[0] as number;
      const ask = v[2] as number;
      this.view = {
        bid: bid === NO_PRICE ? null : bid,
        bidQty: v[1] as number,
        ask: ask === NO_PRICE ? null : ask,
        askQty: v[3] as number,
      };
    }
    return this.view;
  }

  /** When our view last changed (the arrival of its top), or null. */
  lastUpdateAt(): number | null {
    this.settleView();
    return this.viewAt;
  }

  /** Whether a publisher may keep its tops as data: a drawn delay would take its draws from the
   *  latency stream out of turn. */
  fixedDelay(): boolean {
    return this.fixed;
  }

  /** The venue's top of book now, sent towards our view if it differs from the last one sent. */
  publish(bid: number | null, bidQty: number, ask: number | null, askQty: number): void {
    const bidN = bid === null ? NO_PRICE : bid;
    const askN = ask === null ? NO_PRICE : ask;
    this.settleView();
    const p = this.published;
    if (this.publishedValid && p[0] === bidN && p[2] === askN && p[1] === bidQty && p[3] === askQty) return;
    // While quotes are stale nothing is sent, and a top that arrives stale is dropped: either
    // way the view is behind, so the first refresh after the window sends the current top.
    if (this.faults.quotesStale(this.clock.now())) {
      this.publishedValid = false;
      return;
    }
    p[0] = bidN;
    p[1] = bidQty;
    p[2] = askN;
    p[3] = askQty;
    this.publishedValid = true;
    const delay = this.fixed ? this.fixedDelayMs : this.latency.sample('marketData');
    const clock = this.clock;
    if (clock.orderMark !== undefined && clock.hasRun !== undefined) {
      // On a virtual clock the top is not posted: it waits in the ring with its arrival time and
      // its place in the clock's order, and is applied when the view is next read, exactly where
      // its delivery would have run.
      const at = this.data.reserve(delay);
      if (at < this.heldUntil) {
        // Arrived before the end of a deferring market's catch-up, where only the last such top
        // can still be seen: held, replacing the one held before it. (One arriving at that very
        // instant may not have been delivered yet to the work now running: it goes in the ring.)
        const h = this.held;
        h[0] = bidN;
        h[1] = bidQty;
        h[2] = askN;
        h[3] = askQty;
        h[4] = at;
        this.holding = true;
        return;
      }
      this.pushHeld();
      this.inFlight.push(bidN, bidQty, askN, askQty, at, clock.orderMark());
    } else {
      this.inFlight.push(bidN, bidQty, askN, askQty, 0, 0);
      this.data.send(delay, this.deliverTop);
    }
  }

  /**
   * A deferring market's catch-up starts (see DeferringMarket in sim-venue.ts): until catchUpEnded(), of the tops
   * published that arrive before now only the last is kept (the others are replaced in our view
   * before anyone reads it), when no stale-quote window can drop one (then every arrival counts).
   */
  catchUpStarted(): void {
    if (this.clock.orderMark !== undefined && !this.faults.hasStaleQuotes()) this.heldUntil = this.clock.now();
  }

  catchUpEnded(): void {
    this.pushHeld();
    this.heldUntil = -Infinity;
  }

  private pushHeld(): void {
    if (!this.holding) return;
    const h = this.held;
    this.inFlight.push(
      h[0] as number,
      h[1] as number,
      h[2] as number,
      h[3] as number,
      h[4] as number,
      (this.clock.orderMark as () => number)(),
    );
    this.holding = false;
  }

  /** Applies every top in flight whose delivery has run by now (virtual clocks). */
  private settleView(): void {
    const clock = this.clock;
    const ring = this.inFlight;
    if (ring.size === 0 || clock.hasRun === undefined) return;
    while (ring.size > 0 && clock.hasRun(ring.headAt(), ring.headMark())) this.arrive(ring.headAt());
  }

  /** A top sent by publish reaches our view at `at` (the oldest in flight). */
  private arrive(at: number): void {
    if (!this.faults.quotesStale(at)) {
      this.inFlight.shift(this.viewTop);
      this.view = null;
      this.viewAt = at;
    } else {
      this.inFlight.shift(this.dropped);
      this.publishedValid = false;
    }
  }

  /** The posted delivery on a clock that cannot order unposted work (a wall clock). */
  private readonly deliverTop = (): void => this.arrive(this.clock.now());
  private readonly dropped = new Float64Array(4);
}
