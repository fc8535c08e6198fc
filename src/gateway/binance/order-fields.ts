// The gateway's orders and executions in Binance's fields: the order as GET /api/v3/order, the
// open and all-orders lists and a cancel answer state it, the POST answer's ACK, RESULT and FULL
// forms, an execution as myTrades and FULL's `fills` state it, and the user data stream's
// executionReport. One execution has one trade id everywhere (the simulated exchange's trade
// number): the POST answer, the stream and myTrades state the same executions. Commissions are
// stated in the scenario's `venue.fees.commissionAsset` when it names one, else in the quote
// asset (the simulated venue takes every fee from the quote balance; the account's balances give
// base-asset commissions back to it and take them from the base: binance-orders.ts).
import type { Instrument } from '../../core/model/instrument.ts';
import { formatScaled, parseDecimal, roundDecimal, type ScaledDecimal } from '../../core/model/decimal.ts';
import { assetsOf, type Assets } from '../../core/fills/fees.ts';
import type { ExchangeOrder, ExchangeTrade } from '../../sim/venue/exchange-order.ts';
import { tradeNumber } from '../desk-holdings.ts';
import type { DeskRecord, DeskStatus } from '../desk-record.ts';
import { places8, price8, qty8, quote8, ZERO8 } from './wire.ts';

type Json = Record<string, unknown>;

/** A trade's commission as the venue states it (sim-venue's Commission). */
export type StatedCommission = (fee: number, price: number) => { readonly asset: string; readonly amount: string };

/** Binance's order status of a desk status (`filled`: lots filled so far). */
export function binanceStatus(status: DeskStatus, filled: number): string {
  switch (status) {
    case 'arriving':
    case 'accepted':
      return 'PENDING_NEW';
    case 'new':
      return 'NEW';
    case 'partially_filled':
      return 'PARTIALLY_FILLED';
    case 'filled':
      return 'FILLED';
    case 'canceled':
    case 'replaced':
      return 'CANCELED';
    case 'expired':
      return 'EXPIRED';
    case 'rejected':
      return 'REJECTED';
    case 'pending_cancel':
    case 'replacing':
      return filled > 0 ? 'PARTIALLY_FILLED' : 'NEW';
  }
}

export const OPEN_STATUSES: ReadonlySet<string> = new Set(['NEW', 'PARTIALLY_FILLED', 'PENDING_NEW']);

/** Binance's order type of a desk order. */
export function binanceType(rec: DeskRecord): string {
  switch (rec.type) {
    case 'market':
      return 'MARKET';
    case 'limit':
      return rec.postOnly === true ? 'LIMIT_MAKER' : 'LIMIT';
    case 'stop':
      return 'STOP_LOSS';
    case 'stop_limit':
      return 'STOP_LOSS_LIMIT';
  }
}

export class OrderFields {
  readonly assets: Assets;
  /** Commissions are stated in the base asset (they come out of the base balance). */
  readonly keepsBase: boolean;

  constructor(
    private readonly inst: Instrument,
    /** The venue's clock against the wall clock, ms. */
    private readonly skewMs: number,
    private readonly stated: StatedCommission | undefined,
  ) {
    this.assets = assetsOf(inst.symbol);
    this.keepsBase = stated !== undefined && stated(0, 1).asset === this.assets.base;
  }

  /** Lots as Binance's amount string. */
  qtyAmount(lots: number): string {
    return qty8(this.inst, lots);
  }

  /** Notional units as Binance's amount string of the quote asset. */
  quoteAmount(units: number): string {
    return quote8(this.inst, units);
  }

  /** The base-asset commissions of `executions`: the amounts as stated, and the notional units
   *  the simulated venue charged the quote for them. */
  keptOfBase(executions: ReadonlyArray<{ readonly trade: ExchangeTrade }>): { amounts: string[]; units: number } {
    const amounts: string[] = [];
    let units = 0;
    for (const { trade } of executions) {
      const c = this.commission(trade);
      if (c.commissionAsset !== this.assets.base) continue;
      amounts.push(c.commission);
      units += trade.fee;
    }
    return { amounts, units };
  }

  /** A balance less some amounts, exactly, as Binance writes it. */
  less(balance: string, amounts: readonly string[]): string {
    const parts = [balance, ...amounts].map(parseDecimal);
    const scale = Math.max(...parts.map((d) => d.scale));
    const at = (d: ScaledDecimal) => d.mantissa * 10n ** BigInt(scale - d.scale);
    const [first, ...rest] = parts as [ScaledDecimal, ...ScaledDecimal[]];
    return places8(
      formatScaled(
        rest.reduce((m, d) => m - at(d), at(first)),
        scale,
      ),
    );
  }

  /** A trade's commission and its asset, as Binance's strings. */
  commission(t: ExchangeTrade): { commission: string; commissionAsset: string } {
    if (this.stated) {
      const c = this.stated(t.fee, t.price);
      // Binance states amounts at 8 places: a converted one is rounded there.
      return { commission: roundDecimal(c.amount, 8), commissionAsset: c.asset };
    }
    return { commission: quote8(this.inst, t.fee), commissionAsset: this.assets.quote };
  }

  /** The order's own fields: what every form shares (as of the first `trades` executions). */
  private core(rec: DeskRecord, o: ExchangeOrder | undefined, status: string, trades?: number): Json {
    const done = (o?.trades ?? []).slice(0, trades);
    let filled = 0;
    let units = 0;
    for (const t of done) {
      filled += t.qty;
      units += t.qty * t.price;
    }
    const out: Json = {
      price: rec.limitPrice === null ? ZERO8 : price8(this.inst, rec.limitPrice),
      origQty: qty8(this.inst, rec.qty),
      executedQty: qty8(this.inst, filled),
      origQuoteOrderQty: ZERO8,
      cummulativeQuoteQty: quote8(this.inst, units),
      status,
      timeInForce: rec.tif,
      type: binanceType(rec),
      side: rec.side === 'buy' ? 'BUY' : 'SELL',
    };
    if (rec.stopPrice !== null) out['stopPrice'] = price8(this.inst, rec.stopPrice);
    return out;
  }

  /** When the order was placed: its submission time at the desk (unique to the ms, the time
   *  allOrders' windows compare), stated alike as `time`, `transactTime`, `workingTime` and `O`. */
  private createdAt(rec: DeskRecord): number {
    return rec.submittedAt;
  }

  /** The order as GET /api/v3/order, openOrders and allOrders state it. */
  order(rec: DeskRecord, o: ExchangeOrder | undefined, status: string): Json {
    const working = o !== undefined && o.triggered;
    return {
      symbol: this.inst.symbol,
      orderId: Number(rec.id),
      orderListId: -1,
      clientOrderId: rec.clientOrderId,
      ...this.core(rec, o, status),
      time: this.createdAt(rec),
      updateTime: o ? o.updatedAt + this.skewMs : (rec.rejectedAt ?? rec.submittedAt),
      isWorking: working,
      workingTime: working ? this.createdAt(rec) : -1,
      selfTradePreventionMode: 'NONE',
    };
  }

  /** POST /api/v3/order's answer in its `newOrderRespType` form. */
  placed(rec: DeskRecord, o: ExchangeOrder | undefined, status: string, form: 'ACK' | 'RESULT' | 'FULL'): Json {
    const ack: Json = {
      symbol: this.inst.symbol,
      orderId: Number(rec.id),
      orderListId: -1,
      clientOrderId: rec.clientOrderId,
      transactTime: this.createdAt(rec),
    };
    if (form === 'ACK') return ack;
    const result: Json = {
      ...ack,
      ...this.core(rec, o, status),
      workingTime: o !== undefined && o.triggered ? this.createdAt(rec) : -1,
      selfTradePreventionMode: 'NONE',
    };
    if (form === 'RESULT') return result;
    return { ...result, fills: (o?.trades ?? []).map((t) => this.fill(t)) };
  }

  /** A cancel's answer: the order as it is now, under the cancel's own client id. */
  cancelled(rec: DeskRecord, o: ExchangeOrder | undefined, status: string, cancelId: string, at: number): Json {
    return {
      symbol: this.inst.symbol,
      origClientOrderId: rec.clientOrderId,
      orderId: Number(rec.id),
      orderListId: -1,
      clientOrderId: cancelId,
      transactTime: at,
      ...this.core(rec, o, status),
      selfTradePreventionMode: 'NONE',
    };
  }

  /** One execution in a FULL answer's `fills`. */
  fill(t: ExchangeTrade): Json {
    return {
      price: price8(this.inst, t.price),
      qty: qty8(this.inst, t.qty),
      ...this.commission(t),
      tradeId: tradeNumber(t.tradeId),
    };
  }

  /** One execution as GET /api/v3/myTrades states it. */
  trade(rec: DeskRecord, t: ExchangeTrade): Json {
    return {
      symbol: this.inst.symbol,
      id: tradeNumber(t.tradeId),
      orderId: Number(rec.id),
      orderListId: -1,
      price: price8(this.inst, t.price),
      qty: qty8(this.inst, t.qty),
      quoteQty: quote8(this.inst, t.qty * t.price),
      ...this.commission(t),
      time: t.time + this.skewMs,
      isBuyer: rec.side === 'buy',
      isMaker: t.liquidity === 'maker',
      isBestMatch: true,
    };
  }

  /**
   * The user data stream's executionReport: `x` the execution type, `status` the order's as of
   * it, `trades` how many of the order's executions it covers (`last` the one it reports).
   * `cancelId`: the client id of the cancel that ended the order, which Binance states in `c`,
   * the order's own moving to `C` (every other report: the order's in `c`, `C` empty).
   */
  executionReport(
    rec: DeskRecord,
    o: ExchangeOrder | undefined,
    x: 'NEW' | 'TRADE' | 'CANCELED' | 'EXPIRED' | 'REJECTED',
    status: string,
    at: number,
    executionId: number,
    trades: number,
    last?: ExchangeTrade,
    cancelId?: string,
  ): Json {
    const core = this.core(rec, o, status, trades);
    const working = o !== undefined && o.triggered && (status === 'NEW' || status === 'PARTIALLY_FILLED');
    const c = last ? this.commission(last) : null;
    const report: Json = {
      e: 'executionReport',
      E: at,
      s: this.inst.symbol,
      c: cancelId ?? rec.clientOrderId,
      S: core['side'],
      o: core['type'],
      f: rec.tif,
      q: core['origQty'],
      p: core['price'],
      P: rec.stopPrice === null ? ZERO8 : price8(this.inst, rec.stopPrice),
      F: ZERO8,
      g: -1,
      C: cancelId === undefined ? '' : rec.clientOrderId,
      x,
      X: status,
      r: 'NONE',
      i: Number(rec.id),
      l: last ? qty8(this.inst, last.qty) : ZERO8,
      z: core['executedQty'],
      L: last ? price8(this.inst, last.price) : ZERO8,
      n: c ? c.commission : '0',
      N: c ? c.commissionAsset : null,
      T: last ? last.time + this.skewMs : at,
      t: last ? tradeNumber(last.tradeId) : -1,
      I: executionId,
      w: working,
      m: last ? last.liquidity === 'maker' : false,
      M: false,
      O: this.createdAt(rec),
      Z: core['cummulativeQuoteQty'],
      Y: last ? quote8(this.inst, last.qty * last.price) : ZERO8,
      Q: ZERO8,
      V: 'NONE',
    };
    if (working) report['W'] = this.createdAt(rec);
    return report;
  }
}
