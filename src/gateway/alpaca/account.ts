// The account, positions, clock and market data as Alpaca states them, read from the simulated
// exchange and the venue's market-data view. The account is a cash account (multiplier 1, no
// shorting): buying power is the cash not locked by open buy orders, as the simulated exchange's
// balance check counts it.
import { lotsToQty, unitsToQuote, type Instrument } from '../../core/model/instrument.ts';
import type { GatewayVenue } from '../gateway-venue.ts';
import type { AlpacaOrders } from './alpaca-orders.ts';
import type { MarketFeed } from '../market-feed.ts';
import { quoteFields, tradeFields } from './market-fields.ts';
import { rfc3339 } from './wire.ts';

/** A money or ratio amount as Alpaca's decimal string (at most `decimals` places, no exponent). */
export function amount(x: number, decimals = 6): string {
  if (!Number.isFinite(x)) return '0';
  const s = x
    .toFixed(decimals)
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}

export class AlpacaAccount {
  readonly accountId: string;
  private readonly inst: Instrument;
  /** The price the starting position is valued at (the mark when the gateway started). */
  private readonly startMark: number | null;
  private readonly startEquity: number;

  constructor(
    private readonly gv: GatewayVenue,
    private readonly orders: AlpacaOrders,
    private readonly feed: MarketFeed,
    accountId: string,
  ) {
    this.accountId = accountId;
    this.inst = gv.instrument;
    this.startMark = this.markTicks();
    this.startEquity = this.cash() + this.qty(gv.initialPosition) * this.price(this.startMark ?? 0);
  }

  /** Mid of the exchange's book, else the last trade, in ticks; null before any market. */
  markTicks(): number | null {
    const book = this.gv.exchange.book;
    const bid = book.bestBid();
    const ask = book.bestAsk();
    if (bid !== null && ask !== null) return (bid + ask) / 2;
    return this.feed.lastPrint()?.price ?? bid ?? ask ?? null;
  }

  private price(ticks: number): number {
    return ticks * Number(this.inst.tickSize);
  }

  private qty(lots: number): number {
    return lots * Number(this.inst.lotSize);
  }

  private cash(): number {
    return Number(unitsToQuote(this.inst, Math.round(this.gv.desk.quoteBalance)));
  }

  /** Average entry price (ticks) of the position now: average cost over the executions in order. */
  private entryTicks(): number {
    let position = this.gv.initialPosition;
    let avg = this.startMark ?? 0;
    for (const { rec, trade } of this.orders.desk.holdings.executions()) {
      const signed = rec.side === 'buy' ? trade.qty : -trade.qty;
      const next = position + signed;
      if (position === 0 || Math.sign(signed) === Math.sign(position))
        avg = (avg * Math.abs(position) + trade.price * trade.qty) / Math.abs(next);
      else if (Math.sign(next) !== Math.sign(position) && next !== 0) avg = trade.price;
      position = next;
    }
    return avg;
  }

  account(): Record<string, unknown> {
    const cash = this.cash();
    const position = this.gv.desk.position;
    const mark = this.markTicks();
    const value = mark === null ? 0 : this.qty(position) * this.price(mark);
    const locked = Number(unitsToQuote(this.inst, Math.round(this.orders.desk.holdings.lockedForBuys())));
    const buyingPower = amount(Math.max(0, cash - locked), 2);
    const equity = cash + value;
    const now = this.orders.now();
    return {
      id: this.accountId,
      account_number: 'EXECSIM0001',
      status: 'ACTIVE',
      crypto_status: 'INACTIVE',
      currency: 'USD',
      cash: amount(cash, 2),
      portfolio_value: amount(equity, 2),
      equity: amount(equity, 2),
      last_equity: amount(this.startEquity, 2),
      buying_power: buyingPower,
      regt_buying_power: buyingPower,
      daytrading_buying_power: '0',
      non_marginable_buying_power: buyingPower,
      options_buying_power: '0',
      effective_buying_power: buyingPower,
      long_market_value: amount(Math.max(0, value), 2),
      short_market_value: amount(Math.min(0, value), 2),
      position_market_value: amount(value, 2),
      initial_margin: '0',
      maintenance_margin: '0',
      last_maintenance_margin: '0',
      sma: '0',
      multiplier: '1',
      accrued_fees: '0',
      pending_transfer_in: '0',
      pending_transfer_out: '0',
      intraday_adjustments: '0',
      pending_reg_taf_fees: '0',
      pattern_day_trader: false,
      trade_suspended_by_user: false,
      trading_blocked: false,
      transfers_blocked: false,
      account_blocked: false,
      shorting_enabled: false,
      daytrade_count: 0,
      options_approved_level: 0,
      options_trading_level: 0,
      created_at: rfc3339(this.gv.startedAt),
      balance_asof: rfc3339(now).slice(0, 10),
    };
  }

  /** The position in the instrument, or null when flat. */
  /** The position in lots (a cash account: never below zero). */
  positionLots(): number {
    return this.gv.desk.position;
  }

  position(): Record<string, unknown> | null {
    const lots = this.gv.desk.position;
    if (lots === 0) return null;
    const qty = this.qty(lots);
    const entry = this.price(this.entryTicks());
    const markTicks = this.markTicks();
    const current = markTicks === null ? entry : this.price(markTicks);
    const last = this.startMark === null ? current : this.price(this.startMark);
    const marketValue = qty * current;
    const costBasis = qty * entry;
    const pl = marketValue - costBasis;
    const held = this.orders.desk.holdings.heldForSells();
    return {
      asset_id: this.orders.assetId,
      symbol: this.inst.symbol,
      exchange: 'EXECSIM',
      asset_class: 'us_equity',
      asset_marginable: false,
      avg_entry_price: amount(entry, 6),
      qty: lotsToQty(this.inst, lots),
      qty_available: lotsToQty(this.inst, lots > 0 ? Math.max(0, lots - held) : lots),
      side: lots > 0 ? 'long' : 'short',
      market_value: amount(marketValue, 2),
      cost_basis: amount(costBasis, 2),
      unrealized_pl: amount(pl, 2),
      unrealized_plpc: amount(costBasis === 0 ? 0 : pl / Math.abs(costBasis), 6),
      unrealized_intraday_pl: amount(qty * (current - last), 2),
      unrealized_intraday_plpc: amount(last === 0 ? 0 : (current - last) / last, 6),
      current_price: amount(current, 6),
      lastday_price: amount(last, 6),
      change_today: amount(last === 0 ? 0 : (current - last) / last, 6),
    };
  }

  /** The latest quote of our market-data view (what a feed would show: latency, stale windows). */
  quote(): Record<string, unknown> | null {
    const q = this.feed.quote();
    if (q === null) return null;
    return { t: rfc3339(q.time + this.gv.scenario.venue.clockSkewMs), ...quoteFields(this.inst, q) };
  }

  /** The latest print on the venue's tape. */
  trade(): Record<string, unknown> | null {
    const p = this.feed.lastPrint();
    if (p === null) return null;
    return { t: rfc3339(p.time + this.gv.scenario.venue.clockSkewMs), ...tradeFields(this.inst, p) };
  }

  clock(): Record<string, unknown> {
    const now = this.orders.now();
    const hours = this.gv.rules.hours;
    const open = hours.isOpen(now);
    // Always open: the next open is now and the next close a day away (a venue that never
    // closes has neither; the SDK needs both fields as times).
    const nextOpen = hours.kind === '24/7' ? now : hours.nextOpen(open ? hours.sessionClose(now) : now);
    const nextClose = hours.kind === '24/7' ? now + 86_400_000 : hours.sessionClose(now);
    return {
      timestamp: rfc3339(now),
      is_open: open,
      next_open: rfc3339(nextOpen),
      next_close: rfc3339(nextClose),
    };
  }

  asset(): Record<string, unknown> {
    return {
      id: this.orders.assetId,
      class: 'us_equity',
      exchange: 'EXECSIM',
      symbol: this.inst.symbol,
      name: `${this.inst.symbol} (execsim gateway)`,
      status: 'active',
      tradable: true,
      marginable: false,
      shortable: false,
      easy_to_borrow: false,
      fractionable: this.inst.lotSize !== '1',
      maintenance_margin_requirement: 100,
      attributes: [],
    };
  }
}
