// Almgren-Chriss market: the mid follows arithmetic Brownian motion with volatility sigma (price
// per square root of the time unit), and our own executions move it: permanent impact gamma per
// lot shifts the mid for good; temporary impact h(v) = epsilon + eta * v worsens each of our taker
// executions and then vanishes, with v = n / tau for an execution of n lots over the trading
// interval tau (`rateIntervalMs`). An execution is priced whole from the mid before it, in
// fractional ticks rounded once; the displayed book (the touch at mid -/+ epsilon, `depth` behind
// it) is what other readers see, and other participants do not trade. Why tau is a parameter, the
// pricing and the warnings: docs/0013-almgren-chriss-impact-rate.md.
import type { Rng } from '../../core/clock/rng.ts';
import type { Side } from '../../core/model/order.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { FaultSchedule } from '../faults.ts';
import type { ExchangeOrder } from '../venue/exchange-order.ts';
import type { ImpactHooks } from '../venue/sim-exchange.ts';
import type { GridMarketSink, MarketModel } from './market-model.ts';
import { noWarnings, PriceFloor, ticksText, type WarnFn } from './price-floor.ts';

export interface AlmgrenChrissSpec {
  /** Starting mid, ticks. */
  readonly initialMid: number;
  /** Ticks per sqrt(time unit). */
  readonly sigma: number;
  /** Milliseconds in one time unit (1000 for seconds, 86,400,000 for days). */
  readonly timeUnitMs: number;
  /** Permanent impact: ticks per lot we trade. */
  readonly gamma: number;
  /** Temporary impact: fixed part, ticks (fractional). */
  readonly epsilon: number;
  /** Temporary impact: ticks per (lot per time unit). */
  readonly eta: number;
  /** Milliseconds between steps of the walk. */
  readonly stepMs: number;
  /** The trading interval tau each execution of ours is spread over, ms. */
  readonly rateIntervalMs: number;
  /** Lots per displayed level, best first. */
  readonly depth: readonly number[];
}

/** The execution in progress: one order of ours taking liquidity at one instant. */
interface Execution {
  readonly order: ExchangeOrder;
  readonly time: number;
  /** Its price for every level it takes, ticks. */
  readonly price: number;
}

export class AlmgrenChrissModel implements MarketModel, ImpactHooks {
  private mid: number;
  private readonly walkRng: Rng;
  private execution: Execution | null = null;
  /** When our previous execution happened (null before the first). */
  private lastExecutionAt: number | null = null;
  private readonly midFloor: PriceFloor;
  private readonly bidFloor: PriceFloor;

  constructor(
    private readonly clock: Clock,
    rng: Rng,
    private readonly sink: GridMarketSink,
    private readonly faults: FaultSchedule,
    private readonly spec: AlmgrenChrissSpec,
    private readonly warn: WarnFn = noWarnings,
  ) {
    this.mid = spec.initialMid;
    this.walkRng = rng.stream('walk');
    this.midFloor = new PriceFloor('the mid', warn);
    this.bidFloor = new PriceFloor('the displayed best bid', warn);
  }

  /** One model step; created once, so the step posts no closure. */
  private readonly stepHandler = (): void => this.step();

  start(): void {
    this.rebuild();
    this.clock.post(this.stepHandler, this.spec.stepMs);
  }

  jump(bps: number): void {
    this.mid = this.midFloor.hold(this.mid * (1 + bps / 10_000), `a price jump of ${bps} bps`);
    this.rebuild();
  }

  midTicks(): number {
    return this.mid;
  }

  /** The temporary impact of an execution of `lots`, fractional ticks: epsilon + eta * lots / tau. */
  private impactTicks(lots: number): number {
    return this.spec.epsilon + this.spec.eta * (lots / (this.spec.rateIntervalMs / this.spec.timeUnitMs));
  }

  takerFillPrice(order: ExchangeOrder, levelPrice: number, time: number): number {
    const e = this.execution;
    if (e !== null && e.order === order && e.time === time) return e.price;
    const next = this.startExecution(order, levelPrice, time);
    this.execution = next;
    return next.price;
  }

  ourFill(side: Side, qty: number, _price: number, _time: number): void {
    const moved = this.mid + (side === 'buy' ? 1 : -1) * this.spec.gamma * qty;
    this.mid = this.midFloor.hold(moved, `permanent impact of our ${side} of ${qty} lots`);
    this.rebuild();
  }

  private startExecution(order: ExchangeOrder, levelPrice: number, time: number): Execution {
    const lots = order.qty - order.filled;
    const sign = order.side === 'buy' ? 1 : -1;
    const exact = this.mid + sign * this.impactTicks(lots);
    // Nearest tick; a tie goes against us (up for a buy, down for a sell).
    const rounded = sign * Math.round(sign * exact);
    let price = rounded;
    if (rounded < 1) {
      price = 1;
      this.warn(
        'price_floor',
        `${order.side} ${order.clientOrderId} of ${lots} lots: execution price ${ticksText(exact)} ticks (mid ${ticksText(this.mid)} ${sign > 0 ? '+' : '-'} impact ${ticksText(this.impactTicks(lots))}) held at 1 tick`,
      );
    }
    const displayed = this.sink.available(order.side === 'buy' ? 'ask' : 'bid', levelPrice);
    if (lots > displayed) {
      this.warn(
        'level_exhausted',
        `${order.side} ${order.clientOrderId} of ${lots} lots took all ${displayed} lots displayed at ${levelPrice}; the model refilled its book and priced all of it at ${price}`,
      );
    }
    const previous = this.lastExecutionAt;
    if (previous !== null && time - previous < this.spec.rateIntervalMs / 2) {
      this.warn(
        'rate_interval',
        `${order.side} ${order.clientOrderId} executed ${time - previous} ms after our previous execution, less than half of rateInterval (${this.spec.rateIntervalMs} ms): the model takes each execution as traded over rateInterval and understates our trading rate`,
      );
    }
    this.lastExecutionAt = time;
    return { order, time, price };
  }

  private step(): void {
    const dt = this.spec.stepMs / this.spec.timeUnitMs;
    this.mid = this.midFloor.hold(
      this.mid + this.spec.sigma * Math.sqrt(dt) * this.walkRng.normal(),
      'the random walk',
    );
    this.rebuild();
    this.clock.post(this.stepHandler, this.spec.stepMs);
  }

  private rebuild(): void {
    const half = Math.max(this.spec.epsilon, 0.5) * this.faults.spreadFactor(this.clock.now());
    const depthFactor = this.faults.depthFactor(this.clock.now());
    const rawBid = Math.floor(this.mid - half);
    const bestBid = this.bidFloor.clear(rawBid)
      ? rawBid
      : this.bidFloor.hold(rawBid, `mid ${ticksText(this.mid)} less the half spread ${ticksText(half)}`);
    const bestAsk = Math.max(bestBid + 1, Math.ceil(this.mid + half));
    const depth = this.spec.depth;
    // Our fills inside the redraw (a resting order the new book crosses) move the mid and redraw
    // again before this one ends: this drawing's lots stay its own.
    const levelQty = new Float64Array(depth.length);
    for (let i = 0; i < depth.length; i++) levelQty[i] = Math.round((depth[i] as number) * depthFactor);
    // Bid levels one tick apart, down to one tick.
    this.sink.setGrid('bid', bestBid, 1, levelQty, Math.min(depth.length, bestBid));
    this.sink.setGrid('ask', bestAsk, 1, levelQty, depth.length);
    this.sink.refreshTop();
  }
}
