// What the scripted venue does with orders (scripted-venue.ts carries requests and answers to and
// from it): accepts or refuses them by its rules, fills them from its book, by others' trades or
// by fiat, cancels and ends them, and keeps the account. Every change of an order the venue makes
// on its own is pushed (a fill, an expiry, a cancel by someone else).
import type { VirtualClock } from '../../../src/core/clock/virtual-clock.ts';
import { tradeId, venueOrderId, type ClientOrderId } from '../../../src/core/model/ids.ts';
import type { OrderRequest } from '../../../src/core/model/order.ts';
import type { ReportedTrade, VenueMessage } from '../../../src/core/model/reports.ts';
import { refusal, type RefusalReason, type VenueRules } from '../../../src/core/venues/venue-rules.ts';
import { cancelRefusal, refusalOf } from './scripted-answers.ts';
import { ScriptedBook, type Level } from './scripted-book.ts';
import { isLive, type Truth } from './scripted-order.ts';

export interface ScriptedExchangeOptions {
  readonly clock: VirtualClock;
  readonly rules: VenueRules;
  readonly symbol: string;
  readonly bids?: Level[];
  readonly asks?: Level[];
  readonly position?: number;
  readonly quote?: number;
  readonly minNotionalUnits?: number;
  /** Whether an order takes from the book, and a market, IOC or FOK rest ends, by itself. */
  readonly matches: boolean;
  /** A refusal for every order that passes the rules. */
  readonly refuseOrders: RefusalReason | null;
  /** Match an accepted order at once (else just after its acknowledgement leaves). */
  readonly matchAtOnce: boolean;
  /** Sends what the venue does on its own. */
  readonly push: (msg: VenueMessage) => void;
}

export class ScriptedExchange {
  /** The orders by client id (the latest order of a reused id). */
  readonly truth = new Map<ClientOrderId, Truth>();
  /** Every order accepted, in submission order. */
  readonly orders: Truth[] = [];
  /** Quote balance, notional units (tick x lot). */
  quote: number;
  private readonly book: ScriptedBook;
  private trades = 0;

  constructor(private readonly o: ScriptedExchangeOptions) {
    this.book = new ScriptedBook(o.bids, o.asks);
    this.quote = o.quote ?? 0;
  }

  /** What the account held before any order, plus every fill, lots. */
  get position(): number {
    let p = this.o.position ?? 0;
    for (const t of this.orders) p += t.side === 'buy' ? t.filled : -t.filled;
    return p;
  }

  /** A submission reaching the venue: its acknowledgement or refusal. */
  accept(order: OrderRequest): VenueMessage {
    const id = order.clientOrderId;
    const { rules, clock } = this.o;
    const reason = refusalOf(
      rules,
      order,
      this.truth.get(id),
      this.book,
      this.o.minNotionalUnits ?? 0,
      this.o.refuseOrders,
    );
    if (reason !== null) {
      const r = refusal(rules, reason, { symbol: this.o.symbol, requested: String(order.qty), available: '0' });
      return {
        kind: 'RejectReport',
        clientOrderId: id,
        code: r.code,
        reason: r.message,
        ...(reason === 'duplicate-client-id' ? { duplicate: true as const } : {}),
      };
    }
    const reused = this.orders.filter((x) => x.id === id).length;
    const now = clock.now();
    const t: Truth = {
      id,
      vid: venueOrderId(reused === 0 ? `v-${id}` : `v-${id}-${reused + 1}`),
      qty: order.qty,
      side: order.side,
      type: order.type,
      tif: order.tif,
      limitPrice: order.limitPrice ?? null,
      status: 'new',
      filled: 0,
      trades: [],
      submittedAt: now,
      updatedAt: now,
    };
    this.truth.set(id, t);
    this.orders.push(t);
    if (this.o.matchAtOnce) this.match(t);
    else clock.schedule(() => this.match(t), 0);
    return { kind: 'AckReport', clientOrderId: id, venueOrderId: t.vid };
  }

  /** A cancel reaching the venue: done, or refused as the rules say. */
  cancel(id: ClientOrderId): VenueMessage {
    const t = this.truth.get(id);
    if (t && isLive(t)) {
      t.status = 'canceled';
      t.updatedAt = this.o.clock.now();
      return { kind: 'CancelReport', clientOrderId: id };
    }
    return cancelRefusal(this.o.rules, id, t);
  }

  /** Fills `qty` lots (capped at what remains) of a live order now at `price`; returns the lots. */
  fill(id: ClientOrderId, qty: number, price: number, trade?: Partial<ReportedTrade>): number {
    const t = this.truth.get(id);
    if (!t || !isLive(t)) return 0;
    const q = Math.min(qty, t.qty - t.filled);
    if (q <= 0) return 0;
    this.execute(t, q, price, 'taker', trade);
    return q;
  }

  /** Ends a live order: expired (an IOC remainder, a DAY close) or canceled by someone else. */
  end(id: ClientOrderId, status: 'expired' | 'canceled'): void {
    const t = this.truth.get(id);
    if (!t || !isLive(t)) return;
    t.status = status;
    t.updatedAt = this.o.clock.now();
    this.o.push(
      status === 'expired'
        ? { kind: 'ExpiredReport', clientOrderId: t.id, reason: 'IOC remainder' }
        : { kind: 'CancelReport', clientOrderId: t.id },
    );
  }

  /** Someone else's trade: fills our resting orders it reaches, at their prices, up to `qty`. */
  marketTrade(price: number, qty: number, aggressor: 'buy' | 'sell'): void {
    let left = qty;
    for (const t of ScriptedBook.reached(this.orders, price, aggressor)) {
      if (left === 0) break;
      const q = Math.min(left, t.qty - t.filled);
      this.execute(t, q, t.limitPrice!, 'maker');
      left -= q;
    }
  }

  /** An accepted order takes what it can from the book; a market, IOC or FOK rest ends. */
  private match(t: Truth): void {
    if (!isLive(t) || !this.o.matches) return;
    const wanted = t.qty - t.filled;
    const takesAll = t.tif !== 'FOK' || this.book.available(t.side, t.limitPrice) >= wanted;
    if (takesAll)
      for (const x of this.book.take(t.side, wanted, t.limitPrice)) this.execute(t, x.qty, x.price, 'taker');
    if (isLive(t) && (t.type === 'market' || t.tif === 'IOC' || t.tif === 'FOK')) this.end(t.id, 'expired');
  }

  private execute(
    t: Truth,
    qty: number,
    price: number,
    liquidity: 'maker' | 'taker',
    extra?: Partial<ReportedTrade>,
  ): void {
    const now = this.o.clock.now();
    const r: ReportedTrade = {
      tradeId: tradeId(`t${++this.trades}`),
      qty,
      price,
      fee: 0,
      liquidity,
      venueTime: now,
      ...extra,
    };
    t.trades.push(r);
    t.filled += qty;
    t.status = t.filled === t.qty ? 'filled' : 'partially_filled';
    t.updatedAt = now;
    this.quote += t.side === 'buy' ? -(qty * r.price + r.fee) : qty * r.price - r.fee;
    this.o.push({ kind: 'FillReport', clientOrderId: t.id, venueOrderId: t.vid, ...r });
  }
}
