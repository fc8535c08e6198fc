// The one reason every algorithm gives when what a parent has left is worth less than the
// instrument's minimum notional, so the venue would refuse it: the slice scheduler's last slice,
// a chaser's replacement and an intent-run parent's child all end the parent with this text
// (valued as the venue values an order: its limit price, else the touch it would take).
import { lotsToQty, ticksToPrice, unitsToQuote, type Instrument } from '../model/instrument.ts';

/** Whether `qty` lots at `price` ticks are worth less than the instrument's minimum notional. */
export function belowMinNotional(inst: Instrument, qty: number, price: number | null): boolean {
  return price !== null && price * qty < inst.minNotionalUnits;
}

/** "remainder below the minimum notional: 0.00009 at 54900.00 is 4.941, under 5"; `what`
 *  names what is short (a child smaller than what is left is "below the minimum notional"). */
export function remainderBelowMinimum(
  inst: Instrument,
  qty: number,
  price: number,
  what = 'remainder below the minimum notional',
): string {
  return `${what}: ${lotsToQty(inst, qty)} at ${ticksToPrice(inst, price)} is ${unitsToQuote(inst, price * qty)}, under ${inst.spec.minNotional}`;
}
