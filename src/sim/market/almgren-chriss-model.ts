// Almgren-Chriss market: the mid follows arithmetic Brownian motion with volatility sigma (price
// per square root of the time unit). Our own executions move it: permanent impact gamma per unit
// we trade shifts the mid for good; temporary impact epsilon + eta * v worsens the price of each
// of our taker fills and then vanishes, where v is our trade rate: our volume over a trailing
// window (this fill included), per time unit. (Measuring v over the time since our previous fill
// explodes for the first fill and for fills close together; a window is well defined.)
// The displayed book is the touch at mid -/+ epsilon with deep levels
// behind it, so fills are priced by the model, not by depth. Other participants do not trade.
import type { Rng } from '../../core/clock/rng.ts';
import type { Side } from '../../core/model/order.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { FaultSchedule } from '../faults.ts';
import type { ImpactHooks } from '../venue/sim-exchange.ts';
import { replaceSide, type MarketModel, type MarketSink } from './market-model.ts';

export interface AlmgrenChrissSpec {
  /** Starting mid, ticks. */
  readonly initialMid: number;
  /** Ticks per sqrt(time unit). */
  readonly sigma: number;
  /** Milliseconds in one time unit (1000 for seconds, 86,400,000 for days). */
  readonly timeUnitMs: number;
  /** Permanent impact: ticks per lot we trade. */
  readonly gamma: number;
  /** Temporary impact: fixed part, ticks. */
  readonly epsilon: number;
  /** Temporary impact: ticks per (lot per time unit). */
  readonly eta: number;
  readonly stepMs: number;
  /** Trailing window for our trade rate, ms. */
  readonly rateWindowMs: number;
  /** Lots per displayed level, best first. */
  readonly depth: readonly number[];
}

export class AlmgrenChrissModel implements MarketModel, ImpactHooks {
  private mid: number;
  private bids: number[] = [];
  private asks: number[] = [];
  /** Our recent fills (time, lots) inside the rate window. */
  private recent: Array<{ time: number; qty: number }> = [];
  private readonly walkRng: Rng;

  constructor(
    private readonly clock: Clock,
    rng: Rng,
    private readonly sink: MarketSink,
    private readonly faults: FaultSchedule,
    private readonly spec: AlmgrenChrissSpec,
  ) {
    this.mid = spec.initialMid;
    this.walkRng = rng.stream('walk');
  }

  start(): void {
    this.rebuild();
    this.clock.schedule(() => this.step(), this.spec.stepMs);
  }

  jump(bps: number): void {
    this.mid = Math.max(this.mid * (1 + bps / 10_000), 1);
    this.rebuild();
  }

  midTicks(): number {
    return this.mid;
  }

  takerSlippageTicks(_side: Side, qty: number, time: number): number {
    this.recent = this.recent.filter((f) => f.time > time - this.spec.rateWindowMs);
    const volume = this.recent.reduce((s, f) => s + f.qty, 0) + qty;
    const rate = volume / (this.spec.rateWindowMs / this.spec.timeUnitMs); // lots per time unit
    return Math.round(this.spec.eta * rate);
  }

  ourFill(side: Side, qty: number, _price: number, time: number): void {
    this.recent.push({ time, qty });
    this.mid = Math.max(this.mid + (side === 'buy' ? 1 : -1) * this.spec.gamma * qty, 1);
    this.rebuild();
  }

  private step(): void {
    const dt = this.spec.stepMs / this.spec.timeUnitMs;
    this.mid = Math.max(this.mid + this.spec.sigma * Math.sqrt(dt) * this.walkRng.normal(), 1);
    this.rebuild();
    this.clock.schedule(() => this.step(), this.spec.stepMs);
  }

  private rebuild(): void {
    const half = Math.max(this.spec.epsilon, 0.5) * this.faults.spreadFactor(this.clock.now());
    const depthFactor = this.faults.depthFactor(this.clock.now());
    const bestBid = Math.max(1, Math.floor(this.mid - half));
    const bestAsk = Math.max(bestBid + 1, Math.ceil(this.mid + half));
    const bids: Array<[number, number]> = [];
    const asks: Array<[number, number]> = [];
    this.spec.depth.forEach((q, i) => {
      const qty = Math.round(q * depthFactor);
      if (bestBid - i >= 1) bids.push([bestBid - i, qty]);
      asks.push([bestAsk + i, qty]);
    });
    this.bids = replaceSide(this.sink, 'bid', this.bids, bids);
    this.asks = replaceSide(this.sink, 'ask', this.asks, asks);
    this.sink.refreshTop();
  }
}
