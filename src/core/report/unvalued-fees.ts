// Commissions no price was known for (CommissionUnvalued), summed per asset exactly as the venue
// stated them: a parent's in its report, and each symbol's and the run's in its P&L.

import { formatScaled, parseDecimal, type ScaledDecimal } from '../model/decimal.ts';

export interface UnvaluedFee {
  readonly asset: string;
  readonly amount: string;
}

/** Amounts of each asset summed exactly (decimal strings), in order of first appearance. */
export function unvaluedByAsset(list: ReadonlyArray<UnvaluedFee>): Array<{ asset: string; amount: string }> {
  const sums = new Map<string, ScaledDecimal>();
  for (const { asset, amount } of list) {
    let d: ScaledDecimal;
    try {
      d = parseDecimal(amount);
    } catch {
      continue; // an amount that does not read was never a commission a price could value
    }
    const s = sums.get(asset);
    if (s === undefined) sums.set(asset, d);
    else {
      const scale = Math.max(s.scale, d.scale);
      const m = (x: ScaledDecimal) => x.mantissa * 10n ** BigInt(scale - x.scale);
      sums.set(asset, { mantissa: m(s) + m(d), scale });
    }
  }
  return [...sums].map(([asset, d]) => ({ asset, amount: formatScaled(d.mantissa, d.scale) }));
}
