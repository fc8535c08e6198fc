// The Broker's queries on Alpaca's REST API: one order by client id, the open orders, orders
// since a time (paged by submission time, as Alpaca filters), and the account with each traded
// instrument's position (the listings ask for every traded symbol at once: Alpaca's `symbols`
// takes a comma-separated list, so paging stays one cursor over them all). Each answers once,
// with its report or a QueryFailedReport carrying the failure's class; the snapshot reads echo
// their request id and as-of time. Separate because
// reads have their own paging and failure rules, and no state: nothing here outlives a request.
import type { ClientOrderId } from '../../core/model/ids.ts';
import type { QueryFailedReport, VenueMessage } from '../../core/model/reports.ts';
import type { OrdersCursor } from '../../core/ports/broker.ts';
import { lotsOf, orderFields, plainDecimal, tradedOrderRow } from './alpaca-convert.ts';
import type { VenueOrderRow } from '../live-venue.ts';
import { submittedOrdersPage } from '../orders-page.ts';
import { readFailure, wireFailure, type WireFailure } from './alpaca-failures.ts';
import type { AlpacaLink } from './alpaca-link.ts';

const OPEN_PAGE = 500; // Alpaca's largest page

export class AlpacaQueries {
  constructor(private readonly link: AlpacaLink) {}

  queryOrder(clientOrderId: ClientOrderId, askedAfterSeq?: number): void {
    const { instruments, ids, reports } = this.link;
    const stamp = askedAfterSeq === undefined ? {} : { askedAfterSeq };
    this.link.alpaca.trading.orders
      .getOrderByClientOrderId({ clientOrderId: ids.wire(clientOrderId) }, { signal: this.link.signal })
      .then(
        (o): VenueMessage => {
          const row = tradedOrderRow(instruments, ids.local(o), 'lookup');
          if (row === null)
            return queryFailed('order', clientOrderId, { message: 'the order could not be read' }, stamp);
          return { kind: 'OrderStatusReport', ...row, ...stamp };
        },
        (err: unknown): VenueMessage => {
          const f = wireFailure(err);
          if (f.httpStatus === 404) return { kind: 'OrderNotFoundReport', clientOrderId, ...stamp };
          return queryFailed('order', clientOrderId, f, stamp);
        },
      )
      .then((r) => reports.emit(r));
  }

  queryOpenOrders(requestId?: string): void {
    const asOf = this.link.clock.now();
    void this.openOrders().then((r) => this.link.reports.emit(stamped(r, requestId, asOf)));
  }

  queryOrdersSince(since: number, limit: number, after?: OrdersCursor, requestId?: string): void {
    if (!Number.isSafeInteger(limit) || limit < 1)
      throw new Error(`queryOrdersSince: limit must be a positive integer, got ${limit}`);
    const asOf = this.link.clock.now();
    void this.ordersSince(since, limit, after).then((r) => this.link.reports.emit(stamped(r, requestId, asOf)));
  }

  queryAccount(requestId?: string): void {
    const asOf = this.link.clock.now();
    void this.account().then((r) => this.link.reports.emit(stamped(r, requestId, asOf)));
  }

  private async openOrders(): Promise<VenueMessage> {
    const { alpaca, instruments, ids } = this.link;
    // Paged oldest first by submission time. Alpaca's `after` is exclusive and a Date has only
    // milliseconds, so each page restarts 1 ms before the last row's time and rows already seen
    // are skipped by id: nothing is missed, nothing counted twice.
    const seen = new Map<string, VenueOrderRow>();
    let after: string | undefined;
    try {
      for (let page = 0; page < 1000; page++) {
        const got = await alpaca.trading.orders.getAllOrders(
          {
            status: 'open',
            direction: 'asc',
            limit: OPEN_PAGE,
            symbols: instruments.symbols().join(','),
            ...(after === undefined ? {} : { after }),
          },
          { signal: this.link.signal },
        );
        let added = 0;
        let last: number | null = null;
        for (const o of got) {
          const raw = ids.local(o);
          const f = orderFields(raw);
          last = f.submittedAt ?? last;
          if (instruments.of(f.symbol) === null || seen.has(f.id)) continue;
          const row = tradedOrderRow(instruments, raw, 'reconciliation');
          if (row !== null) {
            seen.set(f.id, row);
            added++;
          }
        }
        if (got.length < OPEN_PAGE || added === 0 || last === null) break;
        after = new Date(last - 1).toISOString();
      }
    } catch (err) {
      return queryFailed('open_orders', null, wireFailure(err));
    }
    return { kind: 'OpenOrdersReport', orders: [...seen.values()] };
  }

  /**
   * Alpaca lists orders by SUBMISSION time (its `after` filters on it, exclusive), so the page is
   * ordered by (submission time, venue order id) and the cursor is the last row's pair. The
   * request starts 1 ms before the later of `since` and the cursor's time (a Date has only
   * milliseconds), asks for some rows more than `limit`, and the rows at or before the cursor
   * are dropped here.
   */
  private async ordersSince(since: number, limit: number, cursor?: OrdersCursor): Promise<VenueMessage> {
    const { alpaca, instruments, ids } = this.link;
    const from = Math.max(since, cursor?.at ?? since);
    const ask = Math.min(OPEN_PAGE, limit + 50);
    let got: unknown[];
    try {
      got = await alpaca.trading.orders.getAllOrders(
        {
          status: 'all',
          direction: 'asc',
          limit: ask,
          symbols: instruments.symbols().join(','),
          after: new Date(from - 1).toISOString(),
        },
        { signal: this.link.signal },
      );
    } catch (err) {
      return queryFailed('orders_since', null, wireFailure(err));
    }
    const rows: Array<{ at: number; row: VenueOrderRow }> = [];
    for (const o of got) {
      const raw = ids.local(o);
      const f = orderFields(raw);
      const row = tradedOrderRow(instruments, raw, 'reconciliation');
      if (row === null || instruments.of(f.symbol) === null || f.submittedAt === null || f.submittedAt < since)
        continue;
      rows.push({ at: f.submittedAt, row });
    }
    // Alpaca's order ids are UUIDs: compared as text.
    return submittedOrdersPage(since, rows, cursor, limit, got.length >= ask, (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  private async account(): Promise<VenueMessage> {
    const { alpaca, instruments } = this.link;
    const signal = { signal: this.link.signal };
    try {
      const [account, ...positions] = await Promise.all([
        alpaca.trading.account.getAccount(signal),
        ...instruments.all.map((inst) =>
          alpaca.trading.positions.getOpenPosition({ symbolOrAssetId: inst.symbol }, signal).catch((err: unknown) => {
            if (wireFailure(err).httpStatus === 404) return null; // no position: flat
            throw err;
          }),
        ),
      ]);
      const raw = account as Record<string, unknown>;
      const cash = plainDecimal(raw['cash']);
      if (cash === null) return queryFailed('account', null, { message: 'the account shows no cash' });
      const quote = instruments.quoteUnits(cash);
      const held = instruments.all.map((inst, i) => {
        const p = positions[i] as Record<string, unknown> | null;
        const qty = p === null ? 0 : (lotsOf(inst, p['qty']) ?? 0);
        const available = p === null ? 0 : (lotsOf(inst, p['qty_available'] ?? p['qtyAvailable']) ?? qty);
        return { symbol: inst.symbol, position: qty, base: { free: available, locked: qty - available } };
      });
      const [first, ...others] = held as [(typeof held)[number], ...typeof held];
      return {
        kind: 'AccountReport',
        symbol: first.symbol,
        position: first.position,
        quote,
        balances: { base: first.base, quote: { free: quote, locked: null } },
        ...(instruments.several ? { others } : {}),
      };
    } catch (err) {
      return queryFailed('account', null, wireFailure(err));
    }
  }
}

/** A failed read as QueryFailedReport; a failure without wire detail is 'transient'. */
function queryFailed(
  query: QueryFailedReport['query'],
  cid: ClientOrderId | null,
  f: Partial<WireFailure> & { message: string },
  stamp: { askedAfterSeq?: number } = {},
): QueryFailedReport {
  const wf: WireFailure = { noAnswer: false, notSent: false, ...f };
  const c =
    f.httpStatus === undefined && f.code === undefined && f.noAnswer === undefined
      ? { failure: 'transient' as const, category: 'unrecognised' as const, reason: f.message }
      : readFailure(wf);
  return { kind: 'QueryFailedReport', clientOrderId: cid, query, ...c, ...stamp };
}

/** A snapshot answer with its request's id and as-of time (the clock when the request was sent);
 *  a failed snapshot read echoes the id. */
function stamped(report: VenueMessage, requestId: string | undefined, asOf: number): VenueMessage {
  const id = requestId === undefined ? {} : { requestId };
  if (report.kind === 'QueryFailedReport') return { ...report, ...id };
  if (report.kind === 'OpenOrdersReport' || report.kind === 'OrdersPageReport' || report.kind === 'AccountReport')
    return { ...report, ...id, asOf };
  return report;
}
