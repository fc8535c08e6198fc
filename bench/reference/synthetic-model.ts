// Synthetic market: a random-walk mid (arithmetic: ticks per sqrt(second); geometric: log-return
// per sqrt(second)), rebuilt every step into a book with a depth profile around it; the spread
// follows Markov regimes (each lasting an exponential time) scaled by spread-shift faults; depth
// is scaled by liquidity-drop faults; other participants' trades arrive as a Poisson process with
// exponential sizes, hit the book and shrink the levels they take. All draws come from the
// model's own Rng sub-streams ('walk', 'regime', 'trades'). A mid or displayed bid below one
// tick is held at one tick, with a ModelWarning each time it goes under.
import type { Rng } from '../../src/core/clock/rng.ts';
import type { Side } from '../../src/core/model/order.ts';
import type { Clock } from '../../src/core/ports/clock.ts';
import type { FaultSchedule } from '../../src/sim/faults.ts';
import { replaceSide, type MarketModel, type MarketSink } from './market-model.ts';
import { noWarnings, PriceFloor, ticksText, type WarnFn } from '../../src/sim/market/price-floor.ts';

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
  private mid: number;
  private regime = 0;
  private regimeEndsAt = 0;
  private bids: number[] = [];
  private asks: number[] = [];
  private readonly walkRng: Rng;
  private readonly regimeRng: Rng;
  private readonly tradeRng: Rng;
  private readonly midFloor: PriceFloor;
  private readonly bidFloor: PriceFloor;

  constructor(
    private readonly clock: Clock,
    rng: Rng,
    private readonly sink: MarketSink,
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
  }

  start(): void {
    this.regimeEndsAt = this.clock.now() + this.duration(0);
    this.rebuild();
    this.clock.schedule(() => this.step(), this.spec.stepMs);
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
    this.clock.schedule(() => this.step(), this.spec.stepMs);
  }

  private rebuild(): void {
    const now = this.clock.now();
    const base = (this.spec.regimes[this.regime] as { spreadTicks: number }).spreadTicks;
    const spread = Math.max(1, Math.round(base * this.faults.spreadFactor(now)));
    const depthFactor = this.faults.depthFactor(now);
    const bestBid = this.bidFloor.hold(
      Math.floor(this.mid - spread / 2),
      `mid ${ticksText(this.mid)} less half the spread of ${spread}`,
    );
    const bestAsk = bestBid + spread;
    const bids: Array<[number, number]> = [];
    const asks: Array<[number, number]> = [];
    const gap = this.spec.levelSpacingTicks;
    this.spec.depth.forEach((q, i) => {
      const qty = Math.round(q * depthFactor);
      if (bestBid - i * gap >= 1) bids.push([bestBid - i * gap, qty]);
      asks.push([bestAsk + i * gap, qty]);
    });
    this.bids = replaceSide(this.sink, 'bid', this.bids, bids);
    this.asks = replaceSide(this.sink, 'ask', this.asks, asks);
    this.sink.refreshTop();
  }

  private scheduleTrade(): void {
    const rate = (this.spec.trades as { ratePerSec: number }).ratePerSec;
    this.clock.schedule(
      () => {
        this.trade();
        this.scheduleTrade();
      },
      this.tradeRng.exponential(1000 / rate),
    );
  }

  /** Another participant's market order walks the displayed book. */
  private trade(): void {
    const aggressor: Side = this.tradeRng.next() < 0.5 ? 'buy' : 'sell';
    let remaining = Math.max(
      1,
      Math.round(this.tradeRng.exponential((this.spec.trades as { meanQty: number }).meanQty)),
    );
    const side = aggressor === 'buy' ? 'ask' : 'bid';
    const prices = [...(side === 'ask' ? this.asks : this.bids)].sort((a, b) => (side === 'ask' ? a - b : b - a));
    for (const price of prices) {
      if (remaining <= 0) break;
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
