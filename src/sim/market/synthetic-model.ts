// Synthetic market: a random-walk mid redrawn every step into a book with a depth profile around
// it, handed to the venue as a grid, with spread regimes and other participants' trades; all
// draws come from the model's own Rng sub-streams. How each part is drawn, and steps deferred
// while the book is quiet: docs/0069-core-and-simulator-notes.md.
import type { Rng } from '../../core/clock/rng.ts';
import type { Side } from '../../core/model/order.ts';
import type { Clock, ClockSlot } from '../../core/ports/clock.ts';
import type { FaultSchedule } from '../faults.ts';
import type { GridMarketSink, MarketModel } from './market-model.ts';
import { DrawnBook } from './drawn-book.ts';
import { noWarnings, PriceFloor, type WarnFn } from './price-floor.ts';
import { AHEAD_CAP, WalkAhead } from './walk-ahead.ts';

export interface SyntheticSpec {
  /** Starting mid, ticks. */
  readonly initialMid: number;
  readonly walk: 'arithmetic' | 'geometric';
  /** arithmetic: ticks per sqrt(second); geometric: log-return per sqrt(second). */
  readonly sigma: number;
  readonly stepMs: number;
  /** Spread regimes (ticks); the first is where the run starts. One entry = constant spread. */
  readonly regimes: ReadonlyArray<{ readonly spreadTicks: number; readonly meanDurationMs: number }>;
  /** Lots per level, best first (the same profile on both sides). */
  readonly depth: readonly number[];
  /** Ticks between displayed levels (1 = every tick; a thin book has gaps). */
  readonly levelSpacingTicks: number;
  /** Other participants' trades; null for none. */
  readonly trades: { readonly ratePerSec: number; readonly meanQty: number } | null;
}

/** While deferring, the model catches up and asks again whether it may at least this often. */
const CATCH_UP_MS = 60_000;
/** Deferring starts (or goes on) only for at least this many steps: fewer cost more in starting
 *  and ending than they save. */
const MIN_DEFER_STEPS = 4;

export class SyntheticModel implements MarketModel {
  /** The mid (ticks, fractional) in a typed array: a double field would box a new number on
   *  every step's write. */
  private readonly midCell = new Float64Array(1);
  private get mid(): number {
    return this.midCell[0] as number;
  }
  private set mid(x: number) {
    this.midCell[0] = x;
  }
  private regime = 0;
  private regimeEndsAt = 0;
  /** The book as last drawn, as numbers (and shown to the venue when it is in step). */
  private readonly book: DrawnBook;
  /** The walk's normals, drawn ahead of their steps where deferring looks at the mids to come. */
  private readonly walk: WalkAhead;
  private readonly regimeRng: Rng;
  private readonly tradeRng: Rng;
  private readonly midFloor: PriceFloor;
  /** Steps and trades are data, not clock entries (see the top of the file). */
  private deferred = false;
  /** Bumped whenever the posted trade stops counting (the model starts or stops deferring): a
   *  posted trade whose generation is older does nothing. */
  private generation = 0;
  private nextTradeAt = Infinity;
  private catchingUp = false;
  /** The trade drawTrade() drew last. */
  private tradeSide: Side = 'buy';
  private tradeQty = 0;
  /** The widest spread of any regime, ticks. */
  private readonly widestSpread: number;
  /** What deferSteps' bounds add to the mids to come: the widest spread (ticks, with a margin)
   *  and the book's depth in ticks. */
  private readonly deferReach: { readonly maxSpread: number; readonly span: number };
  /** The steps deferring may look at: a catch-up's worth, within the ring. */
  private readonly maxDeferSteps: number;
  /** The range the venue vouched for (canDefer) when deferring last took its steps: while it
   *  still does, the steps counted on since are clear. */
  private vouchedLow = 0;
  private vouchedHigh = 0;
  /** The due time of the next step not yet drawn (posted, or counted next by the slot), and the
   *  last step deferring vouched for: its handler runs there, however often the market is
   *  caught up before (a catch-up takes the slot's count, and the count's window with it). */
  private nextStepAt = 0;
  private deferUntil = 0;
  /** Where the next step is posted: a clock slot where the clock has them (one pending step at
   *  a time, ordered as a post, without a queue insertion per step), else the clock itself. */
  private readonly steps: ClockSlot;
  /** The steps' slot when it can repeat (a virtual clock's, ClockSlot.repeat): while deferring it
   *  counts the steps' times itself, and the step handler runs only when a catch-up is due.
   *  Without one the model never defers. */
  private readonly repeating: Required<ClockSlot> | null;

  constructor(
    private readonly clock: Clock,
    rng: Rng,
    private readonly sink: GridMarketSink,
    private readonly faults: FaultSchedule,
    private readonly spec: SyntheticSpec,
    warn: WarnFn = noWarnings,
  ) {
    if (spec.regimes.length === 0) throw new Error('synthetic model needs at least one spread regime');
    this.mid = spec.initialMid;
    this.walk = new WalkAhead(rng.stream('walk'));
    this.regimeRng = rng.stream('regime');
    this.tradeRng = rng.stream('trades');
    this.midFloor = new PriceFloor('the mid', warn);
    this.book = new DrawnBook(spec.depth, spec.levelSpacingTicks, sink, warn);
    this.widestSpread = Math.max(...spec.regimes.map((r) => r.spreadTicks));
    this.deferReach = {
      maxSpread: this.widestSpread * faults.maxSpreadFactor() + 2,
      span: (spec.depth.length - 1) * spec.levelSpacingTicks,
    };
    this.maxDeferSteps = Math.max(1, Math.min(AHEAD_CAP, Math.floor(CATCH_UP_MS / spec.stepMs)));
    this.steps = clock.slot?.() ?? clock;
    const steps = this.steps;
    this.repeating =
      steps.repeat !== undefined &&
      steps.stopRepeating !== undefined &&
      steps.takeRepeats !== undefined &&
      steps.firstRepeatAt !== undefined
        ? (steps as Required<ClockSlot>)
        : null;
  }

  /** One model step, posted every stepMs (created once, so it posts no closure). While the
   *  model defers, the slot only counts the steps (their places among same-time work stay
   *  exactly where a step's are) and runs this at the last step deferring was sure of: it
   *  catches up and asks again how far it may go on. */
  private readonly stepHandler = (): void => {
    if (this.deferred) {
      this.catchUp();
      this.deferAgain();
      return;
    }
    this.step();
    this.drawBook();
    // A drawing that can touch nothing of ours, over a shown one that could not either, stays
    // here until something reaches the matching engine (catchUpBook) or a drawing can: the
    // venue's book would only have been redrawn over prices where none of ours rest.
    if (this.quietNow()) this.book.drawnQuietly();
    else this.book.show();
    this.steps.post(this.stepHandler, this.spec.stepMs);
    this.nextStepAt = this.clock.now() + this.spec.stepMs;
    this.deferIfQuiet();
  };

  start(): void {
    this.regimeEndsAt = this.clock.now() + this.duration(0);
    this.rebuild();
    this.steps.post(this.stepHandler, this.spec.stepMs);
    this.nextStepAt = this.clock.now() + this.spec.stepMs;
    if (this.spec.trades && this.spec.trades.ratePerSec > 0) this.scheduleTrade();
  }

  jump(bps: number): void {
    this.catchUp();
    this.mid = this.midFloor.hold(this.mid * (1 + bps / 10_000), `a price jump of ${bps} bps`);
    this.rebuild();
    // The mids to come moved with it: deferring asks again how far it may go.
    if (this.deferred) this.deferAgain();
  }

  /** Current mid in ticks (fractional). */
  midTicks(): number {
    return this.mid;
  }

  private duration(regime: number): number {
    const r = this.spec.regimes[regime] as { meanDurationMs: number };
    return this.spec.regimes.length === 1 ? Infinity : this.regimeRng.exponential(r.meanDurationMs);
  }

  /** The walk and the spread regime at a step (the book is drawn by the caller). */
  private step(): void {
    const dt = this.spec.stepMs / 1000;
    const z = this.walk.next();
    const { sigma } = this.spec;
    if (this.spec.walk === 'arithmetic') this.mid += sigma * Math.sqrt(dt) * z;
    else this.mid *= Math.exp(sigma * Math.sqrt(dt) * z - 0.5 * sigma * sigma * dt);
    this.mid = this.midFloor.hold(this.mid, 'the random walk');
    const now = this.clock.now();
    while (now >= this.regimeEndsAt) {
      const n = this.spec.regimes.length;
      this.regime = (this.regime + 1 + this.regimeRng.int(n - 1)) % n;
      this.regimeEndsAt += this.duration(this.regime);
    }
  }

  /** The book drawn at now and shown to the venue. */
  private rebuild(): void {
    this.drawBook();
    this.book.show();
  }

  /** The book at now from the mid, the spread regime and the faults (numbers only). */
  private drawBook(): void {
    const now = this.clock.now();
    const base = (this.spec.regimes[this.regime] as { spreadTicks: number }).spreadTicks;
    const spread = Math.max(1, Math.round(base * this.faults.spreadFactor(now)));
    this.book.draw(this.mid, spread, this.faults.depthFactor(now));
  }

  private scheduleTrade(): void {
    const rate = (this.spec.trades as { ratePerSec: number }).ratePerSec;
    const delay = this.tradeRng.exponential(1000 / rate);
    this.nextTradeAt = this.clock.now() + delay;
    if (!this.deferred) this.clock.post(this.tradeHandler, delay, this.generation);
  }

  /** One posted trade and the next one's scheduling; created once, so a trade posts no closure. */
  private readonly tradeHandler = (generation: number): void => {
    if (generation !== this.generation) return;
    this.trade();
    this.scheduleTrade();
    if (!this.deferred) this.deferIfQuiet();
  };

  // ---- deferring ---------------------------------------------------------------------

  /**
   * How many of the next steps (from the one after the last drawn) may be kept as data, at most
   * a catch-up's worth; 0 when fewer than MIN_DEFER_STEPS. They may while the clock can replay,
   * none of their mids comes near the one-tick floor (a floor warning is logged at its own time,
   * so it cannot fall inside a replay), and the venue says nothing of ours can be touched by a
   * book drawn at any of them (no resting order of ours within reach of the deepest level on its
   * side, no stop waiting: SimVenue.canDefer). The mids are the walk's own, from the normals
   * drawn ahead (WalkAhead); each side of the range adds the widest spread, the book's depth and a
   * margin for rounding (the walk adds its moves one by one, this sums them). The number of
   * steps is found by doubling and then halving, so its cost is about the steps it allows.
   */
  private deferSteps(): number {
    if (this.repeating === null || this.clock.replayAt === undefined || this.sink.canDefer === undefined) return 0;
    // Every range asked below holds the book as drawn now: it spans the widest spread and the
    // book's depth around the lowest and highest of mids that include now's (the moves summed from
    // 0). A range that holds a touching one touches too, so when the venue says the drawing now
    // can touch something of ours, no scan is clear: a resting child within reach of the book
    // fails here without one (the walk's normals are drawn ahead later as they would be now).
    if (!this.sink.canDefer(this.book.lowestBid(), this.book.highestAsk())) return 0;
    const max = this.maxDeferSteps;
    const dt = this.spec.stepMs / 1000;
    const { sigma } = this.spec;
    const arithmetic = this.spec.walk === 'arithmetic';
    const scale = sigma * Math.sqrt(dt);
    const drift = arithmetic ? 0 : 0.5 * sigma * sigma * dt;
    this.walk.begin(scale, drift);
    let good = 0;
    let probe = Math.min(MIN_DEFER_STEPS, max);
    for (;;) {
      if (!this.clearFor(probe, arithmetic)) break;
      good = probe;
      if (probe === max) return max;
      probe = Math.min(2 * probe, max);
    }
    if (good < MIN_DEFER_STEPS) return 0;
    // Clear for `good` steps, not for `probe`: the most in between.
    let bad = probe;
    while (bad - good > 1) {
      const m = (good + bad) >>> 1;
      if (this.clearFor(m, arithmetic)) good = m;
      else bad = m;
    }
    // The range vouched for is the last one asked that was clear: `good`'s.
    this.clearFor(good, arithmetic);
    return good;
  }

  /** Whether the next `k` steps of the scan deferSteps began are clear (rangeClear of the lowest
   *  and highest the walk's moves summed over them reach). */
  private clearFor(k: number, arithmetic: boolean): boolean {
    return this.rangeClear(this.walk.lowestMove(k), this.walk.highestMove(k), arithmetic);
  }

  /** Whether mids moved from now's by `lo` to `hi` (ticks, or log-returns for a geometric walk)
   *  keep off the floor and draw no book that can touch anything of ours. */
  private rangeClear(lo: number, hi: number, arithmetic: boolean): boolean {
    const { maxSpread, span } = this.deferReach;
    const mid = this.mid;
    // A margin for the difference between the walk's step-by-step sums (or products) and these.
    const margin = 1 + 1e-9 * mid;
    const lowMid = (arithmetic ? mid + lo : mid * Math.exp(lo)) - margin;
    const highMid = (arithmetic ? mid + hi : mid * Math.exp(hi)) + margin;
    if (!(lowMid - maxSpread > 1)) return false;
    // A best bid is at least the mid less half the spread, less a tick of rounding; a best ask at
    // most the mid plus half the spread; the book spans its levels beyond them.
    const lowBid = Math.floor(lowMid - maxSpread) - span;
    const highAsk = Math.ceil(highMid + maxSpread) + span;
    if (!(this.sink.canDefer as (l: number, h: number) => boolean)(lowBid, highAsk)) return false;
    this.vouchedLow = lowBid;
    this.vouchedHigh = highAsk;
    return true;
  }

  /** Keeps the next `n` steps (n >= 1) as data: the slot counts them and runs the step handler at
   *  the last (half a step early in the bound, so a period summed in floating point cannot carry
   *  it one step past the steps deferSteps vouched for). */
  private deferFor(n: number): void {
    this.deferUntil = this.nextStepAt + (n - 1) * this.spec.stepMs;
    (this.repeating as Required<ClockSlot>).repeat(this.spec.stepMs, (n - 1.5) * this.spec.stepMs);
  }

  /** Starts deferring when it may: the posted trade stops counting (steps go on as counts). */
  private deferIfQuiet(): void {
    const n = this.deferSteps();
    if (n === 0) return;
    this.deferred = true;
    this.generation++;
    this.deferFor(n);
  }

  /** While deferring, caught up: goes on for as many steps as are clear, or stops. */
  private deferAgain(): void {
    const n = this.deferSteps();
    if (n === 0) this.postAgain();
    else this.deferFor(n);
  }

  /** Stops deferring (nothing is pending: the caller caught up): the book is put in step and
   *  the next trade is posted (trades walk the book again). */
  private postAgain(): void {
    this.book.settle();
    this.deferred = false;
    this.generation++;
    (this.repeating as Required<ClockSlot>).stopRepeating();
    if (this.nextTradeAt !== Infinity)
      this.clock.post(this.tradeHandler, this.nextTradeAt - this.clock.now(), this.generation);
  }

  /** One of our orders may rest now (the venue asks after its matching engine took a request,
   *  which caught the market up): the steps deferring counted on are asked about again. */
  wake(): void {
    // Nothing of ours came within the range deferring counted on: its steps stay clear.
    if (!this.deferred || (this.sink.canDefer as (l: number, h: number) => boolean)(this.vouchedLow, this.vouchedHigh))
      return;
    this.catchUp();
    this.deferAgain();
  }

  /**
   * Applies the steps counted and the trades due before now, each at its time, in time order,
   * on the model's own numbers (quietStep, quietTrade): what they leave visible (the tops they
   * published towards our delayed view, the tape, the last trade price) is applied as it goes,
   * but the book the venue shows is drawn only when something reaches the matching engine
   * (catchUpBook). Trades while the book is still in step with the model walk the book.
   */
  catchUp(): void {
    if (!this.deferred || this.catchingUp) return;
    const clock = this.clock as Clock & { replayAt(time: number, work: () => void): void };
    const now = clock.now();
    // The steps whose times came since the last catch-up (the slot counted them), from the first.
    const steps = this.repeating as Required<ClockSlot>;
    let at = steps.firstRepeatAt();
    let pending = steps.takeRepeats();
    if (pending === 0 && !(this.nextTradeAt < now)) return;
    const replaysSteps = pending > 0;
    this.catchingUp = true;
    this.sink.catchUpStarted?.();
    try {
      // Step times summed exactly as the posted steps' due times are.
      while (pending > 0 || this.nextTradeAt < now) {
        if (pending > 0 && at <= this.nextTradeAt) {
          clock.replayAt(at, this.quietStep);
          pending--;
          at += this.spec.stepMs;
        } else {
          clock.replayAt(this.nextTradeAt, this.book.behind ? this.quietTradeNow : this.replayTrade);
        }
      }
    } finally {
      this.catchingUp = false;
      this.sink.catchUpEnded?.();
    }
    if (replaysSteps) {
      // The count started again from the next step: its handler still runs at the last step
      // deferring vouched for (half a step early in the bound, as in deferFor).
      this.nextStepAt = at;
      steps.repeat(this.spec.stepMs, this.deferUntil - at - this.spec.stepMs / 2);
    }
  }

  /** catchUp(), then the book the venue shows put in step with the model: before a request or
   *  an order reaches the matching engine, or a fault acts on the book. */
  catchUpBook(): void {
    this.catchUp();
    this.book.settle();
  }

  private readonly replayTrade = (): void => {
    this.trade();
    this.scheduleTrade();
  };

  /** A step the venue is not shown: the walk, the regime, the book's numbers, and the top it
   *  would have shown published. */
  private readonly quietStep = (): void => {
    this.step();
    this.drawBook();
    this.book.drawnQuietly();
  };

  private readonly quietTradeNow = (): void => {
    this.drawTrade();
    this.book.walkQuietly(this.tradeSide, this.tradeQty);
    this.scheduleTrade();
  };

  /** Another participant's market order walks the displayed book (the drawing's numbers while
   *  the venue has not been shown it: quietNow). */
  private trade(): void {
    this.drawTrade();
    if (this.book.behind) this.book.walkQuietly(this.tradeSide, this.tradeQty);
    else this.book.walkVenue(this.tradeSide, this.tradeQty);
  }

  /**
   * Whether the step just drawn may be kept from the venue: the venue says nothing of ours can
   * be touched while no bid level is shown under the lower of this drawing's and the shown
   * drawing's lowest bid, and no ask level over the higher of their highest asks (SimVenue's
   * canDefer: our resting orders out of that range, no stop waiting, a fixed market-data delay).
   * Unlike deferring (deferSteps) this looks at no step ahead: each step asks again, at its time.
   */
  private quietNow(): boolean {
    const sink = this.sink;
    // Only where the model may defer at all (a clock that replays: a backtest's), where whatever
    // reads the venue's book asks it to catch up first; a gateway on the wall clock reads it as
    // it stands.
    if (this.repeating === null || this.clock.replayAt === undefined) return false;
    if (sink.canDefer === undefined || sink.publishTop === undefined || sink.quietTrade === undefined) return false;
    return sink.canDefer(this.book.lowestBidReach(), this.book.highestAskReach());
  }

  /** The side and size (lots, at least one) of another participant's market order, into
   *  tradeSide and tradeQty (no pair allocated per trade). */
  private drawTrade(): void {
    this.tradeSide = this.tradeRng.next() < 0.5 ? 'buy' : 'sell';
    this.tradeQty = Math.max(
      1,
      Math.round(this.tradeRng.exponential((this.spec.trades as { meanQty: number }).meanQty)),
    );
  }
}
