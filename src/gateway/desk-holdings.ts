// What a gateway desk's orders hold of the account, as the venue's account and positions
// endpoints and its fill events state it: the quote open buys lock, the lots open sells hold, what
// a new sell may take, and the position after each of our executions. Orders on their way to the
// book hold theirs already. Read from the exchange's own records, never kept beside them. Lots and
// positions are per symbol (absent: the gateway's first); quote is the account's, shared by every
// symbol, in account units.
import type { Symbol } from '../core/model/ids.ts';
import type { ExchangeOrder, ExchangeTrade } from '../sim/venue/exchange-order.ts';
import type { DeskRecord } from './desk-record.ts';

/** What the holdings are read from: the desk's orders and the simulated account. */
export interface HoldingsSource {
  /** Every order placed, in submission order. */
  readonly records: readonly DeskRecord[];
  /** The order at the exchange, once it is there. */
  exchangeOrder(rec: DeskRecord): ExchangeOrder | undefined;
  /** Announced and not yet at the exchange. */
  onTheWay(rec: DeskRecord): boolean;
  /** The account's position in `symbol` now, lots. */
  position(symbol: Symbol): number;
  /** The account's position in `symbol` before any of our orders, lots. */
  initialPosition(symbol: Symbol): number;
  /** Account units in one of `symbol`'s notional units. */
  scale(symbol: Symbol): number;
  /** The gateway's first symbol. */
  readonly primary: Symbol;
}

const isOpen = (o: ExchangeOrder): boolean => o.status === 'new' || o.status === 'partially_filled';

export class DeskHoldings {
  constructor(private readonly src: HoldingsSource) {}

  /** Every execution of our orders in execution order (trade ids are sequential at the exchange). */
  executions(): Array<{ rec: DeskRecord; trade: ExchangeTrade }> {
    const out: Array<{ rec: DeskRecord; trade: ExchangeTrade }> = [];
    for (const rec of this.src.records)
      for (const trade of this.src.exchangeOrder(rec)?.trades ?? []) out.push({ rec, trade });
    return out.sort((a, b) => tradeNumber(a.trade.tradeId) - tradeNumber(b.trade.tradeId));
  }

  /** Quote locked by open buy orders of every symbol (an order's `reservePrice`, else its limit
   *  or stop price, x what is left), account units (notional units with one symbol); `except`
   *  (an order being replaced) left out. */
  lockedForBuys(except?: DeskRecord): number {
    return this.buyLocks(except, false);
  }

  /** What open buys hold by their `reservePrice` beyond what the simulated exchange locks for
   *  them: all of it for a market buy (the exchange prices one at the touch when it arrives, and
   *  holds nothing for it after), the part above its stop price for a stop buy; account units;
   *  `except` left out. */
  reservedBeyondExchange(except?: DeskRecord): number {
    return this.buyLocks(except, true);
  }

  private buyLocks(except: DeskRecord | undefined, reservesOnly: boolean): number {
    let sum = 0;
    for (const rec of this.src.records) {
      if (rec === except || rec.side !== 'buy') continue;
      const o = this.src.exchangeOrder(rec);
      const at = o ? (isOpen(o) ? o : null) : this.src.onTheWay(rec) ? rec : null;
      if (at === null) continue;
      // The exchange locks a limit or stop price; the wire's rule may hold more (reservePrice).
      const locked = at.limitPrice ?? at.stopPrice ?? 0;
      const held = rec.reservePrice ?? locked;
      const price = reservesOnly ? Math.max(0, held - locked) : held;
      const left = o ? o.qty - o.filled : rec.qty;
      if (price !== 0 && left !== 0) sum += price * left * this.src.scale(rec.symbol);
    }
    return sum;
  }

  /** Lots of `symbol` held for open sell orders. */
  heldForSells(symbol: Symbol = this.src.primary): number {
    let sum = 0;
    for (const rec of this.src.records) {
      if (rec.symbol !== symbol) continue;
      const o = this.src.exchangeOrder(rec);
      if (o && o.side === 'sell' && isOpen(o)) sum += o.qty - o.filled;
      else if (!o && this.src.onTheWay(rec) && rec.side === 'sell') sum += rec.qty;
    }
    return sum;
  }

  /** Lots of `symbol` a new sell may take: the position less what open sells hold (a
   *  replacement's predecessor, `replacing`, is cancelled first: what it holds is available). */
  sellable(replacing: DeskRecord | null, symbol: Symbol = replacing?.symbol ?? this.src.primary): number {
    const o = replacing ? this.src.exchangeOrder(replacing) : undefined;
    const freed = o && o.side === 'sell' ? o.qty - o.filled : 0;
    return this.src.position(symbol) - this.heldForSells(symbol) + freed;
  }

  /** Signed position in `symbol` right after trade `tradeId` (the venue numbers trades across
   *  its symbols), lots. */
  positionAfter(tradeId: string, symbol: Symbol = this.src.primary): number {
    const upTo = tradeNumber(tradeId);
    let position = this.src.initialPosition(symbol);
    for (const { trade, rec } of this.executions()) {
      if (tradeNumber(trade.tradeId) > upTo) break;
      if (rec.symbol === symbol) position += rec.side === 'buy' ? trade.qty : -trade.qty;
    }
    return position;
  }
}

export function tradeNumber(tradeId: string): number {
  return Number(tradeId.slice(1));
}
