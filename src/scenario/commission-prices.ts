// The quote prices a run values commissions in another asset at (Binance's BNB): the scenario's
// commissionPrices, and fillDetection.assetPrices, the older spelling, still read (a key in both
// must agree: component-schema.ts). Fill detection reads them as a price source; a paper run
// gives them to the venue's adapter, which values each commission before it reports the fill.
import type { ScenarioFile } from './scenario-fields.ts';

/** Price by asset code, as the scenario's decimal strings. */
export function commissionPricesOf(
  s: Pick<ScenarioFile, 'commissionPrices' | 'fillDetection'>,
): ReadonlyMap<string, string> {
  return new Map(Object.entries({ ...s.fillDetection.assetPrices, ...s.commissionPrices }));
}
