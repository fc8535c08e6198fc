// The account, positions, clock and market data as Alpaca states them, read from the simulated
// exchange and the venue's market-data view of each served symbol. The account is a cash account
// (multiplier 1, no shorting) whose cash every symbol shares: buying power is the cash not locked
// by open buy orders of any symbol, as the simulated exchange's balance check counts it; equity is
// the cash plus every position at its symbol's mark.
import type { Symbol } from '../../core/model/ids.ts';
import { lotsToQty, type Instrument } from '../../core/model/instrument.ts';
import type { GatewayVenue } from '../gateway-venue.ts';
import type { AlpacaOrders } from './alpaca-orders.ts';
import type { MarketFeed } from '../market-feed.ts';
import { quoteFields, tradeFields } from './market-fields.ts';
import { symbolUuid } from './order-fields.ts';
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
  /** The price each symbol's starting position is valued at (its mark when the gateway started). */
  private readonly startMarks = new Map<string, number | null>();
  private readonly startEquity: number;

  constructor(
    private readonly gv: GatewayVenue,
    private readonly orders: AlpacaOrders,
    /** Each served symbol's market feed. */
    private readonly feeds: ReadonlyMap<string, MarketFeed>,
    accountId: string,
  ) {
    this.accountId = accountId;
    let held = 0;
    for (const one of gv.served) {
      const symbol = one.instrument.symbol;
      const mark = this.markTicks(symbol);
      this.startMarks.set(symbol, mark);
      held += this.qty(symbol, one.initialPosition) * this.price(symbol, mark ?? 0);
    }
    this.startEquity = this.cash() + held;
  }

  /** A served symbol's instrument and market feed, or undefined for a symbol (or asset id) the
   *  gateway does not serve. */
  private served(symbolOrAssetId: string): { inst: Instrument; feed: MarketFeed } | undefined {
    const symbol = this.symbolOf(symbolOrAssetId);
    const feed = symbol === undefined ? undefined : this.feeds.get(symbol);
    return feed === undefined ? undefined : { inst: this.gv.requireSymbol(feed.symbol).instrument, feed };
  }

  /** The served symbol a symbol or an asset id names, or undefined. */
  symbolOf(symbolOrAssetId: string): string | undefined {
    if (this.gv.servedSymbol(symbolOrAssetId) !== undefined) return symbolOrAssetId;
    return this.gv.symbols().find((s) => symbolUuid(s) === symbolOrAssetId.toLowerCase());
  }

  private feed(symbol: string): MarketFeed {
    const feed = this.feeds.get(symbol);
    if (feed === undefined) throw new Error(`no market feed for ${symbol}`);
    return feed;
  }

  /** Mid of the symbol's book, else its last trade, in ticks; null before any market. */
  markTicks(symbol: string = this.gv.instrument.symbol): number | null {
    const book = this.gv.requireSymbol(symbol).exchange.book;
    const bid = book.bestBid();
    const ask = book.bestAsk();
    if (bid !== null && ask !== null) return (bid + ask) / 2;
    return this.feed(symbol).lastPrint()?.price ?? bid ?? ask ?? null;
  }

  private price(symbol: string, ticks: number): number {
    return ticks * Number(this.gv.requireSymbol(symbol).instrument.tickSize);
  }

  private qty(symbol: string, lots: number): number {
    return lots * Number(this.gv.requireSymbol(symbol).instrument.lotSize);
  }

  private cash(): number {
    return Number(this.gv.quoteOf(Math.round(this.gv.desk.quoteBalance)));
  }

  /** Average entry price (ticks) of the symbol's position now: average cost over its executions
   *  in order. */
  private entryTicks(symbol: string): number {
    let position = this.gv.requireSymbol(symbol).initialPosition;
    let avg = this.startMarks.get(symbol) ?? 0;
    for (const { rec, trade } of this.orders.desk.holdings.executions()) {
      if (rec.symbol !== symbol) continue;
      const signed = rec.side === 'buy' ? trade.qty : -trade.qty;
      const next = position + signed;
      if (position === 0 || Math.sign(signed) === Math.sign(position))
        avg = (avg * Math.abs(position) + trade.price * trade.qty) / Math.abs(next);
      else if (Math.sign(next) !== Math.sign(position) && next !== 0) avg = trade.price;
      position = next;
    }
    return avg;
  }

  /** The market value of every position, at each symbol's mark (a symbol with no market yet adds 0). */
  private positionsValue(): number {
    let value = 0;
    for (const one of this.gv.served) {
      const symbol = one.instrument.symbol;
      const mark = this.markTicks(symbol);
      if (mark !== null)
        value += this.qty(symbol, this.gv.desk.positionOf(one.instrument.symbol)) * this.price(symbol, mark);
    }
    return value;
  }

  account(): Record<string, unknown> {
    const cash = this.cash();
    const value = this.positionsValue();
    const locked = Number(this.gv.quoteOf(Math.round(this.orders.desk.holdings.lockedForBuys())));
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

  /** The position in `symbol` (or its asset id) in lots (a cash account: never below zero); 0
   *  for a symbol the gateway does not serve. */
  positionLots(symbol: string = this.gv.instrument.symbol): number {
    const served = this.symbolOf(symbol);
    return served === undefined ? 0 : this.gv.desk.positionOf(served as Symbol);
  }

  /** Every open position, in the order the symbols are served. */
  positions(): Array<Record<string, unknown>> {
    const out: Array<Record<string, unknown>> = [];
    for (const symbol of this.gv.symbols()) {
      const p = this.position(symbol);
      if (p !== null) out.push(p);
    }
    return out;
  }

  /** The position in `symbol` (or its asset id), or null when flat or not served. */
  position(symbol: string = this.gv.instrument.symbol): Record<string, unknown> | null {
    const served = this.symbolOf(symbol);
    if (served === undefined) return null;
    const inst = this.gv.requireSymbol(served).instrument;
    const lots = this.gv.desk.positionOf(inst.symbol);
    if (lots === 0) return null;
    const qty = this.qty(served, lots);
    const entry = this.price(served, this.entryTicks(served));
    const markTicks = this.markTicks(served);
    const current = markTicks === null ? entry : this.price(served, markTicks);
    const startMark = this.startMarks.get(served) ?? null;
    const last = startMark === null ? current : this.price(served, startMark);
    const marketValue = qty * current;
    const costBasis = qty * entry;
    const pl = marketValue - costBasis;
    const held = this.orders.desk.holdings.heldForSells(inst.symbol);
    return {
      asset_id: symbolUuid(inst.symbol),
      symbol: inst.symbol,
      exchange: 'EXECSIM',
      asset_class: 'us_equity',
      asset_marginable: false,
      avg_entry_price: amount(entry, 6),
      qty: lotsToQty(inst, lots),
      qty_available: lotsToQty(inst, lots > 0 ? Math.max(0, lots - held) : lots),
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

  /** The latest quote of the symbol's market-data view (what a feed would show: latency, stale
   *  windows), or null before any or for a symbol the gateway does not serve. */
  quote(symbol: string = this.gv.instrument.symbol): Record<string, unknown> | null {
    const served = this.gv.servedSymbol(symbol) ? this.served(symbol) : undefined;
    const q = served?.feed.quote() ?? null;
    if (served === undefined || q === null) return null;
    return { t: rfc3339(q.time + this.gv.scenario.venue.clockSkewMs), ...quoteFields(served.inst, q) };
  }

  /** The latest print on the symbol's tape, or null. */
  trade(symbol: string = this.gv.instrument.symbol): Record<string, unknown> | null {
    const served = this.gv.servedSymbol(symbol) ? this.served(symbol) : undefined;
    const p = served?.feed.lastPrint() ?? null;
    if (served === undefined || p === null) return null;
    return { t: rfc3339(p.time + this.gv.scenario.venue.clockSkewMs), ...tradeFields(served.inst, p) };
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

  /** The asset of a served symbol (or its asset id), or null. */
  asset(symbolOrAssetId: string = this.gv.instrument.symbol): Record<string, unknown> | null {
    const symbol = this.symbolOf(symbolOrAssetId);
    if (symbol === undefined) return null;
    const inst = this.gv.requireSymbol(symbol).instrument;
    return {
      id: symbolUuid(inst.symbol),
      class: 'us_equity',
      exchange: 'EXECSIM',
      symbol: inst.symbol,
      name: `${inst.symbol} (execsim gateway)`,
      status: 'active',
      tradable: true,
      marginable: false,
      shortable: false,
      easy_to_borrow: false,
      fractionable: inst.lotSize !== '1',
      maintenance_margin_requirement: 100,
      attributes: [],
    };
  }
}
