// Synthetic market: a random-walk mid (arithmetic: ticks per sqrt(second); geometric: log-return
// per sqrt(second)), redrawn every step into a book with a depth profile around it (each side a
// grid: best price, level spacing, one quantity per level, handed to the venue in one call, so a
// step costs a few numbers and no per-level writes); the spread
// follows Markov regimes (each lasting an exponential time) scaled by spread-shift faults; depth
// is scaled by liquidity-drop faults; other participants' trades arrive as a Poisson process with
// exponential sizes, hit the book and shrink the levels they take. All draws come from the
// model's own Rng sub-streams ('walk', 'regime', 'trades'). A mid or displayed bid below one
// tick is held at one tick, with a ModelWarning each time it goes under.
// While the book is quiet (none of our orders rest, no stop waits: SimVenue.canDefer) and the
// price is far from that floor, steps and trades are kept as data: a step still fires on the
// clock but is only counted (its place among same-instant work is what keeps their order exact),
// the next trade's time is kept instead of posted; both are applied when the market is next read
// (catchUp, called by the venue before any read and before an order reaches its matching
// engine), each at its own time (VirtualClock.replayAt), with the same draws in the same order.
// A catch-up works every step and trade out from the model's own numbers and leaves only what
// was visible: the tops they published towards our delayed view, the tape, the last trade price.
// The book the venue shows is drawn from those numbers only when something reaches its matching
// engine (catchUpBook: the last step's levels less what the trades since took). The run is the
// same, draw for draw and event for event, as one that posts every step (the digests prove it).
import type { Rng } from '../../core/clock/rng.ts';
import type { Side } from '../../core/model/order.ts';
import type { Clock, ClockSlot } from '../../core/ports/clock.ts';
import type { FaultSchedule } from '../faults.ts';
import type { GridMarketSink, MarketModel } from './market-model.ts';
import { noWarnings, PriceFloor, ticksText, type WarnFn } from './price-floor.ts';

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
/** How far from the one-tick floor (in standard deviations of the walk over a check's horizon)
 *  the price must be for steps to be kept as data. */
const FLOOR_SIGMAS = 12;

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
  /** The depth factor the level quantities were last computed for. */
  private levelsFactor = NaN;
  private regime = 0;
  private regimeEndsAt = 0;
  /** The book as last drawn: best prices, the levels the bid side has (prices of at least one
   *  tick), and the lots of each level (0: none), the same on both sides. */
  private bestBid = 0;
  private bestAsk = 0;
  private bidLevels = 0;
  private readonly levelQty: Float64Array;
  private readonly walkRng: Rng;
  private readonly regimeRng: Rng;
  private readonly tradeRng: Rng;
  private readonly midFloor: PriceFloor;
  private readonly bidFloor: PriceFloor;
  /** Steps and trades are data, not clock entries (see the top of the file). */
  private deferred = false;
  /** Bumped whenever the posted trade stops counting (the model starts or stops deferring): a
   *  posted trade whose generation is older does nothing. */
  private generation = 0;
  /** Steps whose time came while deferring, not yet applied, and the first one's time. */
  private pendingSteps = 0;
  private firstPendingAt = 0;
  private nextTradeAt = Infinity;
  private catchingUp = false;
  /** The book the venue shows is behind the model: steps since it was drawn were worked out
   *  from the model's numbers (settleBook draws it). */
  private bookStale = false;
  /** Displayed lots taken per level by trades worked out from the model's numbers since the
   *  last step so worked out (bid levels first, then ask levels). */
  private readonly taken: Float64Array;
  /** Whether any of `taken` is non-zero (most steps see no trade before the next). */
  private takenAny = false;
  /** The widest spread of any regime, ticks. */
  private readonly widestSpread: number;
  /** Where the next step is posted: a clock slot where the clock has them (one pending step at
   *  a time, ordered as a post, without a queue insertion per step), else the clock itself. */
  private readonly steps: ClockSlot;

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
    this.walkRng = rng.stream('walk');
    this.regimeRng = rng.stream('regime');
    this.tradeRng = rng.stream('trades');
    this.midFloor = new PriceFloor('the mid', warn);
    this.bidFloor = new PriceFloor('the displayed best bid', warn);
    this.levelQty = new Float64Array(spec.depth.length);
    this.taken = new Float64Array(2 * spec.depth.length);
    this.widestSpread = Math.max(...spec.regimes.map((r) => r.spreadTicks));
    this.steps = clock.slot?.() ?? clock;
  }

  /** One model step, posted every stepMs (created once, so it posts no closure). While the
   *  model defers, the step is only counted: its place among same-time work stays exactly
   *  where a step's is, and catchUp applies it. */
  private readonly stepHandler = (): void => {
    if (this.deferred) {
      if (this.pendingSteps === 0) this.firstPendingAt = this.clock.now();
      this.pendingSteps++;
      this.steps.post(this.stepHandler, this.spec.stepMs);
      // Caught up at least every CATCH_UP_MS, and asked again whether it may go on (the walk's
      // distance from the floor).
      if (this.clock.now() - this.firstPendingAt >= CATCH_UP_MS) {
        this.catchUp();
        if (!this.mayDefer()) this.postAgain();
      }
      return;
    }
    this.step();
    this.rebuild();
    this.steps.post(this.stepHandler, this.spec.stepMs);
    this.deferIfQuiet();
  };

  start(): void {
    this.regimeEndsAt = this.clock.now() + this.duration(0);
    this.rebuild();
    this.steps.post(this.stepHandler, this.spec.stepMs);
    if (this.spec.trades && this.spec.trades.ratePerSec > 0) this.scheduleTrade();
  }

  jump(bps: number): void {
    this.catchUp();
    this.mid = this.midFloor.hold(this.mid * (1 + bps / 10_000), `a price jump of ${bps} bps`);
    this.rebuild();
    // A jump towards the floor may end deferring.
    if (this.deferred && !this.mayDefer()) this.postAgain();
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
    const z = this.walkRng.normal();
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

  private rebuild(): void {
    this.bookStale = false;
    this.draw();
    this.sink.setGrid('bid', this.bestBid, this.spec.levelSpacingTicks, this.levelQty, this.bidLevels);
    this.sink.setGrid('ask', this.bestAsk, this.spec.levelSpacingTicks, this.levelQty, this.spec.depth.length);
    this.sink.refreshTop();
  }

  /** The book at now from the mid, the spread regime and the faults: best prices, the bid
   *  side's levels and the lots per level. */
  private draw(): void {
    const now = this.clock.now();
    const base = (this.spec.regimes[this.regime] as { spreadTicks: number }).spreadTicks;
    const spread = Math.max(1, Math.round(base * this.faults.spreadFactor(now)));
    const depthFactor = this.faults.depthFactor(now);
    const rawBid = Math.floor(this.mid - spread / 2);
    const bestBid = this.bidFloor.clear(rawBid)
      ? rawBid
      : this.bidFloor.hold(rawBid, `mid ${ticksText(this.mid)} less half the spread of ${spread}`);
    const gap = this.spec.levelSpacingTicks;
    const depth = this.spec.depth;
    if (depthFactor !== this.levelsFactor) {
      for (let i = 0; i < depth.length; i++) this.levelQty[i] = Math.round((depth[i] as number) * depthFactor);
      this.levelsFactor = depthFactor;
    }
    // Bid levels stop above one tick: level i is there while bestBid - i x gap >= 1.
    this.bidLevels = Math.min(depth.length, Math.floor((bestBid - 1) / gap) + 1);
    this.bestBid = bestBid;
    this.bestAsk = bestBid + spread;
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

  /** Whether steps and trades may be kept as data: the venue says the book is quiet, the clock
   *  can replay, and the walk cannot reach the one-tick floor before the next catch-up (so no
   *  floor warning, which is logged at its own time, can fall inside a replay). */
  private mayDefer(): boolean {
    if (this.clock.replayAt === undefined || this.sink.canDefer === undefined || !this.sink.canDefer()) return false;
    const maxSpread = this.widestSpread * this.faults.maxSpreadFactor() + 2;
    const horizonS = (CATCH_UP_MS + 2 * this.spec.stepMs) / 1000;
    const { sigma } = this.spec;
    if (this.spec.walk === 'arithmetic') return this.mid - maxSpread > 1 + FLOOR_SIGMAS * sigma * Math.sqrt(horizonS);
    return Math.log(this.mid / (1 + maxSpread)) > FLOOR_SIGMAS * sigma * Math.sqrt(horizonS) + sigma * sigma * horizonS;
  }

  /** Starts deferring when it may: the posted trade stops counting (steps go on as counts). */
  private deferIfQuiet(): void {
    if (!this.mayDefer()) return;
    this.deferred = true;
    this.generation++;
  }

  /** Stops deferring (nothing is pending: the caller caught up): the book is put in step and
   *  the next trade is posted (trades walk the book again). */
  private postAgain(): void {
    this.settleBook();
    this.deferred = false;
    this.generation++;
    if (this.nextTradeAt !== Infinity)
      this.clock.post(this.tradeHandler, this.nextTradeAt - this.clock.now(), this.generation);
  }

  /** One of our orders may rest now (the venue asks after its matching engine took a request). */
  wake(): void {
    if (!this.deferred || this.mayDefer()) return;
    this.catchUp();
    this.postAgain();
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
    if (this.pendingSteps === 0 && !(this.nextTradeAt < now)) return;
    this.catchingUp = true;
    this.sink.catchUpStarted?.();
    try {
      let at = this.firstPendingAt;
      // Step times summed exactly as the posted steps' due times are.
      while (this.pendingSteps > 0 || this.nextTradeAt < now) {
        if (this.pendingSteps > 0 && at <= this.nextTradeAt) {
          clock.replayAt(at, this.quietStep);
          this.pendingSteps--;
          at += this.spec.stepMs;
        } else {
          clock.replayAt(this.nextTradeAt, this.bookStale ? this.quietTradeNow : this.replayTrade);
        }
      }
    } finally {
      this.catchingUp = false;
      this.sink.catchUpEnded?.();
    }
  }

  /** catchUp(), then the book the venue shows put in step with the model: before a request or
   *  an order reaches the matching engine, or a fault acts on the book. */
  catchUpBook(): void {
    this.catchUp();
    this.settleBook();
  }

  /**
   * Draws the last step's book into the venue, less what the trades since took: the same
   * levels the step's redraw and those trades' walks would have left (none of our orders rest
   * while the model defers, so nothing else depends on the order of those writes). The tops
   * were published as they happened, so nothing is published here.
   */
  private settleBook(): void {
    if (!this.bookStale) return;
    this.bookStale = false;
    const gap = this.spec.levelSpacingTicks;
    const n = this.levelQty.length;
    this.sink.setGrid('bid', this.bestBid, gap, this.levelQty, this.bidLevels);
    this.sink.setGrid('ask', this.bestAsk, gap, this.levelQty, n);
    if (!this.takenAny) return;
    for (let i = 0; i < this.bidLevels; i++) {
      const took = this.taken[i] as number;
      if (took > 0) this.sink.setLevel('bid', this.bestBid - i * gap, (this.levelQty[i] as number) - took, false);
    }
    for (let i = 0; i < n; i++) {
      const took = this.taken[n + i] as number;
      if (took > 0) this.sink.setLevel('ask', this.bestAsk + i * gap, (this.levelQty[i] as number) - took, false);
    }
  }

  private readonly replayTrade = (): void => {
    this.trade();
    this.scheduleTrade();
  };

  /** A step whose book the next step replaces unseen: the walk, the regime, the book's numbers,
   *  and the top it would have shown published. */
  private readonly quietStep = (): void => {
    this.bookStale = true;
    this.step();
    this.draw();
    if (this.takenAny) {
      this.taken.fill(0);
      this.takenAny = false;
    }
    this.publishQuietTop();
  };

  private readonly quietTradeNow = (): void => {
    this.quietTrade();
    this.scheduleTrade();
  };

  /** trade() on the model's numbers: the same draws, prices and quantities, taken from the
   *  levels as drawn less what earlier such trades took since the step. */
  private quietTrade(): void {
    const aggressor: Side = this.tradeRng.next() < 0.5 ? 'buy' : 'sell';
    let remaining = Math.max(
      1,
      Math.round(this.tradeRng.exponential((this.spec.trades as { meanQty: number }).meanQty)),
    );
    const ask = aggressor === 'buy';
    const gap = ask ? this.spec.levelSpacingTicks : -this.spec.levelSpacingTicks;
    const best = ask ? this.bestAsk : this.bestBid;
    const levels = ask ? this.levelQty.length : this.bidLevels;
    const off = ask ? this.levelQty.length : 0;
    const sink = this.sink as Required<GridMarketSink>;
    for (let i = 0; i < levels; i++) {
      if (remaining <= 0) break;
      const drawn = this.levelQty[i] as number;
      if (drawn <= 0) continue;
      const take = Math.min(drawn - (this.taken[off + i] as number), remaining);
      if (take <= 0) continue;
      remaining -= take;
      this.taken[off + i] = (this.taken[off + i] as number) + take;
      this.takenAny = true;
      sink.quietTrade(best + i * gap, take);
    }
    this.publishQuietTop();
  }

  /** The top of the book as drawn less what quiet trades took, published as refreshTop would. */
  private publishQuietTop(): void {
    const n = this.levelQty.length;
    const gap = this.spec.levelSpacingTicks;
    let bid: number | null = null;
    let bidQty = 0;
    for (let i = 0; i < this.bidLevels; i++) {
      const left = (this.levelQty[i] as number) - (this.taken[i] as number);
      if (left > 0) {
        bid = this.bestBid - i * gap;
        bidQty = left;
        break;
      }
    }
    let ask: number | null = null;
    let askQty = 0;
    for (let i = 0; i < n; i++) {
      const left = (this.levelQty[i] as number) - (this.taken[n + i] as number);
      if (left > 0) {
        ask = this.bestAsk + i * gap;
        askQty = left;
        break;
      }
    }
    (this.sink as Required<GridMarketSink>).publishTop(bid, bidQty, ask, askQty);
  }

  /** Another participant's market order walks the displayed book. */
  private trade(): void {
    const aggressor: Side = this.tradeRng.next() < 0.5 ? 'buy' : 'sell';
    let remaining = Math.max(
      1,
      Math.round(this.tradeRng.exponential((this.spec.trades as { meanQty: number }).meanQty)),
    );
    const side = aggressor === 'buy' ? 'ask' : 'bid';
    // The levels as drawn, best first (one emptied by an earlier trade has nothing available).
    const gap = side === 'ask' ? this.spec.levelSpacingTicks : -this.spec.levelSpacingTicks;
    const best = side === 'ask' ? this.bestAsk : this.bestBid;
    const levels = side === 'ask' ? this.levelQty.length : this.bidLevels;
    for (let i = 0; i < levels; i++) {
      if (remaining <= 0) break;
      if ((this.levelQty[i] as number) <= 0) continue;
      const price = best + i * gap;
      // Volume we already took is gone: another participant can only take what is left.
      const take = Math.min(this.sink.available(side, price), remaining);
      if (take <= 0) continue;
      remaining -= take;
      this.sink.marketTrade(price, take, aggressor);
      this.sink.setLevel(side, price, this.sink.levelQty(side, price) - take, false);
    }
    this.sink.refreshTop();
  }
}
