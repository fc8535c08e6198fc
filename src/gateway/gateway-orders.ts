// The gateway's order desk, whatever venue's wire it serves: the orders its clients placed, sent
// to the fill profile's desk (paper-desk.ts) and waited for on its REST channel (so the scenario's
// latency and request faults reach the client's answer), every change told to the wire as a
// DeskEvent (desk-record.ts; the exchange's record's own changes by desk-events.ts). An order's
// state is always read from the exchange's own record: a fill whose stream report a fault lost is
// still there, only the event is gone. One desk serves every symbol of the gateway: its client
// ids are the account's, its orders go to their symbol's book.
import { randomUUID } from 'node:crypto';
import { clientOrderId, parentOrderId } from '../core/model/ids.ts';
import type { Instrument } from '../core/model/instrument.ts';
import type { OrderRequest } from '../core/model/order.ts';
import type { VenueMessage } from '../core/model/reports.ts';
import type { ExchangeOrder } from '../sim/venue/exchange-order.ts';
import { ArrivingOrders } from './arriving-orders.ts';
import { DeskEvents } from './desk-events.ts';
import { DeskHoldings } from './desk-holdings.ts';
import type { DeskEvent, DeskOrder, DeskRecord, DeskStatus } from './desk-record.ts';
import type { GatewayVenue } from './gateway-venue.ts';

type Waiter = (report: VenueMessage) => void;

/**
 * Ids: each order gets a random UUID (or the wire's own id, `newId`), which is also its client
 * order id at the simulated exchange, so a venue's client ids never meet the exchange's id rules;
 * when a client id may be used again is the wire's rule: never (clientIdUsed: ever used here, as
 * Alpaca's) or once no order under it is open (clientIdOpen, as Binance's). A client id reused
 * that way names its latest order in lookups; a refused reuse leaves it naming the earlier one.
 * An order exists (lookups, lists, cancel) from the moment the exchange accepted it; before, it
 * is only reserved. One exception: a request the
 * venue will act on although its answer is lost (Delivery in src/sim/faults.ts) makes an order
 * that exists at once (arriving-orders.ts). Submission times are unique to the millisecond (a later order
 * gets at least 1 ms more), so clients paging by time at millisecond precision never skip one.
 * Each request's answer is formed in the same turn as the desk settles it (the `answer`
 * callbacks), so no other request's continuation can change the order in between.
 */
export class GatewayOrders {
  private readonly byId = new Map<string, DeskRecord>();
  private readonly byCid = new Map<string, DeskRecord>();
  /** Every client id ever used (reserved at the request), to its orders' ids, oldest first ('':
   *  reserved by a replace under way). */
  private readonly clientIds = new Map<string, string[]>();
  /** Orders in submission order. */
  private readonly list: DeskRecord[] = [];
  private readonly submitWaiters = new Map<string, Waiter>();
  private readonly cancelWaiters = new Map<string, Waiter[]>();
  private lastSubmitted = -Infinity;
  /** The gateway's first instrument (an order without a symbol trades it). */
  readonly instrument: Instrument;
  /** The venue's clock against the wall clock, ms. */
  readonly skewMs: number;
  /** What the orders hold of the account: locked quote, held lots, executions. */
  readonly holdings: DeskHoldings;
  /** The exchange's record's changes, told to the wire. */
  private readonly events: DeskEvents;
  /** Orders announced before they reached the book. */
  private readonly arrivals: ArrivingOrders;

  constructor(
    private readonly gv: GatewayVenue,
    private readonly tell: (event: DeskEvent) => void,
    private readonly newId: () => string = randomUUID,
  ) {
    this.instrument = gv.instrument;
    this.skewMs = gv.scenario.venue.clockSkewMs;
    this.holdings = new DeskHoldings({
      records: this.list,
      exchangeOrder: (rec) => this.exchangeOrder(rec),
      onTheWay: (rec) => this.arrivals.has(rec),
      position: (symbol) => gv.desk.positionOf(symbol),
      initialPosition: (symbol) => gv.requireSymbol(symbol).initialPosition,
      scale: (symbol) => gv.requireSymbol(symbol).scale,
      primary: gv.instrument.symbol,
    });
    this.events = new DeskEvents({
      exchangeOrder: (rec) => this.exchangeOrder(rec),
      now: () => this.now(),
      skewMs: this.skewMs,
      holdings: this.holdings,
      tell,
      afterOrderEntry: (fn) => this.afterOrderEntry(fn),
    });
    this.arrivals = new ArrivingOrders({
      exchangeOrder: (rec) => this.exchangeOrder(rec),
      now: () => this.now(),
      events: this.events,
      tell,
      afterOrderEntry: (fn) => this.afterOrderEntry(fn),
    });
    gv.desk.setReportHandler((r) => this.onReport(r));
    // The venue changes only inside its clock's work: an order on its way is looked for after each.
    gv.clock.afterWork(() => this.arrivals.checkArrived());
  }

  /** The venue's time now (the scenario's clock skew applied), epoch ms. */
  now(): number {
    return this.gv.clock.now() + this.skewMs;
  }

  /** Whether a client id was ever used here, or is reserved by a replace under way. */
  clientIdUsed(clientId: string): boolean {
    return this.clientIds.has(clientId);
  }

  /** Whether an order under this client id is on its way to the venue or open there (or the id
   *  is reserved by a replace under way): the id may not be used again until none is. */
  clientIdOpen(clientId: string): boolean {
    for (const id of this.clientIds.get(clientId) ?? []) {
      const rec = this.byId.get(id);
      if (rec === undefined) return true; // reserved
      const status = this.status(rec);
      if (status !== 'filled' && status !== 'canceled' && status !== 'expired' && status !== 'rejected') return true;
    }
    return false;
  }

  // ---- requests --------------------------------------------------------------------------

  /**
   * Sends an order to the venue under `clientId` (reserved here until the venue refuses it) and
   * hands the venue's answer to `answer` (an AckReport: the order exists, its `new` told; a
   * refusal or a lost answer: the order is forgotten unless announced). `created` runs once the
   * order exists.
   */
  async place<T>(
    order: DeskOrder,
    clientId: string,
    answer: (rec: DeskRecord, report: VenueMessage) => T,
    replaces: string | null = null,
    created: (rec: DeskRecord) => void = () => {},
  ): Promise<T> {
    const symbol = order.symbol ?? this.instrument.symbol;
    this.gv.requireSymbol(symbol); // the wire checks the symbol first: this one is a bug
    const id = this.newId();
    const submittedAt = Math.max(Math.floor(this.now()), this.lastSubmitted + 1);
    this.lastSubmitted = submittedAt;
    const rec: DeskRecord = {
      id,
      clientOrderId: clientId,
      cid: clientOrderId(id),
      submittedAt,
      announced: false,
      rejectedAt: null,
      ...order,
      symbol,
      pendingCancel: false,
      replacing: false,
      replacedBy: null,
      replacedAt: null,
      replaces,
      newSent: false,
      closedSent: false,
      executionIds: new Map(),
    };
    this.reserve(clientId, id);
    this.byId.set(id, rec);
    this.byCid.set(rec.cid, rec);
    this.list.push(rec);
    const request: OrderRequest = {
      clientOrderId: rec.cid,
      parentId: parentOrderId(id),
      sliceNum: 1,
      totalSlices: 1,
      scheduledTime: this.gv.clock.now(),
      symbol: rec.symbol,
      side: rec.side,
      type: rec.type,
      tif: rec.tif,
      qty: rec.qty,
      ...(rec.limitPrice === null ? {} : { limitPrice: rec.limitPrice }),
      ...(rec.stopPrice === null ? {} : { stopPrice: rec.stopPrice }),
      ...(rec.postOnly === true ? { postOnly: true } : {}),
    };
    const report = await new Promise<VenueMessage>((resolve) => {
      this.submitWaiters.set(rec.cid, resolve);
      if (this.gv.desk.submit(request) === 'unanswered') this.arrivals.announce(rec, created);
    });
    switch (report.kind) {
      case 'AckReport':
        created(rec);
        this.events.sendNew(rec);
        break;
      case 'RejectReport':
      case 'RetryableRejectReport':
        this.forget(rec);
        break;
      case 'OutcomeUnknownReport':
        // An order the venue acts on was announced when its request left; any other never
        // reached the venue, and its client id is free again.
        if (!rec.announced) this.forget(rec);
        break;
    }
    return answer(rec, report);
  }

  /**
   * Cancels an order once it is at the book: `answer` gets the venue's answer, or null when the
   * order is not open (or is being replaced) and nothing was sent. A cancel whose answer was lost
   * may still take effect: its `closed` is told when it does.
   */
  async cancel<T>(rec: DeskRecord, answer: (report: VenueMessage | null) => T): Promise<T> {
    await this.arrivals.arrival(rec);
    const o = this.exchangeOrder(rec);
    if (!o || (o.status !== 'new' && o.status !== 'partially_filled') || rec.replacing) return answer(null);
    const report = await this.venueCancel(rec, o, true);
    rec.pendingCancel = false;
    if (report.kind === 'OutcomeUnknownReport') this.events.closedWhenCancelled(rec);
    return answer(report);
  }

  /**
   * Replaces an open order (`o`, its exchange order) with `order` under `clientId`: the venue has
   * no atomic replace, so the old order is cancelled (pending_replace told), then the new one
   * placed (with `replaces`) and the old one told `replaced`. `keepQty` false: the new order is
   * for what the old one has left once its cancel took effect (a fill landing on it while the
   * cancel travelled is not placed again). A cancel the venue did not confirm ends the replace:
   * `cancelFailed` gets its answer (replace_rejected told, unless the outcome is unknown). A new
   * order the venue refuses leaves the old one cancelled all the same (`closed` told).
   */
  async replace<T>(
    rec: DeskRecord,
    o: ExchangeOrder,
    order: DeskOrder,
    keepQty: boolean,
    clientId: string,
    answer: { placed(rec: DeskRecord, report: VenueMessage): T; cancelFailed(report: VenueMessage): T },
  ): Promise<T> {
    this.reserve(clientId, ''); // reserved until the new order exists (or the replace fails)
    rec.replacing = true;
    this.tell({ kind: 'pending_replace', rec, at: this.now() });
    const cancelled = await this.venueCancel(rec, o, false);
    if (cancelled.kind !== 'CancelReport') {
      rec.replacing = false;
      this.release(clientId, '');
      if (cancelled.kind === 'OutcomeUnknownReport') this.events.closedWhenCancelled(rec);
      else this.tell({ kind: 'replace_rejected', rec, at: this.now() });
      return answer.cancelFailed(cancelled);
    }
    this.release(clientId, '');
    // The old order is cancelled now: what it has left is final, fills while the cancel travelled
    // included. Without a qty the replacement is that (the remainder read before could overfill).
    const same = { ...order, symbol: order.symbol ?? rec.symbol };
    const next = keepQty ? same : { ...same, qty: o.qty - o.filled };
    const placed = await this.place(next, clientId, answer.placed, rec.id, (successor) => {
      rec.replacing = false;
      rec.replacedBy = successor.id;
      rec.replacedAt = o.updatedAt + this.skewMs;
      rec.closedSent = true;
      this.tell({ kind: 'replaced', rec, at: rec.replacedAt });
    });
    if (rec.replacing) {
      // No successor: the old order was cancelled all the same.
      rec.replacing = false;
      this.events.sendClosed(rec);
    }
    return placed;
  }

  /** Asks the venue to cancel (once: concurrent asks share the answer); `announce` tells pending_cancel. */
  private venueCancel(rec: DeskRecord, o: ExchangeOrder, announce: boolean): Promise<VenueMessage> {
    return new Promise<VenueMessage>((resolve) => {
      const waiting = this.cancelWaiters.get(rec.cid);
      if (waiting) {
        waiting.push(resolve);
        return;
      }
      this.cancelWaiters.set(rec.cid, [resolve]);
      if (announce) {
        rec.pendingCancel = true;
        this.tell({ kind: 'pending_cancel', rec, at: this.now() });
      }
      this.gv.desk.cancel(rec.cid, o.venueOrderId);
    });
  }

  // ---- reads -------------------------------------------------------------------------------

  /** Orders that exist (the venue has them, or will: announced), in submission order. */
  orders(): DeskRecord[] {
    return this.list.filter((r) => this.exists(r));
  }

  visible(id: string): DeskRecord | undefined {
    const rec = this.byId.get(id);
    return rec && this.exists(rec) ? rec : undefined;
  }

  private exists(rec: DeskRecord): boolean {
    return rec.announced || this.exchangeOrder(rec) !== undefined;
  }

  /** The latest order that exists under a client id (of `symbol`, when given: a venue whose
   *  lookups name the symbol finds an order under it even when a later one of another symbol
   *  took the id). */
  byClientOrderId(clientId: string, symbol?: string): DeskRecord | undefined {
    const ids = this.clientIds.get(clientId) ?? [];
    for (let i = ids.length - 1; i >= 0; i--) {
      const rec = this.visible(ids[i] as string);
      if (rec && (symbol === undefined || rec.symbol === symbol)) return rec;
    }
    return undefined;
  }

  /** Where the order is in its life now. */
  status(rec: DeskRecord): DeskStatus {
    const o = this.exchangeOrder(rec);
    if (!o) return rec.rejectedAt !== null ? 'rejected' : this.arrivals.has(rec) ? 'arriving' : 'accepted';
    if (rec.replacedBy !== null) return 'replaced';
    if (rec.replacing) return 'replacing';
    if (rec.pendingCancel && (o.status === 'new' || o.status === 'partially_filled')) return 'pending_cancel';
    return o.status;
  }

  /** The order at the exchange (its fills, its status there), once it is there. */
  exchangeOrder(rec: DeskRecord): ExchangeOrder | undefined {
    return this.gv.desk.order(rec.cid);
  }

  // ---- the venue's reports -----------------------------------------------------------------

  private onReport(r: VenueMessage): void {
    if (!('clientOrderId' in r) || r.clientOrderId === null) return;
    const rec = this.byCid.get(r.clientOrderId);
    switch (r.kind) {
      case 'AckReport':
      case 'RejectReport':
      case 'RetryableRejectReport':
        this.resolveSubmit(r.clientOrderId, r);
        return;
      case 'OutcomeUnknownReport':
        if (r.request === 'submit') this.resolveSubmit(r.clientOrderId, r);
        else this.resolveCancel(r.clientOrderId, r);
        return;
      case 'CancelReport':
        if (rec) this.events.sendClosed(rec);
        this.resolveCancel(r.clientOrderId, r);
        return;
      case 'CancelRejectReport':
        this.resolveCancel(r.clientOrderId, r);
        return;
      case 'FillReport':
        if (rec) this.events.sendFill(rec, r.tradeId);
        return;
      case 'ExpiredReport':
        if (rec) this.events.sendClosed(rec);
        return;
      default:
        return; // lookups: the gateway reads the exchange directly and never asks
    }
  }

  private resolveSubmit(cid: string, r: VenueMessage): void {
    const w = this.submitWaiters.get(cid);
    this.submitWaiters.delete(cid);
    w?.(r);
  }

  private resolveCancel(cid: string, r: VenueMessage): void {
    const ws = this.cancelWaiters.get(cid) ?? [];
    this.cancelWaiters.delete(cid);
    for (const w of ws) w(r);
  }

  /** Runs `fn` once a request sent now has surely reached the venue (past the order-entry bound;
   *  timers fire in order of their due times, so after whatever that request does there). */
  private afterOrderEntry(fn: () => void): void {
    this.gv.clock.post(fn, Math.ceil(this.gv.orderEntryBoundMs) + 1);
  }

  /** Resolves once the order is no longer on its way to the book (at once if it is not). */
  arrival(rec: DeskRecord): Promise<void> {
    return this.arrivals.arrival(rec);
  }

  // ---- client ids ---------------------------------------------------------------------------

  private reserve(clientId: string, id: string): void {
    const ids = this.clientIds.get(clientId);
    if (ids) ids.push(id);
    else this.clientIds.set(clientId, [id]);
  }

  /** Frees one use of a client id (the last one with this order id); the id is unused again
   *  when it has none left. */
  private release(clientId: string, id: string): void {
    const ids = this.clientIds.get(clientId);
    if (!ids) return;
    const i = ids.lastIndexOf(id);
    if (i >= 0) ids.splice(i, 1);
    if (ids.length === 0) this.clientIds.delete(clientId);
  }

  private forget(rec: DeskRecord): void {
    this.byId.delete(rec.id);
    this.byCid.delete(rec.cid);
    this.release(rec.clientOrderId, rec.id);
    const i = this.list.indexOf(rec);
    if (i >= 0) this.list.splice(i, 1);
  }
}
