// The scenario's instrument as Binance's symbol filters: what exchangeInfo lists (PRICE_FILTER,
// LOT_SIZE, MARKET_LOT_SIZE, NOTIONAL) and the checks an order's price and quantity meet, refused
// as Binance refuses them. The maxima keep every notional an exact integer, so only the minimum
// notional refuses an order, and the simulated venue checks it.
// Details: docs/0068-gateway-notes.md.
import type { Instrument } from '../../core/model/instrument.ts';
import { priceToTicks, qtyToLots } from '../../core/model/instrument.ts';
import { decimalsOf } from '../../core/model/decimal.ts';
import { badRequest, filterFailure, illegal, places8, price8, qty8, quote8, type BinanceError } from './wire.ts';

export const MAX_PRICE_TICKS = 100_000_000;
export const MAX_QTY_LOTS = 90_000_000;
export const MAX_MARKET_QTY_LOTS = 10_000_000;
/** The largest notional (units: ticks x lots), exact as an integer. */
export const MAX_NOTIONAL_UNITS = MAX_PRICE_TICKS * MAX_QTY_LOTS;

const DECIMAL = /^([0-9]{1,20})(\.[0-9]{1,20})?$/;
const LEGAL_DECIMAL = '^([0-9]{1,20})(\\.[0-9]{1,20})?$';

/** The symbol's filters as exchangeInfo lists them. */
export function symbolFilters(inst: Instrument): Array<Record<string, unknown>> {
  return [
    {
      filterType: 'PRICE_FILTER',
      minPrice: price8(inst, 1),
      maxPrice: price8(inst, MAX_PRICE_TICKS),
      tickSize: places8(inst.tickSize),
    },
    {
      filterType: 'LOT_SIZE',
      minQty: qty8(inst, 1),
      maxQty: qty8(inst, MAX_QTY_LOTS),
      stepSize: places8(inst.lotSize),
    },
    {
      filterType: 'MARKET_LOT_SIZE',
      minQty: qty8(inst, 1),
      maxQty: qty8(inst, MAX_MARKET_QTY_LOTS),
      stepSize: places8(inst.lotSize),
    },
    {
      filterType: 'NOTIONAL',
      minNotional: quote8(inst, inst.minNotionalUnits),
      applyMinToMarket: true,
      maxNotional: quote8(inst, MAX_NOTIONAL_UNITS),
      applyMaxToMarket: false,
      avgPriceMins: 5,
    },
  ];
}

/** How many decimal places a parameter may have: Binance's 8, or the step's when finer. */
const placesAllowed = (step: string): number => Math.max(8, decimalsOf(step));

/** A decimal parameter's text checked as Binance checks it, before any filter. */
function decimalText(name: string, text: string, step: string): string | BinanceError {
  const m = DECIMAL.exec(text);
  if (!m) return illegal(name, LEGAL_DECIMAL);
  if ((m[2] ?? '.').length - 1 > placesAllowed(step))
    return badRequest(-1111, `Parameter '${name}' has too much precision.`);
  return text;
}

/** A price (`price` or `stopPrice`) in ticks, or PRICE_FILTER's refusal. */
export function checkPrice(inst: Instrument, name: string, text: string): number | BinanceError {
  const t = decimalText(name, text, inst.tickSize);
  if (typeof t !== 'string') return t;
  let ticks: number;
  try {
    ticks = priceToTicks(inst, t);
  } catch {
    return filterFailure('PRICE_FILTER'); // off the tick, or beyond any price
  }
  return ticks < 1 || ticks > MAX_PRICE_TICKS ? filterFailure('PRICE_FILTER') : ticks;
}

/** A quantity in lots, or LOT_SIZE's (MARKET_LOT_SIZE's for a market order) refusal. */
export function checkQty(inst: Instrument, text: string, market: boolean): number | BinanceError {
  const t = decimalText('quantity', text, inst.lotSize);
  if (typeof t !== 'string') return t;
  let lots: number;
  try {
    lots = qtyToLots(inst, t);
  } catch {
    return filterFailure('LOT_SIZE');
  }
  if (lots < 1 || lots > MAX_QTY_LOTS) return filterFailure('LOT_SIZE');
  if (market && lots > MAX_MARKET_QTY_LOTS) return filterFailure('MARKET_LOT_SIZE');
  return lots;
}
