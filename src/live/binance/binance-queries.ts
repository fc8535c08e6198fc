// The Broker's reads on Binance's REST API through ccxt: one order by client id (GET
// /api/v3/order by origClientOrderId, with its executions from myTrades by orderId), the open
// orders, orders since a time (allOrders by startTime: Binance filters and sorts by the order's
// creation `time`, so the listing's order is by submission, Broker.ordersSinceBy 'submitted'),
// and the account's balances of each traded symbol's base and of their one quote asset. Binance
// asks a symbol of each of these reads, so an adapter of several symbols reads each symbol's and
// merges them (a listing by (creation time, order id), the symbol stated on every row). Each
// answers once; the snapshot reads
// echo their request id and the time they were sent. Executions are listed (exact prices and
// commissions) where they add up to the order's filled quantity; otherwise the row states the
// cumulative quantity and average, and core infers the rest. No state outlives a request.
import type { Order } from 'ccxt';
import type { ClientOrderId } from '../../core/model/ids.ts';
import type { QueryFailedReport, ReportedTrade, VenueMessage } from '../../core/model/reports.ts';
import type { OrdersCursor } from '../../core/ports/broker.ts';
import { lotsOf, plainDecimal } from '../wire-amounts.ts';
import { orderRow, reportedTrade } from './binance-convert.ts';
import type { VenueOrderRow } from '../live-venue.ts';
import { mergedOrdersPage, submittedOrdersPage, type SymbolListing } from '../orders-page.ts';
import { binanceFailure, failureText, readFailure } from './binance-failures.ts';
import { InstrumentRefused, type BinanceLink } from './binance-link.ts';
import type { ReadyMarket, ReadyMarkets } from './binance-ready-markets.ts';

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
    const { ex, ids, orderMarkets } = this.link;
    const markets = await this.link.ready();
    // On the symbol it is known to be on; else each in turn (by our client id: never ambiguous).
    for (const ready of orderMarkets.candidates(ids.wire(cid), markets)) {
      let o: Order;
      try {
        o = await ex.fetchOrder('', ready.symbol, { origClientOrderId: ids.wire(cid) });
      } catch (err) {
        if (binanceFailure(err).meaning === 'not_found') continue;
        throw err;
      }
      orderMarkets.note(ids.wire(cid), ready.inst.symbol);
      const trades = await this.tradesOf(ready, o);
      const read = orderRow(ready.inst, ids, o, 'lookup', trades);
      if (read === null) throw new Error('the order Binance answered could not be read');
      return { kind: 'OrderStatusReport', ...this.link.instruments.stated(read.row, ready.inst.symbol) };
    }
    return { kind: 'OrderNotFoundReport', clientOrderId: cid };
  }

  /** The order's executions (myTrades by orderId), or undefined: none filled, or unreadable. */
  private async tradesOf(ready: ReadyMarket, o: Order): Promise<ReportedTrade[] | undefined> {
    if (!(typeof o.filled === 'number' && o.filled > 0) || typeof o.id !== 'string') return undefined;
    try {
      const list = await this.link.ex.fetchMyTrades(ready.symbol, undefined, MAX_PAGE, { orderId: o.id });
      const at = typeof o.timestamp === 'number' ? o.timestamp : this.link.clock.now();
      const trades = list.flatMap((t) => reportedTrade(ready.inst, ready.assets, t, at) ?? []);
      if (trades.length !== list.length) return undefined;
      return await this.link.commissions.value(ready.inst, ready.assets, trades);
    } catch {
      return undefined; // the state still answers; core infers the fills from it
    }
  }

  /** Rows of orders on the traded markets, the first TRADES_PER_LISTING filled ones with their
   *  executions; each states its symbol when the adapter trades several. */
  private async rows(markets: ReadyMarkets, orders: readonly Order[], source: VenueOrderRow['source']) {
    let budget = TRADES_PER_LISTING;
    const { instruments, ids, orderMarkets } = this.link;
    const out: Array<{ row: VenueOrderRow; at: number | null; updatedAt: number | null }> = [];
    for (const o of orders) {
      const ready = markets.unified(o.symbol);
      if (ready === null) continue;
      const trades =
        budget > 0 && typeof o.filled === 'number' && o.filled > 0 ? await this.tradesOf(ready, o) : undefined;
      if (trades !== undefined) budget--;
      const read = orderRow(ready.inst, ids, o, source, trades);
      if (read === null) continue;
      if (typeof o.clientOrderId === 'string') orderMarkets.note(o.clientOrderId, ready.inst.symbol);
      const row = instruments.stated(read.row, ready.inst.symbol);
      out.push({ row, at: read.times.submittedAt, updatedAt: read.times.updatedAt });
    }
    return out;
  }

  private async openOrders(): Promise<VenueMessage> {
    const markets = await this.link.ready();
    const orders: Order[] = [];
    for (const ready of markets.all) orders.push(...(await this.link.ex.fetchOpenOrders(ready.symbol)));
    const rows = await this.rows(markets, orders, 'reconciliation');
    return { kind: 'OpenOrdersReport', orders: rows.map((r) => r.row) };
  }

  /**
   * One page of orders created at or after `since`, by (creation time, order id), strictly after
   * the cursor. Binance's order ids grow with creation, so with one symbol a page after a cursor
   * is asked by orderId (allOrders answers ids >= it); the first by startTime, in windows of a day
   * (the longest Binance answers) until one holds an order or reaches now, from at most 90 days
   * ago. With several symbols each is read by startTime from the cursor's time (an order id is
   * one symbol's), and the page is the merge of their answers.
   */
  private async ordersSince(since: number, limit: number, cursor?: OrdersCursor): Promise<VenueMessage> {
    const { ex } = this.link;
    const markets = await this.link.ready();
    const dated = (rows: Awaited<ReturnType<BinanceQueries['rows']>>) =>
      rows.filter((r): r is { row: VenueOrderRow; at: number; updatedAt: number | null } => r.at !== null);
    if (markets.all.length === 1) {
      const ready = markets.first;
      const ask = Math.min(MAX_PAGE, limit + 1);
      const got =
        cursor !== undefined
          ? await ex.fetchOrders(ready.symbol, undefined, ask, { orderId: cursor.venueOrderId })
          : await this.createdSince(ready, since, ask);
      const listed = dated(await this.rows(markets, got, 'reconciliation'));
      return submittedOrdersPage(since, listed, cursor, limit, got.length >= ask, compareIds);
    }
    // Each symbol from the cursor's time on, as many as one answer holds (so that a symbol's
    // orders in one millisecond never outnumber a page); merged up to the earliest full answer.
    const listings: SymbolListing[] = [];
    for (const ready of markets.all) {
      const got = await this.createdSince(ready, Math.max(since, cursor?.at ?? since), MAX_PAGE);
      listings.push({ listed: dated(await this.rows(markets, got, 'reconciliation')), full: got.length >= MAX_PAGE });
    }
    return mergedOrdersPage(since, listings, cursor, limit, compareIds);
  }

  /** Up to `ask` of a symbol's orders created from `from` on: the first day's window from then
   *  (at most 90 days ago) that holds an order, or the last one, reaching now. */
  private async createdSince(ready: ReadyMarket, from: number, ask: number): Promise<Order[]> {
    const { ex, clock } = this.link;
    let got: Order[];
    for (let start = Math.max(from, clock.now() - KEPT_MS); ; start += DAY_MS) {
      const until = start + DAY_MS - 1;
      got = await ex.fetchOrders(ready.symbol, start, ask, until < clock.now() ? { endTime: until } : {});
      if (got.length > 0 || until >= clock.now()) break;
    }
    return got;
  }

  /** The base balances (free and locked) of each symbol and the one quote balance, from GET
   *  /api/v3/account. */
  private async account(): Promise<VenueMessage> {
    const { ex, instruments } = this.link;
    const markets = await this.link.ready();
    const balance = await ex.fetchBalance();
    const raw = (balance.info as { balances?: unknown } | undefined)?.balances;
    const rows = Array.isArray(raw) ? (raw as Array<Record<string, unknown>>) : [];
    const asset = (id: string) => rows.find((b) => b['asset'] === id);
    const amount = (b: Record<string, unknown> | undefined, k: 'free' | 'locked') => plainDecimal(b?.[k] ?? '0') ?? '0';
    const held = markets.all.map(({ inst, market }) => {
      const base = asset(market.baseId ?? '');
      const free = lotsOf(inst, amount(base, 'free')) ?? 0;
      const locked = lotsOf(inst, amount(base, 'locked')) ?? 0;
      return { symbol: inst.symbol, position: free + locked, base: { free, locked } };
    });
    const quote = asset(markets.first.market.quoteId ?? '');
    const quoteFree = instruments.quoteUnits(amount(quote, 'free'));
    const quoteLocked = instruments.quoteUnits(amount(quote, 'locked'));
    const [first, ...others] = held as [(typeof held)[number], ...typeof held];
    return {
      kind: 'AccountReport',
      symbol: first.symbol,
      position: first.position,
      quote: quoteFree + quoteLocked,
      balances: { base: first.base, quote: { free: quoteFree, locked: quoteLocked } },
      ...(instruments.several ? { others } : {}),
    };
  }
}

/** Binance's order ids are integers: compared as numbers, then as text. */
function compareIds(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}
