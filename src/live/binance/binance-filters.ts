// The run's instrument against the venue's own rules for the symbol, read once at start from
// exchangeInfo (ccxt's loadMarkets): the tick (PRICE_FILTER tickSize), the lot (LOT_SIZE
// stepSize) and the minimum notional (NOTIONAL, or the older MIN_NOTIONAL, minNotional) must be
// the scenario's, or every price and quantity the run computes would be refused, or worse, be
// another amount than the one simulated. A symbol the venue does not list is refused too. Read
// from Binance's own filter strings (ccxt keeps them in the market's `info`), compared exactly.
import type { MarketInterface as Market } from 'ccxt';
import { compareDecimals } from '../../core/model/decimal.ts';
import type { Instrument } from '../../core/model/instrument.ts';

type Filter = Record<string, unknown>;

function filtersOf(market: Market): Filter[] {
  const info = market.info as { filters?: unknown } | undefined;
  return Array.isArray(info?.filters)
    ? (info.filters.filter((f) => typeof f === 'object' && f !== null) as Filter[])
    : [];
}

function field(filters: readonly Filter[], type: string, name: string): string | null {
  const value = filters.find((f) => f['filterType'] === type)?.[name];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : null;
}

/** Whether two decimal strings are the same number ("0.01000000" and "0.01" are). */
export function sameDecimal(a: string, b: string): boolean {
  try {
    return compareDecimals(a, b) === 0;
  } catch {
    return false;
  }
}

/** The venue's spot market for the instrument's symbol (Binance's id, "BTCUSDT"), if it lists one. */
export function marketOf(
  markets: Readonly<Record<string, Market | undefined>> | undefined,
  symbol: string,
): Market | undefined {
  return Object.values(markets ?? {}).find((m): m is Market => m !== undefined && m.id === symbol && m.spot === true);
}

/**
 * Why the run cannot trade its instrument on this venue, in one message naming the scenario's
 * fields (`at`: the instrument's place in the file, `otherInstruments[0]` for a further one)
 * and the venue's filters; null when they agree.
 */
export function instrumentRefusal(
  market: Market | undefined,
  inst: Instrument,
  venue: string,
  at = 'instrument',
): string | null {
  if (market === undefined)
    return `${at}.symbol: ${venue} does not list ${inst.symbol} as a spot symbol; nothing was sent`;
  const filters = filtersOf(market);
  const tick = field(filters, 'PRICE_FILTER', 'tickSize');
  const lot = field(filters, 'LOT_SIZE', 'stepSize');
  const minNotional = field(filters, 'NOTIONAL', 'minNotional') ?? field(filters, 'MIN_NOTIONAL', 'minNotional') ?? '0';
  const problems: string[] = [];
  const check = (name: string, ours: string, theirs: string | null, filter: string): void => {
    if (theirs === null) problems.push(`${venue} states no ${filter} for ${inst.symbol}`);
    else if (!sameDecimal(ours, theirs))
      problems.push(`${at}.${name} is ${ours} but ${venue}'s ${filter} is ${plain(theirs)}`);
  };
  check('tickSize', inst.spec.tickSize, tick, 'PRICE_FILTER tickSize');
  check('lotSize', inst.spec.lotSize, lot, 'LOT_SIZE stepSize');
  check('minNotional', inst.spec.minNotional, minNotional, 'NOTIONAL minNotional');
  if (problems.length === 0) return null;
  const which = at === 'instrument' ? 'instrument' : `${at} (${inst.symbol})`;
  return `the scenario's ${which} disagrees with ${venue}'s filters for ${inst.symbol}: ${problems.join('; ')}; nothing was sent`;
}

/** "0.01000000" -> "0.01", for messages. */
function plain(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}
