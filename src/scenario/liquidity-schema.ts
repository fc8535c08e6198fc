// The scenario's `liquidity:` section: TWAP slices capped at a share of the symbol's average daily
// volume (ADV), decided when each parent is planned (core/algo/liquidity-cap.ts). Its fields and
// defaults, the checks that relate them to the instruments, and the node's config made from it.
// Where the volume comes from depends on the venue: a simulated one (a backtest, a sweep, a sim
// session) takes `adv` as the market's ADV; a paper run reads the venue's daily bars, and `adv`
// is what a local gateway serves as its daily history (src/gateway). A backtest without the
// section has no cap and logs nothing; a paper run without it has the cap at its defaults.
import { z } from 'zod';
import { PCT_DECIMALS } from '../core/algo/liquidity-cap.ts';
import { compareDecimals, parseDecimal } from '../core/model/decimal.ts';
import type { Instrument } from '../core/model/instrument.ts';
import { parseDurationMs } from '../core/model/time-fields.ts';
import type { LiquidityConfig } from '../node/node-config.ts';
import { duration, positiveDecimal } from './common-schema.ts';

export const DEFAULT_PCT_OF_ADV = 1;
export const DEFAULT_ADV_DAYS = 20;
/** How long a venue's reading is used before it is read again (ms): a day. */
export const VOLUME_REFRESH_MS = 86_400_000;

const pct = z
  .number({ error: 'must be a percentage of the average daily volume, like 1 (for 1%)' })
  .gt(0, { error: 'must be above 0 (to turn the cap off, write enabled: false)' })
  .max(100, { error: "must be at most 100 (a slice of a whole day's volume)" })
  .refine(isDecimalPlaces, { error: `must have at most ${PCT_DECIMALS} decimals` });

function isDecimalPlaces(v: number): boolean {
  const scaled = v * 10 ** PCT_DECIMALS;
  return Math.abs(scaled - Math.round(scaled)) < 1e-6;
}

export const liquiditySchema = z.strictObject({
  /** false: no cap, and nothing read or logged. */
  enabled: z.boolean({ error: 'must be true or false' }).default(true),
  /** The largest slice as a percent of ADV (floored to a lot, one lot at least). */
  maxSlicePctOfAdv: pct.default(DEFAULT_PCT_OF_ADV),
  /** Complete days a venue's daily bars are averaged over. */
  advDays: z
    .number({ error: 'must be a whole number of days from 1 to 250' })
    .int({ error: 'must be a whole number of days from 1 to 250' })
    .min(1, { error: 'must be a whole number of days from 1 to 250' })
    .max(250, { error: 'must be a whole number of days from 1 to 250' })
    .default(DEFAULT_ADV_DAYS),
  /** Slices the cap adds are no closer together than this (a cap never makes a burst of orders). */
  minSliceInterval: duration.default('PT1S'),
  /** The market's ADV per symbol, as a quantity a day: a simulated venue's volume (and a local
   *  gateway's daily history). */
  adv: z
    .record(z.string().regex(/^[A-Z0-9./-]{1,20}$/, 'must be an upper-case symbol like BTCUSDT'), positiveDecimal)
    .optional(),
  /** Days of minute bars a local gateway states before its start, drawn from its market model
   *  (a paper VWAP's `profile: history` reads them); 0: none. Only gateways read it: a backtest
   *  draws the days a VWAP asks for when it is planned. */
  minuteHistoryDays: z
    .number({ error: 'must be a whole number of days from 0 to 20' })
    .int({ error: 'must be a whole number of days from 0 to 20' })
    .min(0, { error: 'must be a whole number of days from 0 to 20' })
    .max(20, { error: 'must be a whole number of days from 0 to 20' })
    .optional(),
});

export type LiquiditySection = z.output<typeof liquiditySchema>;

type Issue = (path: (string | number)[], message: string) => void;

/** The section against the instruments: each `adv` names one the scenario trades and is at least
 *  a lot a day; the interval is at least a millisecond. */
export function checkLiquidity(
  section: LiquiditySection | undefined,
  instruments: ReadonlyArray<{ readonly symbol: string; readonly lotSize: string }>,
  issue: Issue,
): void {
  if (section === undefined) return;
  if (parseDurationMs(section.minSliceInterval) < 1)
    issue(['liquidity', 'minSliceInterval'], 'must be at least a millisecond (PT0.001S)');
  const known = instruments.map((i) => i.symbol);
  for (const [symbol, qty] of Object.entries(section.adv ?? {})) {
    const inst = instruments.find((i) => i.symbol === symbol);
    if (inst === undefined) {
      issue(['liquidity', 'adv', symbol], `names no instrument of the scenario (${known.join(', ')})`);
      continue;
    }
    if (compareDecimals(qty, inst.lotSize) < 0)
      issue(['liquidity', 'adv', symbol], `${qty} is less than one lot (${inst.lotSize}) a day`);
  }
}

/** The node's liquidity cap: null (none) for a simulated run without the section, or with it off. */
export function liquidityConfigOf(
  section: LiquiditySection | undefined,
  mode: 'backtest' | 'paper',
  instruments: readonly Instrument[],
): LiquidityConfig | null {
  if (section === undefined && mode !== 'paper') return null;
  const s = section ?? liquiditySchema.parse({});
  if (!s.enabled) return null;
  const stated = new Map<string, number>();
  for (const inst of instruments) {
    const qty = s.adv?.[inst.symbol];
    if (qty !== undefined) stated.set(inst.symbol, advLotsOf(inst, qty));
  }
  return {
    policy: { pctOfAdv: s.maxSlicePctOfAdv, minIntervalMs: parseDurationMs(s.minSliceInterval) },
    advDays: s.advDays,
    source: mode === 'paper' ? 'venue' : 'scenario',
    stated,
    symbols: instruments.map((i) => i.symbol),
    refreshMs: VOLUME_REFRESH_MS,
  };
}

/** A stated daily volume in whole lots (floored: the cap never exceeds the stated share). */
export function advLotsOf(inst: Instrument, qty: string): number {
  return Number(exactAdvLots(inst, qty));
}

/** advLotsOf, exactly: a stated volume can be any number of lots, 2^53 and more. */
function exactAdvLots(inst: Instrument, qty: string): bigint {
  const lot = parseDecimal(inst.lotSize);
  const q = parseDecimal(qty);
  const scale = Math.max(lot.scale, q.scale);
  const num = q.mantissa * 10n ** BigInt(scale - q.scale);
  const den = lot.mantissa * 10n ** BigInt(scale - lot.scale);
  return num / den;
}

/** What a local gateway serves as the symbol's daily volume (whole lots, exactly: its day bars
 *  state it as a decimal), or null when the scenario states none. */
export function gatewayDailyLots(section: LiquiditySection | undefined, inst: Instrument): bigint | null {
  const qty = section?.adv?.[inst.symbol];
  return qty === undefined ? null : exactAdvLots(inst, qty);
}
