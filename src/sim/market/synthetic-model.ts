// Synthetic market: a random-walk mid (arithmetic: ticks per sqrt(second); geometric: log-return
// per sqrt(second)), redrawn every step into a book with a depth profile around it (each side a
// grid: best price, level spacing, one quantity per level, handed to the venue in one call, so a
// step costs a few numbers and no per-level writes); the spread
// follows Markov regimes (each lasting an exponential time) scaled by spread-shift faults; depth
// is scaled by liquidity-drop faults; other participants' trades arrive as a Poisson process with
// exponential sizes, hit the book and shrink the levels they take. All draws come from the
// model's own Rng sub-streams ('walk', 'regime', 'trades'). A mid or displayed bid below one
// tick is held at one tick, with a ModelWarning each time it goes under.
import type { Rng } from '../../core/clock/rng.ts';
import type { Side } from '../../core/model/order.ts';
import type { Clock } from '../../core/ports/clock.ts';
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
  }

  /** One model step; created once, so the step posts no closure. */
  private readonly stepHandler = (): void => this.step();

  start(): void {
    this.regimeEndsAt = this.clock.now() + this.duration(0);
    this.rebuild();
    this.clock.post(this.stepHandler, this.spec.stepMs);
    if (this.spec.trades && this.spec.trades.ratePerSec > 0) this.scheduleTrade();
  }

  jump(bps: number): void {
    this.mid = this.midFloor.hold(this.mid * (1 + bps / 10_000), `a price jump of ${bps} bps`);
    this.rebuild();
  }

  /** Current mid in ticks (fractional). */
  midTicks(): number {
    return this.mid;
  }

  private duration(regime: number): number {
    const r = this.spec.regimes[regime] as { meanDurationMs: number };
    return this.spec.regimes.length === 1 ? Infinity : this.regimeRng.exponential(r.meanDurationMs);
  }

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
    this.rebuild();
    this.clock.post(this.stepHandler, this.spec.stepMs);
  }

  private rebuild(): void {
    const now = this.clock.now();
    const base = (this.spec.regimes[this.regime] as { spreadTicks: number }).spreadTicks;
    const spread = Math.max(1, Math.round(base * this.faults.spreadFactor(now)));
    const depthFactor = this.faults.depthFactor(now);
    const rawBid = Math.floor(this.mid - spread / 2);
    const bestBid = this.bidFloor.clear(rawBid)
      ? rawBid
      : this.bidFloor.hold(rawBid, `mid ${ticksText(this.mid)} less half the spread of ${spread}`);
    const bestAsk = bestBid + spread;
    const gap = this.spec.levelSpacingTicks;
    const depth = this.spec.depth;
    if (depthFactor !== this.levelsFactor) {
      for (let i = 0; i < depth.length; i++) this.levelQty[i] = Math.round((depth[i] as number) * depthFactor);
      this.levelsFactor = depthFactor;
    }
    // Bid levels stop above one tick: level i is there while bestBid - i x gap >= 1.
    this.bidLevels = Math.min(depth.length, Math.floor((bestBid - 1) / gap) + 1);
    this.bestBid = bestBid;
    this.bestAsk = bestAsk;
    this.sink.setGrid('bid', bestBid, gap, this.levelQty, this.bidLevels);
    this.sink.setGrid('ask', bestAsk, gap, this.levelQty, depth.length);
    this.sink.refreshTop();
  }

  private scheduleTrade(): void {
    const rate = (this.spec.trades as { ratePerSec: number }).ratePerSec;
    this.clock.post(this.tradeHandler, this.tradeRng.exponential(1000 / rate));
  }

  /** One trade and the next one's scheduling; created once, so a trade posts no closure. */
  private readonly tradeHandler = (): void => {
    this.trade();
    this.scheduleTrade();
  };

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
