// Binance's orders at the gateway: POST and DELETE /api/v3/order and DELETE openOrders put to the
// venue-neutral order desk (../gateway-orders.ts), its answers as Binance's and its events as
// executionReport then outboundAccountPosition. Every served symbol trades on the one account:
// an order is named within its symbol (another symbol's order id is not found), each symbol has
// its base balance and all share the quote. Binance's own rules (order and client ids, error
// codes, lost answers): docs/0068-gateway-notes.md; cancels taken one after the other and stops
// the last trade already triggered: docs/0090-binance-gateway-as-ccxt-sees-it.md.
import { randomBytes } from 'node:crypto';
import type { Instrument } from '../../core/model/instrument.ts';
import type { OutcomeUnknownReport } from '../../core/model/reports.ts';
import type { VenueRules } from '../../core/venues/index.ts';
import { commissionOption } from '../../scenario/build-venue.ts';
import type { DeskEvent, DeskOrder, DeskRecord } from '../desk-record.ts';
import { GatewayOrders } from '../gateway-orders.ts';
import type { GatewayVenue } from '../gateway-venue.ts';
import type { WireFaults } from '../wire-faults.ts';
import { clientIdRefusal, parseOrderRequest, type ParsedOrder } from './binance-order-request.ts';
import { binanceStatus, OPEN_STATUSES, OrderFields } from './order-fields.ts';
import { RequestFields } from './request-fields.ts';
import {
  badRequest,
  binanceError,
  DUPLICATE_ORDER,
  isBinanceError,
  NO_SUCH_ORDER,
  places8,
  SEND_STATUS_UNKNOWN,
  UNKNOWN_ORDER,
  type BinanceError,
} from './wire.ts';

/** How a request ended, for the HTTP layer. */
export type OrderAnswer =
  | { readonly kind: 'ok'; readonly body: unknown }
  | { readonly kind: 'error'; readonly error: BinanceError }
  /** The venue's answer was lost in an outage: the HTTP layer drops the connection. */
  | { readonly kind: 'reset' };

/** One user data stream event (executionReport, outboundAccountPosition). */
export type UserEvent = Record<string, unknown>;

const error = (e: BinanceError): OrderAnswer => ({ kind: 'error', error: e });
/** The matching engine's refusal of a stop order whose trigger the last trade already reached. */
const WOULD_TRIGGER = badRequest(-2010, 'Order would trigger immediately.');
const ok = (body: unknown): OrderAnswer => ({ kind: 'ok', body });

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A client order id as Binance makes one: 22 letters and digits. */
export function newClientId(): string {
  return [...randomBytes(22)].map((b) => ID_CHARS[b % ID_CHARS.length]).join('');
}

export class BinanceOrders {
  readonly desk: GatewayOrders;
  /** The first served symbol's fields (fieldsOf: any symbol's). */
  readonly fields: OrderFields;
  /** The first served symbol's instrument. */
  readonly inst: Instrument;
  /** Every served symbol's instrument, the first served first. */
  readonly instruments: ReadonlyMap<string, Instrument>;
  readonly rules: VenueRules;
  private readonly fieldsBySymbol = new Map<string, OrderFields>();
  private nextOrderId = 1;
  private nextExecution = 1;
  /** The client id of the cancel each order is being cancelled by, by order id: its CANCELED
   *  executionReport names it in `c` (and the order's own in `C`), as the cancel's answer does. */
  private readonly cancelIds = new Map<string, string>();
  /** Each order's cancel on its way to the venue, by order id. */
  private readonly cancelling = new Map<string, Promise<OrderAnswer>>();

  /**
   * `lastPrice`: the symbol's last traded price on its public tape (ticks), or null before its
   * first trade; a stop order it has already reached is refused, as Binance refuses it.
   * `firstFill`: told when an order trades for the first time (the unfilled order count).
   */
  constructor(
    private readonly gv: GatewayVenue,
    private readonly wire: WireFaults,
    private readonly emit: (event: UserEvent) => void,
    private readonly lastPrice: (symbol: string) => number | null = () => null,
    private readonly firstFill: () => void = () => {},
  ) {
    this.inst = gv.instrument;
    this.rules = gv.rules;
    this.instruments = new Map(gv.served.map((one) => [one.instrument.symbol as string, one.instrument]));
    for (const inst of this.instruments.values())
      this.fieldsBySymbol.set(
        inst.symbol,
        new OrderFields(inst, gv.scenario.venue.clockSkewMs, commissionOption(gv.scenario, inst).commission),
      );
    this.fields = this.fieldsOf(gv.instrument.symbol);
    this.desk = new GatewayOrders(
      gv,
      (e) => this.told(e),
      () => String(this.nextOrderId++),
    );
  }

  /** Every served symbol, the first served first. */
  get symbols(): string[] {
    return [...this.instruments.keys()];
  }

  /** A served symbol's fields. */
  fieldsOf(symbol: string): OrderFields {
    const f = this.fieldsBySymbol.get(symbol);
    if (f === undefined) throw new Error(`the gateway does not serve ${symbol}`);
    return f;
  }

  /** Binance's status of an order now. */
  status(rec: DeskRecord): string {
    return binanceStatus(this.desk.status(rec), this.desk.exchangeOrder(rec)?.filled ?? 0);
  }

  /** The order as GET /api/v3/order states it now. */
  orderJson(rec: DeskRecord): Record<string, unknown> {
    return this.fieldsOf(rec.symbol).order(rec, this.desk.exchangeOrder(rec), this.status(rec));
  }

  // ---- requests --------------------------------------------------------------------------

  async submit(f: RequestFields): Promise<OrderAnswer> {
    const parsed = parseOrderRequest(f, this.instruments, this.rules);
    if (isBinanceError(parsed)) return error(parsed);
    return this.place(parsed);
  }

  /** Places an order already read from its request (POST order, or cancelReplace's new order). */
  place(parsed: ParsedOrder): Promise<OrderAnswer> {
    const clientId = parsed.clientOrderId ?? newClientId();
    if (this.desk.clientIdOpen(clientId)) return Promise.resolve(error(DUPLICATE_ORDER));
    if (this.triggersNow(parsed.order)) return Promise.resolve(error(WOULD_TRIGGER));
    return this.desk.place(parsed.order, clientId, (rec, report): OrderAnswer => {
      switch (report.kind) {
        case 'AckReport':
          return ok(
            this.fieldsOf(rec.symbol).placed(rec, this.desk.exchangeOrder(rec), this.status(rec), parsed.respType),
          );
        case 'RejectReport':
        case 'RetryableRejectReport':
          return error(this.venueError(report.code, report.reason));
        case 'OutcomeUnknownReport':
          return unknownOutcome(report);
        default:
          return error(badRequest(-1000, `An unknown error occurred while processing the request.`));
      }
    });
  }

  /** Whether a stop order's trigger is already reached by its symbol's last trade: a sell stop
   *  triggers at or below its stop price, a buy stop at or above. */
  private triggersNow(o: DeskOrder): boolean {
    if (o.stopPrice === null) return false;
    const last = this.lastPrice(o.symbol ?? this.inst.symbol);
    if (last === null) return false;
    return o.side === 'buy' ? last >= o.stopPrice : last <= o.stopPrice;
  }

  /** The order a request names by orderId and/or origClientOrderId (both: they must agree), of
   *  the request's symbol (checked served before: the first served when it has none).
   *  cancelReplace names them cancelOrderId and cancelOrigClientOrderId (`names`). */
  named(
    f: RequestFields,
    missing: BinanceError,
    names: { readonly orderId: string; readonly clientId: string } = ORDER_NAMES,
  ): DeskRecord | BinanceError {
    const orderId = f.long(names.orderId);
    if (isBinanceError(orderId)) return orderId;
    const cid = f.optional(names.clientId);
    if (isBinanceError(cid)) return badRequest(-1119, 'Original client order ID was empty.');
    if (orderId === undefined && cid === undefined)
      return badRequest(
        -1102,
        `Param '${names.clientId}' or '${names.orderId}' must be sent, but both were empty/null!`,
      );
    const symbol = f.params.get('symbol') ?? this.inst.symbol;
    const rec =
      orderId !== undefined ? this.desk.visible(String(orderId)) : this.desk.byClientOrderId(cid as string, symbol);
    if (!rec || rec.symbol !== symbol || (cid !== undefined && rec.clientOrderId !== cid)) return missing;
    return rec;
  }

  async cancel(f: RequestFields): Promise<OrderAnswer> {
    const rec = this.named(f, UNKNOWN_ORDER);
    if (isBinanceError(rec)) return error(rec);
    const restriction = cancelRestriction(f);
    if (isBinanceError(restriction)) return error(restriction);
    const cancelId = f.optional('newClientOrderId');
    if (isBinanceError(cancelId)) return error(badRequest(-1118, 'New client order ID was empty.'));
    const badId = clientIdRefusal(this.rules, cancelId);
    if (badId !== null) return error(badId);
    const refused = this.restricted(rec, restriction);
    if (refused) return error(refused);
    return this.cancelRecord(rec, cancelId ?? newClientId());
  }

  /** Why `restriction` keeps the order from being cancelled now, or null. */
  restricted(rec: DeskRecord, restriction: CancelRestriction | undefined): BinanceError | null {
    if (restriction === undefined) return null;
    const s = this.status(rec);
    if (s !== (restriction === 'ONLY_NEW' ? 'NEW' : 'PARTIALLY_FILLED') && OPEN_STATUSES.has(s))
      return badRequest(-2011, 'Order was not canceled due to cancel restrictions.');
    return null;
  }

  /**
   * Cancels an order at the venue; `cancelId` is the cancel's own client id in the answer. Binance's
   * engine takes one cancel after the other: a cancel that comes while another of the order is on
   * its way waits for it, and finds the order gone (-2011) if that one took it, or tries itself.
   */
  cancelRecord(rec: DeskRecord, cancelId: string): Promise<OrderAnswer> {
    const first = this.cancelling.get(rec.id);
    if (first !== undefined)
      return first.then((a) => (a.kind === 'ok' ? error(UNKNOWN_ORDER) : this.cancelRecord(rec, cancelId)));
    this.cancelIds.set(rec.id, cancelId);
    const sent = this.sendCancel(rec, cancelId);
    this.cancelling.set(rec.id, sent);
    return sent.finally(() => {
      if (this.cancelling.get(rec.id) === sent) this.cancelling.delete(rec.id);
    });
  }

  private sendCancel(rec: DeskRecord, cancelId: string): Promise<OrderAnswer> {
    return this.desk.cancel(rec, (answer): OrderAnswer => {
      // A cancel the venue refused cancels nothing; one whose answer was lost may still have.
      if (answer === null || answer.kind === 'CancelRejectReport') this.cancelIds.delete(rec.id);
      if (answer === null) return error(UNKNOWN_ORDER);
      switch (answer.kind) {
        case 'CancelReport':
          return ok(
            this.fieldsOf(rec.symbol).cancelled(
              rec,
              this.desk.exchangeOrder(rec),
              this.status(rec),
              cancelId,
              this.desk.now(),
            ),
          );
        case 'CancelRejectReport':
          return error(answer.failure === 'transient' ? this.venueError(answer.code, answer.reason) : UNKNOWN_ORDER);
        case 'OutcomeUnknownReport':
          return unknownOutcome(answer);
        default:
          return error(badRequest(-1000, 'An unknown error occurred while processing the request.'));
      }
    });
  }

  /** DELETE /api/v3/openOrders: every open order of `symbol` cancelled, the cancelled ones
   *  listed; -2011 when none is open. A lost answer of any cancel is the request's answer. */
  async cancelAll(symbol: string = this.inst.symbol): Promise<OrderAnswer> {
    const open = this.openOrders(symbol);
    if (open.length === 0) return error(UNKNOWN_ORDER);
    const answers = await Promise.all(open.map((rec) => this.cancelRecord(rec, newClientId())));
    const lost = answers.find((a) => a.kind === 'reset' || (a.kind === 'error' && a.error.code === -1007));
    if (lost) return lost;
    return ok(answers.flatMap((a) => (a.kind === 'ok' ? [a.body] : [])));
  }

  // ---- reads -------------------------------------------------------------------------------

  /** GET /api/v3/order. */
  query(f: RequestFields): OrderAnswer {
    const rec = this.named(f, NO_SUCH_ORDER);
    return isBinanceError(rec) ? error(rec) : ok(this.orderJson(rec));
  }

  /** Orders that exist, of `symbol` or of every symbol, oldest first. */
  orders(symbol?: string): DeskRecord[] {
    const all = this.desk.orders();
    return symbol === undefined ? all : all.filter((r) => r.symbol === symbol);
  }

  /** Open orders, of `symbol` or of every symbol, oldest first. */
  openOrders(symbol?: string): DeskRecord[] {
    return this.orders(symbol).filter((r) => OPEN_STATUSES.has(this.status(r)));
  }

  /** Our open limit orders' remainders of `symbol` (the first served unless given) where they
   *  rest (the public book shows them). */
  resting(symbol: string = this.inst.symbol): Array<{ side: 'bid' | 'ask'; price: number; qty: number }> {
    const out: Array<{ side: 'bid' | 'ask'; price: number; qty: number }> = [];
    for (const rec of this.orders(symbol)) {
      const o = this.desk.exchangeOrder(rec);
      if (!o || !o.triggered || o.limitPrice === null || (o.status !== 'new' && o.status !== 'partially_filled'))
        continue;
      out.push({ side: o.side === 'buy' ? 'bid' : 'ask', price: o.limitPrice, qty: o.qty - o.filled });
    }
    return out;
  }

  // ---- the desk's events as the user data stream ---------------------------------------------

  private told(e: DeskEvent): void {
    const { rec } = e;
    const o = this.desk.exchangeOrder(rec);
    const all = o?.trades.length ?? 0;
    switch (e.kind) {
      case 'new':
        this.report(rec, 'NEW', 'NEW', e.at, 0);
        break;
      case 'fill': {
        if (e.trades === 1) this.firstFill();
        const filled = (o?.trades ?? []).slice(0, e.trades).reduce((sum, t) => sum + t.qty, 0);
        this.report(rec, 'TRADE', filled >= rec.qty ? 'FILLED' : 'PARTIALLY_FILLED', e.at, e.trades, e.trade);
        break;
      }
      case 'closed': {
        const status = this.status(rec);
        const cancelId = this.cancelIds.get(rec.id);
        this.cancelIds.delete(rec.id);
        if (status === 'EXPIRED') this.report(rec, 'EXPIRED', status, e.at, all);
        else this.report(rec, 'CANCELED', status, e.at, all, undefined, cancelId);
        break;
      }
      case 'rejected':
        this.report(rec, 'REJECTED', 'REJECTED', e.at, all);
        return; // nothing was ever locked for it
      default:
        return; // pending cancels and replaces: Binance tells none
    }
    this.emit({ e: 'outboundAccountPosition', E: e.at, u: e.at, B: this.accountPosition(rec.symbol) });
  }

  private report(
    rec: DeskRecord,
    x: 'NEW' | 'TRADE' | 'CANCELED' | 'EXPIRED' | 'REJECTED',
    status: string,
    at: number,
    trades: number,
    last?: Parameters<OrderFields['executionReport']>[7],
    cancelId?: string,
  ): void {
    const o = this.desk.exchangeOrder(rec);
    this.emit(
      this.fieldsOf(rec.symbol).executionReport(rec, o, x, status, at, this.nextExecution++, trades, last, cancelId),
    );
  }

  /** The balances an order of `symbol` changes (its base asset and the quote) as
   *  outboundAccountPosition's `B`. */
  accountPosition(symbol: string = this.inst.symbol): Array<{ a: string; f: string; l: string }> {
    const { base, quote } = this.fieldsOf(symbol).assets;
    return this.balances()
      .filter((b) => b.asset === base || b.asset === quote)
      .map((b) => ({ a: b.asset, f: b.free, l: b.locked }));
  }

  /** Each served symbol's base, then the quote they share: free and locked (open sells hold
   *  base, open buys of every symbol lock quote). Commissions stated in a base asset come out of
   *  that base, as on Binance (the simulated venue took them from the quote: they are given back
   *  to it); any other asset's stay taken from the quote (the gateway holds no BNB). */
  balances(): Array<{ asset: string; free: string; locked: string }> {
    const h = this.desk.holdings;
    const executions = h.executions();
    const out: Array<{ asset: string; free: string; locked: string }> = [];
    let given = 0;
    for (const one of this.gv.served) {
      const symbol = one.instrument.symbol;
      const fields = this.fieldsOf(symbol);
      const held = h.heldForSells(symbol);
      const kept = fields.keepsBase ? fields.keptOfBase(executions.filter((e) => e.rec.symbol === symbol)) : null;
      given += (kept?.units ?? 0) * one.scale;
      const free = fields.qtyAmount(this.gv.desk.positionOf(symbol) - held);
      out.push({
        asset: fields.assets.base,
        free: kept === null ? free : fields.less(free, kept.amounts),
        locked: fields.qtyAmount(held),
      });
    }
    const locked = h.lockedForBuys();
    const cash = this.gv.desk.quoteBalance + given;
    const q = (units: number) => places8(this.gv.quoteOf(Math.round(units)));
    out.push({ asset: this.fields.assets.quote, free: q(cash - locked), locked: q(locked) });
    return out;
  }

  /** The venue's refusal as Binance's answer: the HTTP status its rules give the code. */
  private venueError(code: string, message: string): BinanceError {
    const entry = Object.values(this.rules.errors).find((e) => e.code === code);
    const numeric = /^-?\d{1,6}$/.test(code) ? Number(code) : -2010;
    if (entry?.httpStatus === 429)
      return { ...binanceError(429, numeric, message), retryAfterS: this.wire.rateLimitWait().waitS };
    return badRequest(numeric, message);
  }
}

const ORDER_NAMES = { orderId: 'orderId', clientId: 'origClientOrderId' } as const;

export type CancelRestriction = 'ONLY_NEW' | 'ONLY_PARTIALLY_FILLED';

/** A cancel's cancelRestrictions, if it has one. */
export function cancelRestriction(f: RequestFields): CancelRestriction | undefined | BinanceError {
  return f.oneOf('cancelRestrictions', ['ONLY_NEW', 'ONLY_PARTIALLY_FILLED'] as const, () =>
    badRequest(-1145, 'Invalid cancelRestrictions'),
  );
}

/** A request whose answer was lost: a 5xx is -1007, a timeout a dropped connection. */
function unknownOutcome(report: OutcomeUnknownReport): OrderAnswer {
  return report.category === 'server' ? error(SEND_STATUS_UNKNOWN) : { kind: 'reset' };
}
