// Scenario blocks that configure core components with their own schemas (fill detection, signal
// dedup, pre-trade limits, circuit breaker, quote fallback). The scenario schema takes them loosely and checks
// them here against the component's schema, so every message keeps its scenario path
// ("safety.breaker.rejects.maxCount: ..."), and the component parses the same object at run time.
import { z } from 'zod';
import { assetsOf } from '../core/fills/fees.ts';
import { fillConfigSchema } from '../core/fills/fill-config.ts';
import { breakerConfigSchema, lossLimitSchema } from '../core/risk/breaker-config.ts';
import { quoteToUnits, type Instrument } from '../core/model/instrument.ts';
import { preTradeConfigSchema } from '../core/safety/pre-trade.ts';
import { dedupConfigSchema } from '../core/safety/signal-dedup.ts';
import { reconConfigSchema } from '../core/recon/recon-config.ts';
import { quoteFallbackConfigSchema } from '../core/market/quote-fallback-config.ts';
import { positiveDecimal } from './common-schema.ts';
import { describeIssue } from './issue-text.ts';

/** Quote prices by asset code (`{ BNB: "600" }`). */
export const assetPricesSchema = z.record(
  z.string().regex(/^[A-Z0-9]{2,10}$/, 'must be an upper-case asset code like BNB'),
  positiveDecimal,
);

/** `enabled`, the quote prices of commission assets (the older spelling of the scenario's
 *  commissionPrices, still read), and the FillConfig fields (fill-config.ts). */
export const fillDetectionSchema = z
  .object({
    enabled: z.boolean().default(true),
    assetPrices: assetPricesSchema.default({}),
  })
  .catchall(z.unknown())
  .default({ enabled: true, assetPrices: {} });

/** Order manager settings: dedup, pre-trade limits, circuit breaker, the reduce-only data age, and
 *  the quote fallback (the ring of recent quotes read while the venue's market data fails). */
export const safetySchema = z
  .strictObject({
    dedup: z.unknown().optional(),
    preTrade: z.unknown().optional(),
    breaker: z.unknown().optional(),
    quoteFallback: z.unknown().optional(),
    exposureMaxAgeMs: z.number().int().min(1).max(600_000).default(5_000),
  })
  .default({ exposureMaxAgeMs: 5_000 });

/** The breaker as a scenario states it: loss and drawdown limits in quote currency ("250.00"). */
const scenarioBreakerSchema = breakerConfigSchema.extend({
  loss: lossLimitSchema(positiveDecimal).nullable().default(null),
  drawdown: lossLimitSchema(positiveDecimal).nullable().default(null),
});

/** A scenario's (checked) breaker block as breaker config input: loss and drawdown limits in the
 *  instrument's notional units (tick x lot), the unit of the engine's equity (risk/breaker-feed.ts). */
export function breakerInput(raw: unknown, inst: Instrument): unknown {
  const b = scenarioBreakerSchema.parse(raw ?? {});
  const units = (l: typeof b.loss) => (l === null ? null : { ...l, max: quoteToUnits(inst, l.max) });
  return { ...b, loss: units(b.loss), drawdown: units(b.drawdown) };
}

type Issue = (path: (string | number)[], message: string) => void;

interface Parts {
  readonly venue: {
    readonly fees: {
      readonly commissionAsset?: string | undefined;
      readonly commissionAssetPrice?: string | undefined;
    };
  };
  readonly instrument: { readonly symbol: string };
  readonly otherInstruments: readonly { readonly symbol: string }[];
  readonly fillDetection: z.output<typeof fillDetectionSchema>;
  readonly commissionPrices?: Readonly<Record<string, string>> | undefined;
  readonly safety: z.output<typeof safetySchema>;
  readonly reconciliation?: unknown;
}

/** Every problem of the component blocks, each at its scenario path. */
export function checkComponentConfigs(s: Parts, issue: Issue): void {
  const nested = (path: string[], schema: z.ZodType, value: unknown) => {
    const r = schema.safeParse(value ?? {});
    if (r.success) return;
    for (const i of r.error.issues) {
      issue(
        [...path, ...i.path.map((k) => (typeof k === 'symbol' ? String(k) : k))],
        describeIssue(i, schema, value ?? {}),
      );
    }
  };
  nested(['safety', 'dedup'], dedupConfigSchema, s.safety.dedup);
  nested(['reconciliation'], reconConfigSchema, s.reconciliation);
  nested(['safety', 'preTrade'], preTradeConfigSchema, s.safety.preTrade);
  if (s.safety.breaker !== undefined) nested(['safety', 'breaker'], scenarioBreakerSchema, s.safety.breaker);
  nested(['safety', 'quoteFallback'], quoteFallbackConfigSchema, s.safety.quoteFallback);
  const { enabled: _e, assetPrices: _p, ...fillFields } = s.fillDetection;
  nested(['fillDetection'], fillConfigSchema, fillFields);
  for (const [asset, price] of Object.entries(s.commissionPrices ?? {})) {
    const older = s.fillDetection.assetPrices[asset];
    if (older !== undefined && Number(older) !== Number(price))
      issue(
        ['commissionPrices', asset],
        `is ${price} but fillDetection.assetPrices.${asset} (its older spelling) is ${older}: give the price once, in commissionPrices`,
      );
  }
  const fees = s.venue.fees;
  if (fees.commissionAsset !== undefined && fees.commissionAssetPrice === undefined) {
    // Every symbol the venue trades pays its commissions in that asset: each must price it.
    const asset = fees.commissionAsset;
    const unpriced = [s.instrument, ...s.otherInstruments].find((inst) => {
      const { base, quote } = assetsOf(inst.symbol);
      return asset !== base && asset !== quote;
    });
    if (unpriced !== undefined) {
      const { base, quote } = assetsOf(unpriced.symbol);
      const of = unpriced === s.instrument ? '' : ` of ${unpriced.symbol}`;
      issue(
        ['venue', 'fees', 'commissionAssetPrice'],
        `is required for commissions in ${asset} (neither ${base} nor ${quote}${of})`,
      );
    }
  }
}
