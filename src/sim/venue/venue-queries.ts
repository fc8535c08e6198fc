// What the simulated venue answers to our REST queries, built from the exchange's own records at
// the moment the request reaches the venue; sim-venue.ts decides when and whether it travels.
// Answers are object literals with their fields written out, never a spread plus fields. The
// venue's clock skew, why no spreads, several symbols: docs/0069-core-and-simulator-notes.md.
import type { ClientOrderId } from '../../core/model/ids.ts';
import type {
  AccountReport,
  OrderStatusReport,
  OrdersPageRow,
  ReportedTrade,
  SymbolPosition,
  VenueMessage,
} from '../../core/model/reports.ts';
import { payloadHeads, SelfWrittenPayload, type CanonicalBytes } from '../../core/log/canonical-bytes.ts';
import type { Side } from '../../core/model/order.ts';
import type { OrdersCursor } from '../../core/ports/broker.ts';
import type { ExchangeOrder } from './exchange-order.ts';
import type { SimExchange } from './sim-exchange.ts';

/** What the answers read of one book: its exchange and how it states commissions. */
export interface QueriedBook {
  readonly exchange: SimExchange;
  readonly commission?: Commission | undefined;
}

/** How the venue states a trade's commission, when not in quote (fee is in notional units). */
export type Commission = (fee: number, price: number) => { asset: string; amount: string };

/** The answer to a lookup of one order; `askedAfterSeq`, the lookup's stamp, is echoed last (as
 *  stamped() would add it). */
export function orderAnswer(
  exchange: SimExchange,
  clientOrderId: ClientOrderId,
  commission?: Commission,
  skewMs = 0,
  askedAfterSeq?: number,
): VenueMessage {
  const o = exchange.order(clientOrderId);
  if (o) return statusReport(o, commission, skewMs, askedAfterSeq);
  return askedAfterSeq === undefined
    ? { kind: 'OrderNotFoundReport', clientOrderId }
    : { kind: 'OrderNotFoundReport', clientOrderId, askedAfterSeq };
}

export function openOrdersAnswer(books: readonly QueriedBook[], asOf: number, skewMs = 0): VenueMessage {
  if (books.length === 1) {
    const { exchange, commission } = books[0] as QueriedBook;
    return {
      kind: 'OpenOrdersReport',
      asOf,
      orders: exchange.openOrders().map((o) => statusFields(o, commission, skewMs)),
    };
  }
  const orders: OpenOrderRow[] = [];
  for (const { exchange, commission } of books)
    for (const o of exchange.openOrders()) orders.push(withSymbol(statusFields(o, commission, skewMs), exchange));
  return { kind: 'OpenOrdersReport', asOf, orders };
}

/** Orders updated (or submitted: `by`) since `since`, oldest first (ties by venue order id),
 *  `limit` per page. */
export function ordersPageAnswer(
  books: readonly QueriedBook[],
  since: number,
  limit: number,
  after: OrdersCursor | undefined,
  by: 'updated' | 'submitted',
  asOf: number,
  skewMs = 0,
): VenueMessage {
  // On the venue's clock: `since` and the cursor come from times the venue stated.
  const time = (o: ExchangeOrder): number => (by === 'updated' ? o.updatedAt : o.createdAt) + skewMs;
  const key = (at: number, venueOrderId: string) => [at, Number(venueOrderId.slice(1))] as const;
  const cmp = (a: readonly [number, number], b: readonly [number, number]) => a[0] - b[0] || a[1] - b[1];
  const from = after ? key(after.at, after.venueOrderId) : null;
  const several = books.length > 1;
  const all = books
    .flatMap((b) => b.exchange.ordersSince(since - skewMs, by).map((o) => ({ o, b, k: key(time(o), o.venueOrderId) })))
    .filter(({ k }) => from === null || cmp(k, from) > 0)
    .sort((a, b) => cmp(a.k, b.k));
  const page = all.slice(0, limit);
  const last = page[page.length - 1];
  return {
    kind: 'OrdersPageReport',
    since,
    asOf,
    next: all.length > limit && last ? { at: time(last.o), venueOrderId: last.o.venueOrderId } : null,
    orders: page.map(({ o, b }): OrdersPageRow => {
      const tradesOf = reportedTrades(o, b.commission, skewMs);
      const row: OrdersPageRow = {
        clientOrderId: o.clientOrderId,
        venueOrderId: o.venueOrderId,
        status: o.status,
        qty: o.qty,
        filledQty: o.filled,
        trades: tradesOf,
        updatedAt: o.updatedAt + skewMs,
        side: o.side,
        limitPrice: o.limitPrice,
        submittedAt: o.createdAt + skewMs,
      };
      return several ? withSymbol(row, b.exchange) : row;
    }),
  };
}

/** The account: the first book's symbol, position and totals and, when the scenario gave
 *  starting balances, free and locked as the venue's own open orders hold them (sells lock base,
 *  buys lock quote at their limit or stop price). Without starting balances the account is
 *  unlimited and has no meaningful split: totals only. A venue of several symbols adds each other
 *  symbol's position (`others`): the quote balance is the one they share. */
export function accountAnswer(books: readonly QueriedBook[], asOf: number): VenueMessage {
  const exchange = (books[0] as QueriedBook).exchange;
  const answer = primaryAccount(exchange, asOf);
  if (books.length === 1) return answer;
  const others = books.slice(1).map(({ exchange: ex }): SymbolPosition => {
    if (!ex.account.limited) return { symbol: ex.symbol, position: ex.position };
    const locked = ex.account.lockedBase(ex.openOrders());
    return { symbol: ex.symbol, position: ex.position, base: { free: ex.position - locked, locked } };
  });
  return { ...answer, others };
}

function primaryAccount(exchange: SimExchange, asOf: number): AccountReport {
  if (!exchange.account.limited)
    return {
      kind: 'AccountReport',
      asOf,
      symbol: exchange.symbol,
      position: exchange.position,
      quote: exchange.quoteBalance,
    };
  const open = exchange.openOrders();
  const lockedBase = exchange.account.lockedBase(open);
  const lockedQuote = exchange.account.lockedQuote(open);
  return {
    kind: 'AccountReport',
    asOf,
    symbol: exchange.symbol,
    position: exchange.position,
    quote: exchange.quoteBalance,
    balances: {
      base: { free: exchange.position - lockedBase, locked: lockedBase },
      quote: { free: exchange.quoteBalance - lockedQuote, locked: lockedQuote },
    },
  };
}

/** A row with its symbol after its other fields (a venue of several symbols names it). */
function withSymbol<R extends OpenOrderRow>(row: R, exchange: SimExchange): R {
  return { ...row, symbol: exchange.symbol };
}

export function statusReport(
  o: ExchangeOrder,
  commission?: Commission,
  skewMs = 0,
  askedAfterSeq?: number,
): OrderStatusReport {
  return new SimStatusReport(
    o.clientOrderId,
    o.venueOrderId,
    o.status,
    o.qty,
    o.filled,
    reportedTrades(o, commission, skewMs),
    o.updatedAt + skewMs,
    o.side,
    o.limitPrice,
    askedAfterSeq,
  );
}

const STATUS_HEADS = payloadHeads([
  'askedAfterSeq',
  'clientOrderId',
  'filledQty',
  'limitPrice',
  'qty',
  'side',
  'status',
  'trades',
  'updatedAt',
  'venueOrderId',
]);

/**
 * The venue's full state of one order, as a lookup answers it: the entry a run with resting
 * orders logs most (every poll of every resting child), so it writes its own canonical payload
 * (SelfWrittenPayload). Its own fields are those the answer always had, in the same order, and
 * `askedAfterSeq` after them only when the lookup was stamped.
 */
export class SimStatusReport extends SelfWrittenPayload implements OrderStatusReport {
  // Declared one by one (no parameter properties, which would come before `kind`): the fields
  // are the object's keys in this order.
  readonly kind = 'OrderStatusReport';
  readonly clientOrderId: ClientOrderId;
  readonly venueOrderId: OrderStatusReport['venueOrderId'];
  readonly status: OrderStatusReport['status'];
  readonly qty: number;
  readonly filledQty: number;
  readonly trades: readonly ReportedTrade[];
  readonly updatedAt: number;
  readonly side: Side;
  readonly limitPrice: number | null;
  declare readonly askedAfterSeq?: number;

  constructor(
    clientOrderId: ClientOrderId,
    venueOrderId: OrderStatusReport['venueOrderId'],
    status: OrderStatusReport['status'],
    qty: number,
    filledQty: number,
    trades: readonly ReportedTrade[],
    updatedAt: number,
    side: Side,
    limitPrice: number | null,
    askedAfterSeq?: number,
  ) {
    super();
    this.clientOrderId = clientOrderId;
    this.venueOrderId = venueOrderId;
    this.status = status;
    this.qty = qty;
    this.filledQty = filledQty;
    this.trades = trades;
    this.updatedAt = updatedAt;
    this.side = side;
    this.limitPrice = limitPrice;
    if (askedAfterSeq !== undefined) (this as { askedAfterSeq?: number }).askedAfterSeq = askedAfterSeq;
  }

  writeCanonical(out: CanonicalBytes): void {
    const h = STATUS_HEADS;
    out.open();
    const stamped = this.askedAfterSeq !== undefined;
    if (stamped) {
      out.head(h.askedAfterSeq, true);
      out.finite(this.askedAfterSeq);
    }
    out.head(h.clientOrderId, !stamped);
    out.string(this.clientOrderId);
    out.head(h.filledQty, false);
    out.finite(this.filledQty);
    out.head(h.limitPrice, false);
    out.numberOrNull(this.limitPrice);
    out.head(h.qty, false);
    out.finite(this.qty);
    out.head(h.side, false);
    out.string(this.side);
    out.head(h.status, false);
    out.string(this.status);
    out.head(h.trades, false);
    out.json(this.trades);
    out.head(h.updatedAt, false);
    out.finite(this.updatedAt);
    out.head(h.venueOrderId, false);
    out.string(this.venueOrderId);
    out.close();
  }
}

/** A row of the open orders: statusReport's fields without its kind, in the same order. */
type OpenOrderRow = Omit<OrderStatusReport, 'kind'>;

function statusFields(o: ExchangeOrder, commission: Commission | undefined, skewMs: number): OpenOrderRow {
  return {
    clientOrderId: o.clientOrderId,
    venueOrderId: o.venueOrderId,
    status: o.status,
    qty: o.qty,
    filledQty: o.filled,
    trades: reportedTrades(o, commission, skewMs),
    updatedAt: o.updatedAt + skewMs,
    side: o.side,
    limitPrice: o.limitPrice,
  };
}

function reportedTrades(o: ExchangeOrder, commission: Commission | undefined, skewMs: number): ReportedTrade[] {
  return o.trades.map((t) => ({
    tradeId: t.tradeId,
    qty: t.qty,
    price: t.price,
    fee: t.fee,
    liquidity: t.liquidity,
    venueTime: t.time + skewMs,
    ...(commission ? { commission: commission(t.fee, t.price) } : {}),
  }));
}

/**
 * An answer with the request's stamp (requestId, askedAfterSeq) after its own fields, as
 * `{ ...answer, ...stamp }` would have it: copied field by field into a new object, whose shapes
 * V8 keeps and reuses (see the top of the file), and the answer itself when there is no stamp.
 */
export function stamped(answer: VenueMessage, stamp: { askedAfterSeq?: number; requestId?: string }): VenueMessage {
  if (stamp.askedAfterSeq === undefined && stamp.requestId === undefined) return answer;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(answer)) out[key] = (answer as unknown as Record<string, unknown>)[key];
  if (stamp.askedAfterSeq !== undefined) out['askedAfterSeq'] = stamp.askedAfterSeq;
  if (stamp.requestId !== undefined) out['requestId'] = stamp.requestId;
  return out as unknown as VenueMessage;
}
