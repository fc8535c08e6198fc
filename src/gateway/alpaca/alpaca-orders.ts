// The gateway's Alpaca order desk over the simulated venue: turns Alpaca order requests into the
// venue's OrderRequests, waits for the venue's answer on its REST channel (so the scenario's
// latency and request faults reach the HTTP answer: a 429, a 503, a timeout that resets the
// connection), keeps Alpaca's ids and client ids (unique forever), and turns the venue's reports
// into trade_updates events. What an order looks like is always read from the simulated exchange's
// own record (src/sim/venue): a fill whose stream report a fault lost is still in GET /v2/orders,
// as at a real venue; only the event is gone.
//
// Ids: each order gets a random UUID, which is also its client order id at the simulated exchange,
// so Alpaca's client ids (any text up to 128 characters) never meet the exchange's id rules; the
// gateway checks Alpaca's uniqueness itself. An order exists (lookups, lists, cancel) from the
// moment the exchange accepted it: between the POST and that moment it is only reserved. One
// exception: a request the venue will act on although its answer is lost (a timeout or a 5xx
// after the venue received it; the venue says so as the request is sent, Delivery in
// src/sim/faults.ts) makes an order that exists from the POST, `pending_new` until it reaches
// the book: the POST's dropped connection does not free its client id, and the order is listed
// and found by it, as at Alpaca.
// Should the exchange refuse it there, it is `rejected` (Alpaca's rejection after acceptance).
// Submission times are unique to the millisecond (a later order gets at least 1 ms more), so
// clients paging with after/until at the millisecond precision of a JavaScript Date never skip
// an order.
import { randomUUID } from 'node:crypto';
import { clientOrderId, parentOrderId, type ClientOrderId } from '../../core/model/ids.ts';
import { fractionalTicksToPrice, lotsToQty, ticksToPrice, type Instrument } from '../../core/model/instrument.ts';
import type { OrderRequest } from '../../core/model/order.ts';
import type { OutcomeUnknownReport, VenueMessage } from '../../core/model/reports.ts';
import { refusal } from '../../core/venues/index.ts';
import type { ExchangeOrder, ExchangeTrade } from '../../sim/venue/exchange-order.ts';
import type { GatewayVenue } from '../gateway-venue.ts';
import { alpacaError, rfc3339, type AlpacaError } from './wire.ts';
import { parseOrderRequest, TIFS, type ParsedOrder } from './alpaca-order-request.ts';

export type { AlpacaTif } from './alpaca-order-request.ts';

/** An order the desk took: what its request asked for (side, type, time in force, quantity and
 *  prices as parsed), its ids, and where it is in its life. */
export interface OrderRecord extends Omit<ParsedOrder, 'clientOrderId'> {
  readonly id: string;
  readonly clientOrderId: string;
  /** The order's id at the simulated exchange (= id). */
  readonly cid: ClientOrderId;
  /** Venue time of the submission, epoch ms, unique across orders. */
  readonly submittedAt: number;
  /** The order exists although the exchange does not have it (yet): the venue will act on its
   *  request, whose answer is lost. Orders the exchange has always exist. */
  announced: boolean;
  /** When the exchange refused an announced order (venue time, epoch ms): it is `rejected`. */
  rejectedAt: number | null;
  pendingCancel: boolean;
  /** A replace is under way: the order is being cancelled and its successor not yet placed. */
  replacing: boolean;
  /** The order that replaced this one, and when (epoch ms): set once the successor exists. */
  replacedBy: string | null;
  replacedAt: number | null;
  /** The order this one replaced. */
  readonly replaces: string | null;
  newSent: boolean;
  closedSent: boolean;
  readonly executionIds: Map<string, string>;
}

/** One trade_updates message's data. */
export interface TradeUpdate {
  readonly event: string;
  readonly timestamp: string;
  readonly order: AlpacaOrderJson;
  readonly execution_id?: string;
  readonly price?: string;
  readonly qty?: string;
  readonly position_qty?: string;
}

export type AlpacaOrderJson = Record<string, string | boolean | null>;

/** How a request ended at the venue, for the HTTP layer. */
export type DeskAnswer =
  | { readonly kind: 'ok'; readonly status: 200 | 204; readonly body: unknown }
  | { readonly kind: 'error'; readonly error: AlpacaError }
  /** The venue's answer was lost (an outage): the HTTP layer drops the connection. */
  | { readonly kind: 'reset' };

type Waiter = (report: VenueMessage) => void;

const STATUS_OPEN = new Set([
  'new',
  'partially_filled',
  'pending_cancel',
  'pending_replace',
  'accepted',
  'pending_new',
]);

export class AlpacaOrders {
  private readonly byId = new Map<string, OrderRecord>();
  private readonly byCid = new Map<string, OrderRecord>();
  /** Every client id ever used (reserved at the POST), to the order's id. */
  private readonly clientIds = new Map<string, string>();
  /** Orders in submission order. */
  private readonly list: OrderRecord[] = [];
  private readonly submitWaiters = new Map<string, Waiter>();
  private readonly cancelWaiters = new Map<string, Waiter[]>();
  /** Announced orders still on their way to the book (Alpaca's `pending_new`: not yet at the
   *  exchange), each with what waits for it to get there. */
  private readonly arriving = new Map<OrderRecord, Array<() => void>>();
  private lastSubmitted = -Infinity;
  private readonly inst: Instrument;
  private readonly skewMs: number;
  readonly assetId: string;
  readonly symbol: string;

  constructor(
    private readonly gv: GatewayVenue,
    private readonly emit: (update: TradeUpdate) => void,
    private readonly newId: () => string = randomUUID,
  ) {
    this.inst = gv.instrument;
    this.skewMs = gv.scenario.venue.clockSkewMs;
    this.assetId = symbolUuid(gv.instrument.symbol);
    this.symbol = gv.instrument.symbol;
    gv.desk.setReportHandler((r) => this.onReport(r));
    // The venue changes only inside its clock's work: an order on its way is looked for after each.
    gv.clock.afterWork(() => {
      for (const rec of this.arriving.keys()) if (this.exchangeOrder(rec)) this.arrived(rec);
    });
  }

  /** The venue's time now (the scenario's clock skew applied), epoch ms. */
  now(): number {
    return this.gv.clock.now() + this.skewMs;
  }

  // ---- requests --------------------------------------------------------------------------

  async submit(body: unknown): Promise<DeskAnswer> {
    const parsed = this.parseOrder(body);
    if ('status' in parsed) return { kind: 'error', error: parsed };
    const clientId = parsed.clientOrderId ?? this.newId();
    if (this.clientIds.has(clientId))
      return { kind: 'error', error: alpacaError(422, 40010001, 'client_order_id must be unique') };
    return this.place(parsed, clientId, null);
  }

  /** Sends a parsed order to the venue under the (reserved-here) client id; answers with its fate. */
  private async place(
    parsed: ParsedOrder,
    clientId: string,
    replaces: string | null,
    created: (rec: OrderRecord) => void = () => {},
  ): Promise<DeskAnswer> {
    const id = this.newId();
    const submittedAt = Math.max(Math.floor(this.now()), this.lastSubmitted + 1);
    this.lastSubmitted = submittedAt;
    const rec: OrderRecord = {
      id,
      clientOrderId: clientId,
      cid: clientOrderId(id),
      submittedAt,
      announced: false,
      rejectedAt: null,
      side: parsed.side,
      type: parsed.type,
      tif: parsed.tif,
      qty: parsed.qty,
      limitPrice: parsed.limitPrice,
      stopPrice: parsed.stopPrice,
      pendingCancel: false,
      replacing: false,
      replacedBy: null,
      replacedAt: null,
      replaces,
      newSent: false,
      closedSent: false,
      executionIds: new Map(),
    };
    this.clientIds.set(clientId, id);
    this.byId.set(id, rec);
    this.byCid.set(rec.cid, rec);
    this.list.push(rec);
    const request: OrderRequest = {
      clientOrderId: rec.cid,
      parentId: parentOrderId(id),
      sliceNum: 1,
      totalSlices: 1,
      scheduledTime: this.gv.clock.now(),
      symbol: this.inst.symbol,
      side: rec.side,
      type: rec.type,
      tif: TIFS[rec.tif],
      qty: rec.qty,
      ...(rec.limitPrice === null ? {} : { limitPrice: rec.limitPrice }),
      ...(rec.stopPrice === null ? {} : { stopPrice: rec.stopPrice }),
    };
    const answer = await new Promise<VenueMessage>((resolve) => {
      this.submitWaiters.set(rec.cid, resolve);
      if (this.gv.desk.submit(request) === 'unanswered') this.announce(rec, created);
    });
    switch (answer.kind) {
      case 'AckReport':
        created(rec);
        this.sendNew(rec);
        return { kind: 'ok', status: 200, body: this.orderJson(rec) };
      case 'RejectReport':
      case 'RetryableRejectReport':
        this.forget(rec);
        return { kind: 'error', error: this.venueError(answer.code, answer.reason) };
      case 'OutcomeUnknownReport':
        // An order the venue acts on was announced when its request left; any other never
        // reached the venue, and its client id is free again.
        if (!rec.announced) this.forget(rec);
        return unknownOutcome(answer);
      default:
        return { kind: 'error', error: alpacaError(500, 50010000, `unexpected venue answer ${answer.kind}`) };
    }
  }

  async cancel(id: string): Promise<DeskAnswer> {
    const rec = this.visible(id);
    if (!rec) return { kind: 'error', error: alpacaError(404, 40410000, 'order not found') };
    await this.arrival(rec);
    const o = this.exchangeOrder(rec);
    // Alpaca refuses to cancel an order while it is being replaced.
    if (!o || (o.status !== 'new' && o.status !== 'partially_filled') || rec.replacing)
      return { kind: 'error', error: notCancelable(this.status(rec)) };
    const answer = await this.venueCancel(rec, o, true);
    rec.pendingCancel = false;
    switch (answer.kind) {
      case 'CancelReport':
        return { kind: 'ok', status: 204, body: null };
      case 'CancelRejectReport':
        if (answer.failure === 'transient')
          return { kind: 'error', error: this.venueError(answer.code, answer.reason) };
        return { kind: 'error', error: notCancelable(this.status(rec)) };
      case 'OutcomeUnknownReport':
        this.closedWhenCancelled(rec);
        return unknownOutcome(answer);
      default:
        return { kind: 'error', error: alpacaError(500, 50010000, `unexpected venue answer ${answer.kind}`) };
    }
  }

  /** Asks the venue to cancel (once: concurrent asks share the answer); `announce` streams pending_cancel. */
  private venueCancel(rec: OrderRecord, o: ExchangeOrder, announce: boolean): Promise<VenueMessage> {
    return new Promise<VenueMessage>((resolve) => {
      const waiting = this.cancelWaiters.get(rec.cid);
      if (waiting) {
        waiting.push(resolve);
        return;
      }
      this.cancelWaiters.set(rec.cid, [resolve]);
      if (announce) {
        rec.pendingCancel = true;
        this.update(rec, 'pending_cancel', this.now(), this.orderJson(rec));
      }
      this.gv.desk.cancel(rec.cid, o.venueOrderId);
    });
  }

  /**
   * PATCH /v2/orders/{id}: replaces an open order with a new one (qty, limit_price, stop_price,
   * time_in_force, client_order_id; what is not given is kept, and qty defaults to what the old
   * order has left when its cancel took effect: a fill landing on it while the cancel travelled is
   * not placed again). The simulated venue has no atomic replace, so this is a cancel followed by
   * a submit: the old order goes to pending_replace, is cancelled at the venue, then the new
   * order (with `replaces`) is submitted and the old one reported `replaced` (`replaced_by`).
   * Not atomic, as the venue's own cancel-then-submit would not be: a fill can land on the old
   * order before its cancel (it stays on the old order; a complete fill makes the replace fail
   * with 422 and an order_replace_rejected event), and if the venue refuses the new order the
   * old one is gone all the same: it is reported `canceled` and the PATCH answers the refusal.
   */
  async replace(id: string, body: unknown): Promise<DeskAnswer> {
    const rec = this.visible(id);
    if (!rec) return { kind: 'error', error: alpacaError(404, 40410000, 'order not found') };
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return { kind: 'error', error: alpacaError(400, 40010000, 'request body format is invalid') };
    const b = body as Record<string, unknown>;
    const given = (k: string) => b[k] !== undefined && b[k] !== null;
    if (given('trail'))
      return { kind: 'error', error: alpacaError(422, 42210000, 'trailing stops are not supported by this gateway') };
    if (given('notional'))
      return { kind: 'error', error: alpacaError(422, 42210000, 'notional orders are not supported by this gateway') };
    await this.arrival(rec);
    const o = this.exchangeOrder(rec);
    if (!o || (o.status !== 'new' && o.status !== 'partially_filled') || rec.pendingCancel || rec.replacing)
      return { kind: 'error', error: notReplaceable(this.status(rec)) };
    const remaining = o.qty - o.filled;
    const price = (ticks: number | null) => (ticks === null ? undefined : ticksToPrice(this.inst, ticks));
    const parsed = this.parseOrder(
      {
        symbol: this.inst.symbol,
        side: rec.side,
        type: rec.type,
        time_in_force: given('time_in_force') ? b['time_in_force'] : rec.tif,
        qty: given('qty') ? b['qty'] : lotsToQty(this.inst, remaining),
        limit_price: given('limit_price') ? b['limit_price'] : price(rec.limitPrice),
        stop_price: given('stop_price') ? b['stop_price'] : price(rec.stopPrice),
        client_order_id: given('client_order_id') ? b['client_order_id'] : undefined,
      },
      rec,
    );
    if ('status' in parsed) return { kind: 'error', error: parsed };
    if (
      o.filled === 0 &&
      parsed.qty === rec.qty &&
      parsed.limitPrice === rec.limitPrice &&
      parsed.stopPrice === rec.stopPrice &&
      parsed.tif === rec.tif &&
      parsed.clientOrderId === null
    )
      return { kind: 'error', error: alpacaError(403, 40310000, 'order parameters are not changed') };
    const clientId = parsed.clientOrderId ?? this.newId();
    if (this.clientIds.has(clientId))
      return { kind: 'error', error: alpacaError(422, 40010001, 'client_order_id must be unique') };
    this.clientIds.set(clientId, ''); // reserved until the new order exists (or the replace fails)
    rec.replacing = true;
    this.update(rec, 'pending_replace', this.now(), this.orderJson(rec));
    const cancelled = await this.venueCancel(rec, o, false);
    if (cancelled.kind !== 'CancelReport') {
      rec.replacing = false;
      this.clientIds.delete(clientId);
      if (cancelled.kind === 'OutcomeUnknownReport') {
        this.closedWhenCancelled(rec);
        return unknownOutcome(cancelled);
      }
      this.update(rec, 'order_replace_rejected', this.now(), this.orderJson(rec));
      if (cancelled.kind === 'CancelRejectReport' && cancelled.failure === 'transient')
        return { kind: 'error', error: this.venueError(cancelled.code, cancelled.reason) };
      return { kind: 'error', error: notReplaceable(this.status(rec)) };
    }
    this.clientIds.delete(clientId);
    // The old order is cancelled now: what it has left is final, fills while the cancel travelled
    // included. Without a qty the replacement is that (the remainder read before could overfill).
    const next = given('qty') ? parsed : { ...parsed, qty: o.qty - o.filled };
    const answer = await this.place(next, clientId, rec.id, (successor) => {
      rec.replacing = false;
      rec.replacedBy = successor.id;
      rec.replacedAt = o.updatedAt + this.skewMs;
      rec.closedSent = true;
      this.update(rec, 'replaced', rec.replacedAt, this.orderJson(rec));
    });
    if (rec.replacing) {
      // No successor: the old order was cancelled all the same.
      rec.replacing = false;
      this.sendClosed(rec);
    }
    return answer;
  }

  /** Cancels every open order; Alpaca's 207 body: one entry per order. */
  async cancelAll(): Promise<Array<{ id: string; status: number; body: unknown }>> {
    const open = this.orders().filter((r) => STATUS_OPEN.has(this.status(r)));
    return Promise.all(
      open.map(async (r) => {
        const a = await this.cancel(r.id);
        const status = a.kind === 'ok' ? 200 : a.kind === 'error' ? a.error.status : 500;
        const body = a.kind === 'error' ? { code: a.error.code, message: a.error.message } : this.orderJson(r);
        return { id: r.id, status, body };
      }),
    );
  }

  // ---- reads -------------------------------------------------------------------------------

  /** Orders that exist (the venue has them, or will: announced), in submission order. */
  orders(): OrderRecord[] {
    return this.list.filter((r) => this.exists(r));
  }

  visible(id: string): OrderRecord | undefined {
    const rec = this.byId.get(id);
    return rec && this.exists(rec) ? rec : undefined;
  }

  private exists(rec: OrderRecord): boolean {
    return rec.announced || this.exchangeOrder(rec) !== undefined;
  }

  byClientOrderId(clientId: string): OrderRecord | undefined {
    const id = this.clientIds.get(clientId);
    return id === undefined ? undefined : this.visible(id);
  }

  /** Alpaca's status of an order now. */
  status(rec: OrderRecord): string {
    const o = this.exchangeOrder(rec);
    if (!o) return rec.rejectedAt !== null ? 'rejected' : this.arriving.has(rec) ? 'pending_new' : 'accepted';
    if (rec.replacedBy !== null) return 'replaced';
    if (rec.replacing) return 'pending_replace';
    if (rec.pendingCancel && (o.status === 'new' || o.status === 'partially_filled')) return 'pending_cancel';
    // The exchange expires what Alpaca cancels: an IOC or FOK remainder, a market order's rest
    // without liquidity. Only a DAY limit or stop order closed by the session's end is expired.
    if (o.status === 'expired' && !(rec.tif === 'day' && rec.type !== 'market')) return 'canceled';
    return o.status;
  }

  /**
   * The Order object, now or as of the first `trades` executions (an event's snapshot). Every
   * field of Alpaca's Order; amounts as strings, times in RFC 3339 on the venue's clock.
   */
  orderJson(rec: OrderRecord, trades?: number): AlpacaOrderJson {
    const o = this.exchangeOrder(rec);
    const all = o?.trades ?? [];
    const done = trades === undefined ? all : all.slice(0, trades);
    let filled = 0;
    let notional = 0;
    for (const t of done) {
      filled += t.qty;
      notional += t.qty * t.price;
    }
    const last = done[done.length - 1];
    let status: string;
    let updatedAt: number;
    if (trades === undefined) {
      status = this.status(rec);
      updatedAt = o ? o.updatedAt + this.skewMs : (rec.rejectedAt ?? rec.submittedAt);
    } else {
      status = trades === 0 ? 'new' : filled >= rec.qty ? 'filled' : 'partially_filled';
      updatedAt = last ? last.time + this.skewMs : o ? o.createdAt + this.skewMs : rec.submittedAt;
    }
    const at = (ms: number) => rfc3339(ms);
    const typeName = rec.type;
    return {
      id: rec.id,
      client_order_id: rec.clientOrderId,
      created_at: at(rec.submittedAt),
      updated_at: at(updatedAt),
      submitted_at: at(rec.submittedAt),
      filled_at: status === 'filled' && last ? at(last.time + this.skewMs) : null,
      expired_at: status === 'expired' ? at(updatedAt) : null,
      canceled_at: status === 'canceled' ? at(updatedAt) : null,
      failed_at: status === 'rejected' ? at(updatedAt) : null,
      replaced_at: status === 'replaced' && rec.replacedAt !== null ? at(rec.replacedAt) : null,
      replaced_by: status === 'replaced' ? rec.replacedBy : null,
      replaces: rec.replaces,
      asset_id: this.assetId,
      symbol: this.inst.symbol,
      asset_class: 'us_equity',
      notional: null,
      qty: lotsToQty(this.inst, rec.qty),
      filled_qty: lotsToQty(this.inst, filled),
      filled_avg_price: filled > 0 ? fractionalTicksToPrice(this.inst, notional / filled) : null,
      order_class: '',
      order_type: typeName,
      type: typeName,
      side: rec.side,
      position_intent: rec.side === 'buy' ? 'buy_to_open' : 'sell_to_close',
      time_in_force: rec.tif,
      limit_price: rec.limitPrice === null ? null : ticksToPrice(this.inst, rec.limitPrice),
      stop_price: rec.stopPrice === null ? null : ticksToPrice(this.inst, rec.stopPrice),
      trail_price: null,
      trail_percent: null,
      hwm: null,
      status,
      extended_hours: false,
      legs: null,
    };
  }

  /** Every execution of our orders in execution order (trade ids are sequential at the exchange). */
  executions(): Array<{ rec: OrderRecord; trade: ExchangeTrade }> {
    const out: Array<{ rec: OrderRecord; trade: ExchangeTrade }> = [];
    for (const rec of this.list) for (const trade of this.exchangeOrder(rec)?.trades ?? []) out.push({ rec, trade });
    return out.sort((a, b) => tradeNumber(a.trade.tradeId) - tradeNumber(b.trade.tradeId));
  }

  /** Quote locked by open buy orders (limit or stop price x what is left), notional units;
   *  orders on their way to the book lock theirs already. */
  lockedForBuys(): number {
    let sum = 0;
    for (const rec of this.list) {
      const o = this.exchangeOrder(rec);
      if (o && o.side === 'buy' && (o.status === 'new' || o.status === 'partially_filled'))
        sum += (o.limitPrice ?? o.stopPrice ?? 0) * (o.qty - o.filled);
      else if (!o && this.arriving.has(rec) && rec.side === 'buy')
        sum += (rec.limitPrice ?? rec.stopPrice ?? 0) * rec.qty;
    }
    return sum;
  }

  /** Lots held for open sell orders (orders on their way to the book included). */
  heldForSells(): number {
    let sum = 0;
    for (const rec of this.list) {
      const o = this.exchangeOrder(rec);
      if (o && o.side === 'sell' && (o.status === 'new' || o.status === 'partially_filled')) sum += o.qty - o.filled;
      else if (!o && this.arriving.has(rec) && rec.side === 'sell') sum += rec.qty;
    }
    return sum;
  }

  private exchangeOrder(rec: OrderRecord): ExchangeOrder | undefined {
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
        if (rec) this.sendClosed(rec);
        this.resolveCancel(r.clientOrderId, r);
        return;
      case 'CancelRejectReport':
        this.resolveCancel(r.clientOrderId, r);
        return;
      case 'FillReport':
        if (rec) this.sendFill(rec, r.tradeId);
        return;
      case 'ExpiredReport':
        if (rec) this.sendClosed(rec);
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

  private sendNew(rec: OrderRecord): void {
    if (rec.newSent) return;
    rec.newSent = true;
    const o = this.exchangeOrder(rec);
    this.update(rec, 'new', o ? o.createdAt + this.skewMs : this.now(), this.orderJson(rec, 0));
  }

  private sendFill(rec: OrderRecord, tradeId: string): void {
    const trades = this.exchangeOrder(rec)?.trades ?? [];
    const index = trades.findIndex((t) => t.tradeId === tradeId);
    const trade = trades[index];
    if (!trade) return;
    this.sendNew(rec);
    const order = this.orderJson(rec, index + 1);
    let executionId = rec.executionIds.get(tradeId);
    if (executionId === undefined) {
      executionId = this.newId();
      rec.executionIds.set(tradeId, executionId);
    }
    this.emit({
      event: order['status'] === 'filled' ? 'fill' : 'partial_fill',
      timestamp: rfc3339(trade.time + this.skewMs),
      order,
      execution_id: executionId,
      price: ticksToPrice(this.inst, trade.price),
      qty: lotsToQty(this.inst, trade.qty),
      position_qty: lotsToQty(this.inst, this.positionAfter(tradeId)),
    });
  }

  /**
   * A cancel whose answer was lost: the venue may act on it after the client has given up (a
   * received request reaches it within the order-entry bound), and the exchange says nothing on
   * the stream when it does (our cancels are answered on the REST channel, and that answer is
   * gone). Its `canceled` event is sent now if the exchange has closed the order, else once the
   * bound has passed and it has (a fill that won the race leaves it filled, and no event).
   */
  private closedWhenCancelled(rec: OrderRecord): void {
    this.sendClosed(rec);
    if (!rec.closedSent) this.afterOrderEntry(() => this.sendClosed(rec));
  }

  /** canceled or expired, once, when the exchange has closed the order that way. */
  private sendClosed(rec: OrderRecord): void {
    const o = this.exchangeOrder(rec);
    if (!o || rec.closedSent || rec.replacing || (o.status !== 'canceled' && o.status !== 'expired')) return;
    this.sendNew(rec);
    rec.closedSent = true;
    this.update(rec, this.status(rec), o.updatedAt + this.skewMs, this.orderJson(rec));
  }

  private update(_rec: OrderRecord, event: string, at: number, order: AlpacaOrderJson): void {
    this.emit({ event, timestamp: rfc3339(at), order });
  }

  /** Signed position right after trade `tradeId`, lots. */
  private positionAfter(tradeId: string): number {
    const upTo = tradeNumber(tradeId);
    let position = this.gv.initialPosition;
    for (const { trade, rec } of this.executions()) {
      if (tradeNumber(trade.tradeId) > upTo) break;
      position += rec.side === 'buy' ? trade.qty : -trade.qty;
    }
    return position;
  }

  // ---- orders announced before they reach the book -------------------------------------------

  /**
   * The venue will act on this order's request but its answer is lost: the order exists from
   * now, `pending_new` until the exchange has it. A received request reaches the venue within
   * the order-entry bound; an order the exchange does not have past it was refused there.
   */
  private announce(rec: OrderRecord, created: (rec: OrderRecord) => void): void {
    rec.announced = true;
    this.arriving.set(rec, []);
    created(rec);
    this.afterOrderEntry(() => this.settle(rec));
  }

  /** Runs `fn` once a request sent now has surely reached the venue (past the order-entry bound;
   *  timers fire in order of their due times, so after whatever that request does there). */
  private afterOrderEntry(fn: () => void): void {
    this.gv.clock.post(fn, Math.ceil(this.gv.orderEntryBoundMs) + 1);
  }

  /** Past the order-entry bound: the order is at the exchange, or the exchange refused it. */
  private settle(rec: OrderRecord): void {
    if (!this.arriving.has(rec)) return;
    if (this.exchangeOrder(rec)) {
      this.arrived(rec);
      return;
    }
    rec.rejectedAt = this.now();
    this.landed(rec);
    this.update(rec, 'rejected', rec.rejectedAt, this.orderJson(rec));
  }

  /** The exchange has an announced order: its `new` event, and whatever waited for it goes on. */
  private arrived(rec: OrderRecord): void {
    this.landed(rec);
    this.sendNew(rec);
  }

  private landed(rec: OrderRecord): void {
    const waiting = this.arriving.get(rec) ?? [];
    this.arriving.delete(rec);
    for (const go of waiting) go();
  }

  /** Resolves once the order is no longer on its way to the book (at once if it is not). */
  private arrival(rec: OrderRecord): Promise<void> {
    const waiting = this.arriving.get(rec);
    if (!waiting) return Promise.resolve();
    return new Promise<void>((resolve) => waiting.push(resolve));
  }

  private forget(rec: OrderRecord): void {
    this.byId.delete(rec.id);
    this.byCid.delete(rec.cid);
    this.clientIds.delete(rec.clientOrderId);
    const i = this.list.indexOf(rec);
    if (i >= 0) this.list.splice(i, 1);
  }

  /** The venue's refusal as Alpaca's answer: the HTTP status its rules give the code. */
  private venueError(code: string, message: string): AlpacaError {
    const entry = Object.values(this.gv.rules.errors).find((e) => e.code === code);
    const numeric = /^\d{8}$/.test(code) ? Number(code) : 40310000;
    const status = (entry?.httpStatus ?? 403) as AlpacaError['status'];
    return alpacaError(status, numeric, message);
  }

  // ---- the order request -------------------------------------------------------------------

  /** A request body as an order the account can place: the body's checks, then what a sell
   *  needs held (a replacement's predecessor is cancelled first: what it holds is available). */
  private parseOrder(body: unknown, replacing: OrderRecord | null = null): AlpacaError | ParsedOrder {
    const parsed = parseOrderRequest(body, this.inst, this.gv.rules);
    if ('status' in parsed) return parsed;
    const { side, qty } = parsed;
    if (side === 'sell') {
      const o = replacing ? this.exchangeOrder(replacing) : undefined;
      const freed = o && o.side === 'sell' ? o.qty - o.filled : 0;
      const available = this.gv.desk.position - this.heldForSells() + freed;
      if (qty > available) {
        const r = refusal(this.gv.rules, 'insufficient-position', {
          requested: lotsToQty(this.inst, qty),
          available: lotsToQty(this.inst, Math.max(0, available)),
        });
        return alpacaError(403, Number(r.code), r.message);
      }
    }
    return parsed;
  }
}

function notCancelable(status: string): AlpacaError {
  return alpacaError(422, 42210000, `order is already in "${status}" state`);
}

function notReplaceable(status: string): AlpacaError {
  return alpacaError(422, 42210000, `order is already in "${status}" state and cannot be replaced`);
}

/**
 * A request whose answer the venue lost: a 5xx answer (category 'server') is sent as 503; a
 * timeout or a drop (an outage) as what a client of a dead venue sees, the connection dropped.
 */
function unknownOutcome(report: OutcomeUnknownReport): DeskAnswer {
  if (report.category === 'server') return { kind: 'error', error: alpacaError(503, 50310000, 'service unavailable') };
  return { kind: 'reset' };
}

function tradeNumber(tradeId: string): number {
  return Number(tradeId.slice(1));
}

/** A stable UUID-shaped asset id for a symbol. */
function symbolUuid(symbol: string): string {
  let h = 0x811c9dc5;
  const parts: string[] = [];
  for (let round = 0; round < 4; round++) {
    for (let i = 0; i < symbol.length; i++) h = Math.imul(h ^ symbol.charCodeAt(i), 0x01000193) >>> 0;
    h = Math.imul(h ^ round, 0x01000193) >>> 0;
    parts.push(h.toString(16).padStart(8, '0'));
  }
  const hex = parts.join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
