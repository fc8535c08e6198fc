// Zero-intelligence order flow (Smith, Farmer et al., "Statistical theory of the continuous double
// auction", 2003) on a market-by-order book: other participants place limit orders at a uniform
// distance (1..priceRangeTicks) from the opposite best, send market orders, and cancel resting
// orders at a constant rate each, all Poisson with exponential sizes. The market itself runs on
// the L3 matching engine (price-time priority), so cancellations really do happen anywhere in a
// queue; what the venue displays is that book aggregated per price, and every execution is on
// the tape. Our orders queue against that display like they do against recorded L2 data, so
// this model is also where the queue models can be checked against a true queue.
import type { Rng } from '../../core/clock/rng.ts';
import type { Side } from '../../core/model/order.ts';
import type { Clock } from '../../core/ports/clock.ts';
import { L3Book } from '../book/l3-book.ts';
import type { MarketModel, MarketSink } from './market-model.ts';

export interface ZeroIntelligenceSpec {
  /** Mid the book is seeded around, ticks. */
  readonly initialMid: number;
  /** Limit orders per second on each side. */
  readonly limitRatePerSec: number;
  /** Market orders per second (either side). */
  readonly marketRatePerSec: number;
  /** Cancellation rate of each resting order, per second. */
  readonly cancelRatePerSec: number;
  /** Limit orders land 1..priceRangeTicks away from the opposite best. */
  readonly priceRangeTicks: number;
  /** Mean order size, lots (exponential, at least 1 lot). */
  readonly meanQty: number;
  /** Resting orders per side at the start, spread over the price range. */
  readonly initialOrders: number;
}

const MARKET = 0;

export class ZeroIntelligenceModel implements MarketModel {
  private readonly book: L3Book;
  /** Live resting order ids, for picking one uniformly to cancel (swap-remove). */
  private readonly live: number[] = [];
  private readonly liveIndex = new Map<number, number>();
  private nextId = 1;
  private readonly flowRng: Rng;
  private readonly sizeRng: Rng;
  /** Executions and touched levels of the operation in progress. */
  private trades: Array<{ price: number; qty: number; taker: Side }> = [];
  private touched = new Map<string, { side: 'bid' | 'ask'; price: number; refresh: boolean }>();

  constructor(
    private readonly clock: Clock,
    rng: Rng,
    private readonly sink: MarketSink,
    private readonly spec: ZeroIntelligenceSpec,
  ) {
    this.flowRng = rng.stream('flow');
    this.sizeRng = rng.stream('sizes');
    this.book = new L3Book((makerId, _takerId, price, qty, _mo, _to, takerSide, makerRemaining) => {
      this.trades.push({ price, qty, taker: takerSide });
      this.touch(takerSide === 'buy' ? 'ask' : 'bid', price, false);
      if (makerRemaining === 0) this.forget(makerId);
    });
  }

  start(): void {
    const { initialMid, priceRangeTicks, initialOrders } = this.spec;
    const bestBid = Math.floor(initialMid) - 1;
    const bestAsk = Math.floor(initialMid) + 1;
    for (let i = 0; i < initialOrders; i++) {
      this.place('buy', bestBid - this.flowRng.int(priceRangeTicks));
      this.place('sell', bestAsk + this.flowRng.int(priceRangeTicks));
    }
    this.publish();
    const total = 2 * this.spec.limitRatePerSec + this.spec.marketRatePerSec;
    if (total > 0 || this.spec.cancelRatePerSec > 0) this.scheduleNext();
  }

  jump(_bps: number): void {
    throw new Error('zero-intelligence flow has no price to jump: the scenario schema refuses price_jump with it');
  }

  /** The market-by-order book aggregated per price, best first (what the venue should display). */
  depth(side: Side, n: number): Array<[number, number]> {
    return this.book.depth(side, n);
  }

  private scheduleNext(): void {
    const s = this.spec;
    const rate = 2 * s.limitRatePerSec + s.marketRatePerSec + s.cancelRatePerSec * this.live.length;
    if (rate <= 0) return;
    this.clock.schedule(
      () => {
        this.event(rate);
        this.scheduleNext();
      },
      this.flowRng.exponential(1000 / rate),
    );
  }

  /** One event of the superposed Poisson processes, chosen in proportion to its rate. */
  private event(rate: number): void {
    const s = this.spec;
    const u = this.flowRng.next() * rate;
    if (u < 2 * s.limitRatePerSec) {
      const side: Side = u < s.limitRatePerSec ? 'buy' : 'sell';
      const opposite = side === 'buy' ? this.book.bestAsk() : this.book.bestBid();
      const anchor = opposite ?? (side === 'buy' ? Math.floor(s.initialMid) + 1 : Math.floor(s.initialMid) - 1);
      const distance = 1 + this.flowRng.int(s.priceRangeTicks);
      this.place(side, side === 'buy' ? anchor - distance : anchor + distance);
    } else if (u - 2 * s.limitRatePerSec < s.marketRatePerSec) {
      const side: Side = this.flowRng.next() < 0.5 ? 'buy' : 'sell';
      this.book.market(this.nextId++, side, this.size(), MARKET);
    } else if (this.live.length > 0) {
      const id = this.live[this.flowRng.int(this.live.length)] as number;
      const o = this.book.order(id);
      if (o && this.book.cancel(id)) {
        this.forget(id);
        this.touch(o.side === 'buy' ? 'bid' : 'ask', o.price, true);
      }
    }
    this.publish();
  }

  private size(): number {
    return Math.max(1, Math.round(this.sizeRng.exponential(this.spec.meanQty)));
  }

  private place(side: Side, price: number): void {
    if (price < 1) return;
    const id = this.nextId++;
    this.book.limit(id, side, price, this.size(), MARKET, 'GTC', false);
    this.touch(side === 'buy' ? 'bid' : 'ask', price, true);
    if (this.book.order(id) !== undefined) {
      this.liveIndex.set(id, this.live.length);
      this.live.push(id);
    }
  }

  private forget(id: number): void {
    const i = this.liveIndex.get(id);
    if (i === undefined) return;
    const last = this.live.pop() as number;
    if (last !== id) {
      this.live[i] = last;
      this.liveIndex.set(last, i);
    }
    this.liveIndex.delete(id);
  }

  private touch(side: 'bid' | 'ask', price: number, refresh: boolean): void {
    const key = `${side}${price}`;
    const prev = this.touched.get(key);
    this.touched.set(key, { side, price, refresh: refresh || (prev?.refresh ?? false) });
  }

  /** The tape first (so queues are eaten by trades), then the display of every level touched. */
  private publish(): void {
    for (const t of this.trades) this.sink.marketTrade(t.price, t.qty, t.taker);
    for (const { side, price, refresh } of this.touched.values()) {
      this.sink.setLevel(side, price, this.book.levelQty(side === 'bid' ? 'buy' : 'sell', price), refresh);
    }
    this.trades = [];
    this.touched = new Map();
    this.sink.refreshTop();
  }
}
