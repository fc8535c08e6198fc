// The Broker's reads on Binance's REST API through ccxt: one order by client id (GET
// /api/v3/order by origClientOrderId, with its executions from myTrades by orderId), the open
// orders, orders since a time (allOrders by startTime: Binance filters and sorts by the order's
// creation `time`, so the listing's order is by submission, Broker.ordersSinceBy 'submitted'),
// and the account's balances of the symbol's two assets. Each answers once; the snapshot reads
// echo their request id and the time they were sent. Executions are listed (exact prices and
// commissions) where they add up to the order's filled quantity; otherwise the row states the
// cumulative quantity and average, and core infers the rest. No state outlives a request.
import type { Order } from 'ccxt';
import type { ClientOrderId } from '../../core/model/ids.ts';
import { quoteToUnits } from '../../core/model/instrument.ts';
import type { QueryFailedReport, ReportedTrade, VenueMessage } from '../../core/model/reports.ts';
import type { OrdersCursor } from '../../core/ports/broker.ts';
import { lotsOf, plainDecimal } from '../wire-amounts.ts';
import { orderRow, reportedTrade } from './binance-convert.ts';
import type { VenueOrderRow } from '../live-venue.ts';
import { submittedOrdersPage } from '../orders-page.ts';
import { binanceFailure, failureText, readFailure } from './binance-failures.ts';
import { InstrumentRefused, type BinanceLink, type ReadyMarket } from './binance-link.ts';

/** Orders of a listing whose executions are read (myTrades by orderId, weight 5 each); the rest
 *  state their cumulative fill. */
const TRADES_PER_LISTING = 25;
/** Binance's largest allOrders page, and its longest startTime..endTime window. */
const MAX_PAGE = 1000;
const DAY_MS = 86_400_000;
/** How far back allOrders is read: Binance archives finished orders after about 90 days. */
const KEPT_MS = 90 * DAY_MS;

export class BinanceQueries {
  constructor(private readonly link: BinanceLink) {}

  queryOrder(clientOrderId: ClientOrderId, askedAfterSeq?: number): void {
    const stamp = askedAfterSeq === undefined ? {} : { askedAfterSeq };
    void this.order(clientOrderId).then(
      (m) => this.link.reports.emit({ ...m, ...stamp } as VenueMessage),
      (err: unknown) => this.link.reports.emit({ ...this.failed('order', clientOrderId, err), ...stamp }),
    );
  }

  queryOpenOrders(requestId?: string): void {
    this.snapshot('open_orders', requestId, () => this.openOrders());
  }

  queryOrdersSince(since: number, limit: number, after?: OrdersCursor, requestId?: string): void {
    if (!Number.isSafeInteger(limit) || limit < 1)
      throw new Error(`queryOrdersSince: limit must be a positive integer, got ${limit}`);
    this.snapshot('orders_since', requestId, () => this.ordersSince(since, limit, after));
  }

  queryAccount(requestId?: string): void {
    this.snapshot('account', requestId, () => this.account());
  }

  /** A snapshot read: its answer stamped with the request id and the time it was sent. */
  private snapshot(
    query: QueryFailedReport['query'],
    requestId: string | undefined,
    read: () => Promise<VenueMessage>,
  ): void {
    const asOf = this.link.clock.now();
    const id = requestId === undefined ? {} : { requestId };
    void read().then(
      (m) => this.link.reports.emit({ ...m, ...id, asOf } as VenueMessage),
      (err: unknown) => this.link.reports.emit({ ...this.failed(query, null, err), ...id }),
    );
  }

  private failed(query: QueryFailedReport['query'], cid: ClientOrderId | null, err: unknown): QueryFailedReport {
    if (err instanceof InstrumentRefused)
      return {
        kind: 'QueryFailedReport',
        clientOrderId: cid,
        query,
        failure: 'reject',
        category: 'refused',
        reason: err.message,
      };
    const f = binanceFailure(err);
    const c = readFailure(f);
    return { kind: 'QueryFailedReport', clientOrderId: cid, query, ...c, reason: this.link.scrubbed(failureText(f)) };
  }

  private async order(cid: ClientOrderId): Promise<VenueMessage> {
    const { ex, ids, inst } = this.link;
    const ready = await this.link.ready();
    let o: Order;
    try {
      o = await ex.fetchOrder('', ready.symbol, { origClientOrderId: ids.wire(cid) });
    } catch (err) {
      if (binanceFailure(err).meaning === 'not_found') return { kind: 'OrderNotFoundReport', clientOrderId: cid };
      throw err;
    }
    const trades = await this.tradesOf(ready, o);
    const read = orderRow(inst, ids, o, 'lookup', trades);
    if (read === null) throw new Error('the order Binance answered could not be read');
    return { kind: 'OrderStatusReport', ...read.row };
  }

  /** The order's executions (myTrades by orderId), or undefined: none filled, or unreadable. */
  private async tradesOf(ready: ReadyMarket, o: Order): Promise<ReportedTrade[] | undefined> {
    if (!(typeof o.filled === 'number' && o.filled > 0) || typeof o.id !== 'string') return undefined;
    try {
      const list = await this.link.ex.fetchMyTrades(ready.symbol, undefined, MAX_PAGE, { orderId: o.id });
      const at = typeof o.timestamp === 'number' ? o.timestamp : this.link.clock.now();
      const trades = list.flatMap((t) => reportedTrade(this.link.inst, ready.assets, t, at) ?? []);
      if (trades.length !== list.length) return undefined;
      return await this.link.commissions.value(this.link.inst, ready.assets, trades);
    } catch {
      return undefined; // the state still answers; core infers the fills from it
    }
  }

  /** Rows of orders, the first TRADES_PER_LISTING filled ones with their executions. */
  private async rows(ready: ReadyMarket, orders: readonly Order[], source: VenueOrderRow['source']) {
    let budget = TRADES_PER_LISTING;
    const out: Array<{ row: VenueOrderRow; at: number | null; updatedAt: number | null }> = [];
    for (const o of orders) {
      if (o.symbol !== ready.symbol) continue;
      const trades =
        budget > 0 && typeof o.filled === 'number' && o.filled > 0 ? await this.tradesOf(ready, o) : undefined;
      if (trades !== undefined) budget--;
      const read = orderRow(this.link.inst, this.link.ids, o, source, trades);
      if (read !== null) out.push({ row: read.row, at: read.times.submittedAt, updatedAt: read.times.updatedAt });
    }
    return out;
  }

  private async openOrders(): Promise<VenueMessage> {
    const ready = await this.link.ready();
    const orders = await this.link.ex.fetchOpenOrders(ready.symbol);
    const rows = await this.rows(ready, orders, 'reconciliation');
    return { kind: 'OpenOrdersReport', orders: rows.map((r) => r.row) };
  }

  /**
   * One page of orders created at or after `since`, by (creation time, order id), strictly after
   * the cursor. Binance's order ids grow with creation, so a page after a cursor is asked by
   * orderId (allOrders answers ids >= it); the first by startTime, in windows of a day (the
   * longest Binance answers) until one holds an order or reaches now, from at most 90 days ago.
   */
  private async ordersSince(since: number, limit: number, cursor?: OrdersCursor): Promise<VenueMessage> {
    const { ex, clock } = this.link;
    const ready = await this.link.ready();
    const ask = Math.min(MAX_PAGE, limit + 1);
    let got: Order[];
    if (cursor !== undefined)
      got = await ex.fetchOrders(ready.symbol, undefined, ask, { orderId: cursor.venueOrderId });
    else
      for (let from = Math.max(since, clock.now() - KEPT_MS); ; from += DAY_MS) {
        const until = from + DAY_MS - 1;
        got = await ex.fetchOrders(ready.symbol, from, ask, until < clock.now() ? { endTime: until } : {});
        if (got.length > 0 || until >= clock.now()) break;
      }
    const listed = (await this.rows(ready, got, 'reconciliation')).filter(
      (r): r is { row: VenueOrderRow; at: number; updatedAt: number | null } => r.at !== null,
    );
    return submittedOrdersPage(since, listed, cursor, limit, got.length >= ask, compareIds);
  }

  /** The base and quote balances (free and locked) of the symbol, from GET /api/v3/account. */
  private async account(): Promise<VenueMessage> {
    const { ex, inst } = this.link;
    const ready = await this.link.ready();
    const balance = await ex.fetchBalance();
    const raw = (balance.info as { balances?: unknown } | undefined)?.balances;
    const rows = Array.isArray(raw) ? (raw as Array<Record<string, unknown>>) : [];
    const asset = (id: string) => rows.find((b) => b['asset'] === id);
    const amount = (b: Record<string, unknown> | undefined, k: 'free' | 'locked') => plainDecimal(b?.[k] ?? '0') ?? '0';
    const base = asset(ready.market.baseId ?? '');
    const quote = asset(ready.market.quoteId ?? '');
    const baseFree = lotsOf(inst, amount(base, 'free')) ?? 0;
    const baseLocked = lotsOf(inst, amount(base, 'locked')) ?? 0;
    const quoteFree = quoteToUnits(inst, amount(quote, 'free'));
    const quoteLocked = quoteToUnits(inst, amount(quote, 'locked'));
    return {
      kind: 'AccountReport',
      symbol: inst.symbol,
      position: baseFree + baseLocked,
      quote: quoteFree + quoteLocked,
      balances: { base: { free: baseFree, locked: baseLocked }, quote: { free: quoteFree, locked: quoteLocked } },
    };
  }
}

/** Binance's order ids are integers: compared as numbers, then as text. */
function compareIds(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}
