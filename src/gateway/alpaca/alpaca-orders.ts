// Alpaca's orders at the gateway: its order requests (POST, PATCH, DELETE of /v2/orders) checked
// and put to the venue-neutral order desk (../gateway-orders.ts), the desk's answers as Alpaca's
// HTTP answers, and its events as trade_updates; its orders as Alpaca's Order objects, with the
// statuses Alpaca names, are order-fields.ts's. Alpaca's own rules live here: client ids unique
// forever (across every symbol: they are the account's), its error codes and a replace's
// defaults. An order may trade any symbol the gateway serves.
import { randomUUID } from 'node:crypto';
import { lotsToQty, ticksToPrice, type Instrument } from '../../core/model/instrument.ts';
import type { OutcomeUnknownReport, VenueMessage } from '../../core/model/reports.ts';
import { refusal } from '../../core/venues/index.ts';
import type { DeskEvent, DeskOrder, DeskRecord } from '../desk-record.ts';
import { GatewayOrders } from '../gateway-orders.ts';
import type { GatewayVenue } from '../gateway-venue.ts';
import { alpacaError, rfc3339, type AlpacaError } from './wire.ts';
import { parseOrderRequest, TIFS, type ParsedOrder } from './alpaca-order-request.ts';
import {
  alpacaStatus,
  orderJson,
  symbolUuid,
  TIF_NAMES,
  type AlpacaOrderJson,
  type AlpacaOrderView,
} from './order-fields.ts';

export type { AlpacaTif } from './alpaca-order-request.ts';

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

/** How a request ended at the venue, for the HTTP layer. */
export type DeskAnswer =
  | { readonly kind: 'ok'; readonly status: 200 | 204; readonly body: unknown }
  | { readonly kind: 'error'; readonly error: AlpacaError }
  /** The venue's answer was lost (an outage): the HTTP layer drops the connection. */
  | { readonly kind: 'reset' };

const STATUS_OPEN = new Set([
  'new',
  'partially_filled',
  'pending_cancel',
  'pending_replace',
  'accepted',
  'pending_new',
]);

/** The desk's events as Alpaca's trade_updates event names (a `closed` is named by the status). */
const EVENT_NAMES: Readonly<Record<Exclude<DeskEvent['kind'], 'fill' | 'closed'>, string>> = {
  new: 'new',
  pending_cancel: 'pending_cancel',
  pending_replace: 'pending_replace',
  replace_rejected: 'order_replace_rejected',
  replaced: 'replaced',
  rejected: 'rejected',
};

export class AlpacaOrders {
  readonly desk: GatewayOrders;
  private readonly skewMs: number;
  /** The gateway's first symbol's asset id and symbol. */
  readonly assetId: string;
  readonly symbol: string;
  /** What orderJson reads an order's fields from. */
  private readonly view: AlpacaOrderView;

  constructor(
    private readonly gv: GatewayVenue,
    private readonly emit: (update: TradeUpdate) => void,
    private readonly newId: () => string = randomUUID,
  ) {
    this.desk = new GatewayOrders(gv, (e) => this.told(e), newId);
    this.skewMs = gv.scenario.venue.clockSkewMs;
    this.assetId = symbolUuid(gv.instrument.symbol);
    this.symbol = gv.instrument.symbol;
    this.view = {
      desk: this.desk,
      instrument: (symbol) => this.instrument(symbol),
      skewMs: this.skewMs,
      status: (rec) => this.status(rec),
    };
  }

  /** A served symbol's instrument. */
  private instrument(symbol: string): Instrument {
    return this.gv.requireSymbol(symbol).instrument;
  }

  /** The venue's time now (the scenario's clock skew applied), epoch ms. */
  now(): number {
    return this.desk.now();
  }

  // ---- requests --------------------------------------------------------------------------

  async submit(body: unknown): Promise<DeskAnswer> {
    const parsed = this.parseOrder(body);
    if ('status' in parsed) return { kind: 'error', error: parsed };
    const clientId = parsed.clientOrderId ?? this.newId();
    if (this.desk.clientIdUsed(clientId))
      return { kind: 'error', error: alpacaError(422, 40010001, 'client_order_id must be unique') };
    return this.desk.place(this.deskOrder(parsed), clientId, (rec, report) => this.placed(rec, report));
  }

  /** The venue's answer to an order as Alpaca's. */
  private placed(rec: DeskRecord, answer: VenueMessage): DeskAnswer {
    switch (answer.kind) {
      case 'AckReport':
        return { kind: 'ok', status: 200, body: this.orderJson(rec) };
      case 'RejectReport':
      case 'RetryableRejectReport':
        return { kind: 'error', error: this.venueError(answer.code, answer.reason) };
      case 'OutcomeUnknownReport':
        return unknownOutcome(answer);
      default:
        return { kind: 'error', error: alpacaError(500, 50010000, `unexpected venue answer ${answer.kind}`) };
    }
  }

  async cancel(id: string): Promise<DeskAnswer> {
    const rec = this.desk.visible(id);
    if (!rec) return { kind: 'error', error: alpacaError(404, 40410000, 'order not found') };
    // Not open, or being replaced (Alpaca refuses to cancel an order then): nothing was sent.
    return this.desk.cancel(rec, (answer): DeskAnswer => {
      if (answer === null) return { kind: 'error', error: notCancelable(this.status(rec)) };
      switch (answer.kind) {
        case 'CancelReport':
          return { kind: 'ok', status: 204, body: null };
        case 'CancelRejectReport':
          if (answer.failure === 'transient')
            return { kind: 'error', error: this.venueError(answer.code, answer.reason) };
          return { kind: 'error', error: notCancelable(this.status(rec)) };
        case 'OutcomeUnknownReport':
          return unknownOutcome(answer);
        default:
          return { kind: 'error', error: alpacaError(500, 50010000, `unexpected venue answer ${answer.kind}`) };
      }
    });
  }

  /**
   * PATCH /v2/orders/{id}: replaces an open order with a new one (qty, limit_price, stop_price,
   * time_in_force, client_order_id; what is not given is kept, and qty defaults to what the old
   * order has left when its cancel took effect). Not atomic (GatewayOrders.replace): a fill can
   * land on the old order before its cancel (it stays on the old order; a complete fill makes the
   * replace fail with 422 and an order_replace_rejected event), and if the venue refuses the new
   * order the old one is gone all the same: it is reported `canceled` and the PATCH answers the
   * refusal.
   */
  async replace(id: string, body: unknown): Promise<DeskAnswer> {
    const rec = this.desk.visible(id);
    if (!rec) return { kind: 'error', error: alpacaError(404, 40410000, 'order not found') };
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return { kind: 'error', error: alpacaError(400, 40010000, 'request body format is invalid') };
    const b = body as Record<string, unknown>;
    const given = (k: string) => b[k] !== undefined && b[k] !== null;
    if (given('trail'))
      return { kind: 'error', error: alpacaError(422, 42210000, 'trailing stops are not supported by this gateway') };
    if (given('notional'))
      return { kind: 'error', error: alpacaError(422, 42210000, 'notional orders are not supported by this gateway') };
    await this.desk.arrival(rec);
    const o = this.desk.exchangeOrder(rec);
    if (!o || (o.status !== 'new' && o.status !== 'partially_filled') || rec.pendingCancel || rec.replacing)
      return { kind: 'error', error: notReplaceable(this.status(rec)) };
    const remaining = o.qty - o.filled;
    const inst = this.instrument(rec.symbol);
    const price = (ticks: number | null) => (ticks === null ? undefined : ticksToPrice(inst, ticks));
    const parsed = this.parseOrder(
      {
        symbol: rec.symbol,
        side: rec.side,
        type: rec.type,
        time_in_force: given('time_in_force') ? b['time_in_force'] : TIF_NAMES[rec.tif],
        qty: given('qty') ? b['qty'] : lotsToQty(inst, remaining),
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
      TIFS[parsed.tif] === rec.tif &&
      parsed.clientOrderId === null
    )
      return { kind: 'error', error: alpacaError(403, 40310000, 'order parameters are not changed') };
    const clientId = parsed.clientOrderId ?? this.newId();
    if (this.desk.clientIdUsed(clientId))
      return { kind: 'error', error: alpacaError(422, 40010001, 'client_order_id must be unique') };
    return this.desk.replace(rec, o, this.deskOrder(parsed), given('qty'), clientId, {
      placed: (successor, report) => this.placed(successor, report),
      cancelFailed: (answer): DeskAnswer => {
        if (answer.kind === 'OutcomeUnknownReport') return unknownOutcome(answer);
        if (answer.kind === 'CancelRejectReport' && answer.failure === 'transient')
          return { kind: 'error', error: this.venueError(answer.code, answer.reason) };
        return { kind: 'error', error: notReplaceable(this.status(rec)) };
      },
    });
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
  orders(): DeskRecord[] {
    return this.desk.orders();
  }

  visible(id: string): DeskRecord | undefined {
    return this.desk.visible(id);
  }

  byClientOrderId(clientId: string): DeskRecord | undefined {
    return this.desk.byClientOrderId(clientId);
  }

  /** Alpaca's status of an order now. */
  status(rec: DeskRecord): string {
    return alpacaStatus(this.desk.status(rec), rec);
  }

  /**
   * The Order object, now or as of the first `trades` executions (an event's snapshot): order-fields.ts.
   */
  orderJson(rec: DeskRecord, trades?: number): AlpacaOrderJson {
    return orderJson(this.view, rec, trades);
  }

  // ---- the desk's events as trade_updates ----------------------------------------------------

  private told(e: DeskEvent): void {
    const { rec } = e;
    switch (e.kind) {
      case 'new':
        this.update(e.kind, e.at, this.orderJson(rec, 0));
        return;
      case 'closed':
        this.update(this.status(rec), e.at, this.orderJson(rec));
        return;
      case 'fill': {
        const inst = this.instrument(rec.symbol);
        const order = this.orderJson(rec, e.trades);
        const tradeId = e.trade.tradeId;
        let executionId = rec.executionIds.get(tradeId);
        if (executionId === undefined) {
          executionId = this.newId();
          rec.executionIds.set(tradeId, executionId);
        }
        this.emit({
          event: order['status'] === 'filled' ? 'fill' : 'partial_fill',
          timestamp: rfc3339(e.at),
          order,
          execution_id: executionId,
          price: ticksToPrice(inst, e.trade.price),
          qty: lotsToQty(inst, e.trade.qty),
          position_qty: lotsToQty(inst, e.positionAfter),
        });
        return;
      }
      default:
        this.update(EVENT_NAMES[e.kind], e.at, this.orderJson(rec));
    }
  }

  private update(event: string, at: number, order: AlpacaOrderJson): void {
    this.emit({ event, timestamp: rfc3339(at), order });
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
   *  needs held or a buy needs of the buying power (a replacement's predecessor is cancelled
   *  first: what it holds is available). */
  private parseOrder(body: unknown, replacing: DeskRecord | null = null): AlpacaError | ParsedOrder {
    const parsed = parseOrderRequest(body, (s) => this.gv.servedSymbol(s)?.instrument, this.gv.rules);
    if ('status' in parsed) return parsed;
    const { side, qty, symbol } = parsed;
    if (side === 'sell') {
      const inst = this.instrument(symbol);
      const available = this.desk.holdings.sellable(replacing, symbol);
      if (qty > available) {
        const r = refusal(this.gv.rules, 'insufficient-position', {
          requested: lotsToQty(inst, qty),
          available: lotsToQty(inst, Math.max(0, available)),
        });
        return alpacaError(403, Number(r.code), r.message);
      }
    }
    return side === 'buy' ? (this.unaffordable(parsed, replacing) ?? parsed) : parsed;
  }

  /**
   * A buy the buying power does not cover once what open buys reserve beyond the exchange's locks
   * is counted, as Alpaca's 403. The simulated exchange checks a buy against its cash less what
   * open limit and stop buys lock (a stop buy at its stop price), but locks nothing for an open
   * market buy (one queued while the market is closed, or on its way) and nothing above a stop
   * buy's stop price: while such a reserve is held, or the new order is a buy stop, the gateway
   * checks here, with the answer the exchange gives, and otherwise leaves the check to it.
   */
  private unaffordable(p: ParsedOrder, replacing: DeskRecord | null): AlpacaError | null {
    const holdings = this.desk.holdings;
    const except = replacing ?? undefined;
    // A buy stop is valued above its stop price, which is all the exchange would check it at.
    if (holdings.reservedBeyondExchange(except) === 0 && !isBuyStop(p)) return null;
    const price =
      p.limitPrice ?? (p.stopPrice === null ? null : this.stopBuyLimit(p)) ?? this.marketBuyPrice(p.symbol) ?? 0;
    const cost = price * p.qty * this.gv.requireSymbol(p.symbol).scale;
    if (cost <= this.gv.desk.quoteBalance - holdings.lockedForBuys(except)) return null;
    const r = refusal(this.gv.rules, 'insufficient-balance');
    return alpacaError(403, Number(r.code), r.message);
  }

  /**
   * The price (ticks) a market buy of `symbol` is valued at for buying power, held while it is
   * open: Alpaca's order documentation values an order's buying-power check at the far side of the
   * NBBO (the ask, for a buy) while the core session is open, the inside midpoint in extended hours
   * and the latest trade while both sessions are closed, and counts open buys against buying power
   * until they fill or are cancelled. It names no buffer above that for a market buy (its 3% over
   * the ask is for short sales). The gateway has no extended hours: the ask while open, the latest
   * trade while closed, each the other when it has none; null with neither.
   */
  private marketBuyPrice(symbol: string): number | null {
    const exchange = this.gv.requireSymbol(symbol).exchange;
    const ask = exchange.bestAvailable('ask');
    const last = exchange.lastTradePrice;
    return this.gv.rules.hours.isOpen(this.gv.clock.now()) ? (ask ?? last) : (last ?? ask);
  }

  /**
   * The limit price (ticks) Alpaca gives a buy stop order, which its buying power is checked and
   * held at: Alpaca's order documentation (Orders, "Stop Order") converts a buy stop into a stop
   * limit whose limit is 4% above a stop price under $50 and 2.5% above one of $50 or more, and
   * values an opening buy at its limit price x quantity ("Buying Power"). Rounded up to a tick.
   * A stop-limit buy has a limit of its own, and is valued at it.
   */
  private stopBuyLimit(p: Pick<ParsedOrder, 'symbol' | 'stopPrice'>): number | null {
    if (p.stopPrice === null) return null;
    const inst = this.instrument(p.symbol);
    const [num, den] = Number(ticksToPrice(inst, p.stopPrice)) < 50 ? [104, 100] : [1025, 1000];
    return Math.ceil((p.stopPrice * num) / den);
  }

  /** A parsed request as the desk's order; a market buy holds its value at marketBuyPrice while
   *  open, a buy stop its converted limit price (stopBuyLimit). */
  private deskOrder(p: ParsedOrder): DeskOrder {
    const order = deskOrder(p);
    if (isBuyStop(p)) {
      const limit = this.stopBuyLimit(p);
      return limit === null ? order : { ...order, reservePrice: limit };
    }
    if (p.side !== 'buy' || p.type !== 'market') return order;
    const price = this.marketBuyPrice(p.symbol);
    return price === null ? order : { ...order, reservePrice: price };
  }
}

/** A buy stop (market) order: Alpaca converts it to a stop limit (stopBuyLimit). */
const isBuyStop = (p: Pick<ParsedOrder, 'side' | 'type'>): boolean => p.side === 'buy' && p.type === 'stop';

/** A parsed request as the desk's order. */
function deskOrder(p: ParsedOrder): DeskOrder {
  return {
    symbol: p.symbol,
    side: p.side,
    type: p.type,
    tif: TIFS[p.tif],
    qty: p.qty,
    limitPrice: p.limitPrice,
    stopPrice: p.stopPrice,
  };
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
