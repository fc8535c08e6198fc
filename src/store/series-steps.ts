// The grid steps a stored run's chart series are drawn in: its log and projections hold prices
// in ticks and quantities in lots, the charts show them as the decimals they stand for. The run's
// symbol's steps come from its instrument; the other symbols a node trades (the scenario's
// otherInstruments) have their own, and a symbol whose steps do not read is shown in the run's.
import { parseDecimal } from '../core/model/decimal.ts';
import { isFields } from './series-payloads.ts';

/** Ticks to a price and lots to a quantity, of one symbol. */
export interface Steps {
  readonly price: (ticks: number) => number;
  readonly size: (lots: number) => number;
}

/** A grid step (tick or lot size) as a multiplier: steps x mantissa / 10^scale. */
export function stepOf(size: string): (steps: number) => number {
  const { mantissa, scale } = parseDecimal(size);
  const m = Number(mantissa);
  const d = 10 ** scale;
  return (steps) => (steps * m) / d;
}

/** The price and quantity steps of a node's other symbols (otherInstruments), by symbol; a
 *  scenario without them, or not of the shape execsim writes, has none. */
export function otherSteps(json: string): Map<string, Steps> {
  const out = new Map<string, Steps>();
  let scenario: unknown;
  try {
    scenario = JSON.parse(json);
  } catch {
    return out;
  }
  const others = isFields(scenario) ? scenario['otherInstruments'] : undefined;
  if (!Array.isArray(others)) return out;
  for (const o of others) {
    if (!isFields(o) || typeof o['symbol'] !== 'string') continue;
    const { tickSize, lotSize } = o;
    if (typeof tickSize !== 'string' || typeof lotSize !== 'string') continue;
    try {
      out.set(o['symbol'], { price: stepOf(tickSize), size: stepOf(lotSize) });
    } catch {
      continue; // a step that does not read: its symbol's figures use the run's steps
    }
  }
  return out;
}
