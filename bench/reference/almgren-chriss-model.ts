// Almgren-Chriss market: the mid follows arithmetic Brownian motion with volatility sigma (price
// per square root of the time unit). Our own executions move it: permanent impact gamma per lot
// we trade shifts the mid for good; temporary impact h(v) = epsilon + eta * v worsens the price of
// each of our taker executions and then vanishes. As in the discrete Almgren-Chriss model, v is
// the execution's quantity over the trading interval tau (`rateIntervalMs`): an execution of n
// lots is taken as trading n over tau, at v = n / tau lots per time unit (see
// docs/0013-almgren-chriss-impact-rate.md for why tau is a parameter and not measured from our
// order times).
//
// An execution is one order of ours taking liquidity at one instant, over as many displayed levels
// as it takes: all of it is priced from the mid before it, S, at S + epsilon + eta * n / tau (a
// sell: minus), in fractional ticks, rounded to the nearest tick only for the executed price
// (ties against us), so a small epsilon or eta moves the average price by its own size rather than
// by zero or a whole tick. Permanent impact then moves the mid by gamma per lot filled.
//
// The displayed book is the touch at mid -/+ epsilon (at least half a tick, rounded outward to the
// tick grid) with `depth` behind it, rebuilt after every step and every fill of ours. It is what
// other readers of the book (our market-data view, our resting orders) see; our taker executions
// are priced by the model, not by that depth. Other participants do not trade.
//
// Warnings (ModelWarning events): a price held at the one-tick floor (the mid, the displayed bid,
// or an execution price), an execution larger than the displayed volume at the level it hit (the
// model refills its book, so depth did not limit it), and two of our executions closer together
// than half of tau (the model then understates our trading rate by more than a factor of two).
import type { Rng } from '../../src/core/clock/rng.ts';
import type { Side } from '../../src/core/model/order.ts';
import type { Clock } from '../../src/core/ports/clock.ts';
import type { FaultSchedule } from '../../src/sim/faults.ts';
import type { ExchangeOrder } from '../../src/sim/venue/exchange-order.ts';
import type { ImpactHooks } from './sim-exchange.ts';
import { replaceSide, type MarketModel, type MarketSink } from './market-model.ts';
import { noWarnings, PriceFloor, ticksText, type WarnFn } from '../../src/sim/market/price-floor.ts';

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
  private bids: number[] = [];
  private asks: number[] = [];
  private readonly walkRng: Rng;
  private execution: Execution | null = null;
  /** When our previous execution happened (null before the first). */
  private lastExecutionAt: number | null = null;
  private readonly midFloor: PriceFloor;
  private readonly bidFloor: PriceFloor;

  constructor(
    private readonly clock: Clock,
    rng: Rng,
    private readonly sink: MarketSink,
    private readonly faults: FaultSchedule,
    private readonly spec: AlmgrenChrissSpec,
    private readonly warn: WarnFn = noWarnings,
  ) {
    this.mid = spec.initialMid;
    this.walkRng = rng.stream('walk');
    this.midFloor = new PriceFloor('the mid', warn);
    this.bidFloor = new PriceFloor('the displayed best bid', warn);
  }

  start(): void {
    this.rebuild();
    this.clock.schedule(() => this.step(), this.spec.stepMs);
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
    this.clock.schedule(() => this.step(), this.spec.stepMs);
  }

  private rebuild(): void {
    const half = Math.max(this.spec.epsilon, 0.5) * this.faults.spreadFactor(this.clock.now());
    const depthFactor = this.faults.depthFactor(this.clock.now());
    const bestBid = this.bidFloor.hold(
      Math.floor(this.mid - half),
      `mid ${ticksText(this.mid)} less the half spread ${ticksText(half)}`,
    );
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
