// The minimal simulated venue (issue 2): our orders match against a configured, static book.
// Marketable orders walk the levels and fill partially at each; what we take stays taken (the
// book never refreshes, so two of our orders cannot fill from the same liquidity); the rest of a
// limit order rests, never filled since nothing else trades. Stops trigger only if already
// through the touch when they arrive. Latency is seeded; reports on one connection never
// overtake each other. The full venue (queue position, market models, faults) replaces this
// behind the same Broker port.
import type { Rng } from '../core/clock/rng.ts';
import { tradeId, venueOrderId, type ClientOrderId, type Symbol, type VenueOrderId } from '../core/model/ids.ts';
import type { Instrument } from '../core/model/instrument.ts';
import type { OrderRequest } from '../core/model/order.ts';
import type { VenueReport } from '../core/model/reports.ts';
import type { Broker, MarketDataPort, ReportHandler, TopOfBook } from '../core/ports/broker.ts';
import type { Clock } from '../core/ports/clock.ts';

export interface Level {
  /** Ticks. */
  readonly price: number;
  /** Lots. */
  qty: number;
}

export interface StaticBookConfig {
  readonly instrument: Instrument;
  /** Best first: bids descending, asks ascending. */
  readonly bids: ReadonlyArray<{ price: number; qty: number }>;
  readonly asks: ReadonlyArray<{ price: number; qty: number }>;
  readonly makerFeeBps: number;
  readonly takerFeeBps: number;
  readonly latency: { readonly submitMs: number; readonly reportMs: number; readonly jitterMs: number };
  readonly clientIdMaxLength: number;
  /** Windows (epoch ms, [from, until)) in which the venue rejects every new order. */
  readonly rejectWindows: ReadonlyArray<{ from: number; until: number; code: string; reason: string }>;
}

interface Resting {
  readonly request: OrderRequest;
  readonly venueOrderId: VenueOrderId;
  filled: number;
}

export class StaticBookVenue implements Broker, MarketDataPort {
  readonly clientIdMaxLength: number;
  private handler: ReportHandler = () => {
    throw new Error('StaticBookVenue: no report handler set');
  };
  private readonly bids: Level[];
  private readonly asks: Level[];
  private readonly open = new Map<ClientOrderId, Resting>();
  private nextOrder = 1;
  private nextTrade = 1;
  private lastDelivery = -Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly rng: Rng,
    private readonly config: StaticBookConfig,
    private readonly onFault: (fault: string, detail: string) => void = () => {},
  ) {
    this.clientIdMaxLength = config.clientIdMaxLength;
    this.bids = config.bids.map((l) => ({ ...l }));
    this.asks = config.asks.map((l) => ({ ...l }));
  }

  setReportHandler(handler: ReportHandler): void {
    this.handler = handler;
  }

  topOfBook(_symbol: Symbol): TopOfBook {
    const bid = this.bids.find((l) => l.qty > 0);
    const ask = this.asks.find((l) => l.qty > 0);
    return { bid: bid?.price ?? null, bidQty: bid?.qty ?? 0, ask: ask?.price ?? null, askQty: ask?.qty ?? 0 };
  }

  submit(order: OrderRequest): void {
    this.clock.schedule(() => this.arrive(order), this.latency(this.config.latency.submitMs));
  }

  cancel(clientOrderId: ClientOrderId, _venueOrderId: VenueOrderId | null): void {
    this.clock.schedule(() => {
      if (this.open.delete(clientOrderId)) this.report({ kind: 'CancelReport', clientOrderId });
      else this.report({ kind: 'CancelRejectReport', clientOrderId, code: '-2011', reason: 'Unknown order sent.' });
    }, this.latency(this.config.latency.submitMs));
  }

  private latency(base: number): number {
    const j = this.config.latency.jitterMs;
    return j > 0 ? base + this.rng.uniform(0, j) : base;
  }

  private report(report: VenueReport): void {
    // One connection: a report is never delivered before the one sent ahead of it.
    const at = Math.max(this.clock.now() + this.latency(this.config.latency.reportMs), this.lastDelivery);
    this.lastDelivery = at;
    this.clock.schedule(() => this.handler(report), at - this.clock.now());
  }

  private arrive(order: OrderRequest): void {
    const now = this.clock.now();
    const cid = order.clientOrderId;
    const window = this.config.rejectWindows.find((w) => now >= w.from && now < w.until);
    if (window) {
      this.onFault('reject_window', `rejected ${cid}: ${window.reason}`);
      this.report({ kind: 'RejectReport', clientOrderId: cid, code: window.code, reason: window.reason });
      return;
    }
    if (this.open.has(cid)) {
      this.report({ kind: 'RejectReport', clientOrderId: cid, code: '-2010', reason: 'Duplicate order sent.' });
      return;
    }
    const refusal = this.refuse(order);
    if (refusal) {
      this.report({ kind: 'RejectReport', clientOrderId: cid, code: '-1013', reason: refusal });
      return;
    }
    const resting: Resting = { request: order, venueOrderId: venueOrderId(`S${this.nextOrder++}`), filled: 0 };
    this.report({ kind: 'AckReport', clientOrderId: cid, venueOrderId: resting.venueOrderId });
    const limit = this.effectiveLimit(order);
    if (limit === 'untriggered') {
      this.open.set(cid, resting);
      return;
    }
    if (order.tif === 'FOK' && this.available(order, limit) < order.qty) {
      this.report({ kind: 'ExpiredReport', clientOrderId: cid, reason: 'FOK: not enough liquidity' });
      return;
    }
    this.match(resting, limit);
    const remaining = order.qty - resting.filled;
    if (remaining === 0) return;
    if (limit === null || order.tif === 'IOC' || order.tif === 'FOK') {
      this.report({ kind: 'ExpiredReport', clientOrderId: cid, reason: limit === null ? 'market order: book exhausted' : 'IOC remainder' });
      return;
    }
    this.open.set(cid, resting);
  }

  /** The venue's validation: whole ticks and lots are guaranteed by the types; minimum notional is not. */
  private refuse(order: OrderRequest): string | null {
    if (order.qty <= 0) return 'Invalid quantity.';
    const reference = order.limitPrice ?? (order.side === 'buy' ? this.topOfBook(order.symbol).ask : this.topOfBook(order.symbol).bid);
    if (reference !== null && reference * order.qty < this.config.instrument.minNotionalUnits) return 'Filter failure: NOTIONAL';
    if ((order.type === 'limit' || order.type === 'stop_limit') && order.limitPrice === undefined) return 'Limit price required.';
    if ((order.type === 'stop' || order.type === 'stop_limit') && order.stopPrice === undefined) return 'Stop price required.';
    return null;
  }

  /** null = market (no price limit); a tick price for limits; 'untriggered' for a stop not yet through. */
  private effectiveLimit(order: OrderRequest): number | null | 'untriggered' {
    if (order.type === 'stop' || order.type === 'stop_limit') {
      const top = this.topOfBook(order.symbol);
      const stop = order.stopPrice as number;
      const triggered = order.side === 'buy' ? top.ask !== null && top.ask >= stop : top.bid !== null && top.bid <= stop;
      if (!triggered) return 'untriggered';
      return order.type === 'stop' ? null : (order.limitPrice as number);
    }
    return order.type === 'market' ? null : (order.limitPrice as number);
  }

  private crosses(side: 'buy' | 'sell', level: Level, limit: number | null): boolean {
    return limit === null || (side === 'buy' ? level.price <= limit : level.price >= limit);
  }

  private available(order: OrderRequest, limit: number | null): number {
    let sum = 0;
    for (const level of order.side === 'buy' ? this.asks : this.bids) {
      if (!this.crosses(order.side, level, limit)) break;
      sum += level.qty;
    }
    return sum;
  }

  private match(resting: Resting, limit: number | null): void {
    const { request } = resting;
    for (const level of request.side === 'buy' ? this.asks : this.bids) {
      const remaining = request.qty - resting.filled;
      if (remaining === 0 || !this.crosses(request.side, level, limit)) break;
      const qty = Math.min(remaining, level.qty);
      if (qty === 0) continue;
      level.qty -= qty;
      resting.filled += qty;
      const fee = Math.round((qty * level.price * this.config.takerFeeBps) / 10_000);
      this.report({
        kind: 'FillReport',
        clientOrderId: request.clientOrderId,
        venueOrderId: resting.venueOrderId,
        tradeId: tradeId(`T${this.nextTrade++}`),
        qty,
        price: level.price,
        fee,
        liquidity: 'taker',
        venueTime: this.clock.now(),
      });
    }
  }
}
