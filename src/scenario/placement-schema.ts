// A sliced order's child placement policy, as scenario files, strategy outputs and the service's
// requests write it: a `placement` block beside `algo` (whatever the trajectory, on whatever
// grid), turned into core's Placement (core/algo/placement.ts). `market` is the same as no block:
// the children the order's type makes. Design: docs/0074-placement-policies.md.
import { z } from 'zod';
import { PLACEMENT_DEFAULTS as D, type Placement } from '../core/algo/placement.ts';
import { qtyToLots, type Instrument } from '../core/model/instrument.ts';
import { positiveDecimal } from './common-schema.ts';

const ticks = (min: number) => z.number().int('must be a whole number of ticks').min(min).max(100_000);
/** How often a working child is checked (raised so that a horizon holds at most 10000). */
const everyMs = z
  .number()
  .int('must be a whole number of milliseconds')
  .min(100, { error: 'must be at least 100 ms' })
  .max(86_400_000, { error: 'must be at most one day (86400000 ms)' });

export const placementSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('market') }),
    z
      .strictObject({
        kind: z.literal('passive-then-cross'),
        /** Ticks from the near touch (a buy's bid), positive = more passive. */
        offsetTicks: ticks(-100_000).default(D.offsetTicks),
        /** Cross when behind the trajectory by more than this share of the order, in [0, 1]
         *  (default 0.05 when neither this nor crossWhenBehindQty is given). */
        crossWhenBehind: z.number().min(0).max(1, { error: 'must be a share of the order, at most 1' }).optional(),
        /** Or by more than this quantity. */
        crossWhenBehindQty: positiveDecimal.optional(),
        /** How often a working passive child is checked for the parent falling behind (2000 when
         *  not given; left out of the stored policy then, so its ids stay as they were). */
        everyMs: everyMs.optional(),
      })
      .refine((p) => p.crossWhenBehind === undefined || p.crossWhenBehindQty === undefined, {
        error: 'give one of crossWhenBehind (a share of the order) and crossWhenBehindQty, not both',
        path: ['crossWhenBehind'],
      }),
    z.strictObject({
      kind: z.literal('chaser'),
      offsetTicks: ticks(-100_000).default(D.offsetTicks),
      /** Re-priced when more than this many ticks off the touch plus offset. */
      thresholdTicks: ticks(0).default(D.thresholdTicks),
      everyMs: everyMs.default(D.everyMs),
      /** Re-pricings per slice at most. */
      maxChases: z.number().int().min(0).max(10_000).default(D.maxChases),
    }),
  ],
  { error: 'must have kind market, passive-then-cross or chaser' },
);

export type PlacementEntry = z.output<typeof placementSchema>;
/** The kinds, for a grid axis and a generator. */
export const PLACEMENT_KINDS = ['market', 'passive-then-cross', 'chaser'] as const;

/** A placement block as core's policy; `market` (or none): none, so the children are what the
 *  order's type makes them, as they always were. */
export function toPlacement(p: PlacementEntry | undefined, inst: Instrument): Placement | undefined {
  if (p === undefined || p.kind === 'market') return undefined;
  if (p.kind === 'chaser') {
    const { kind, offsetTicks, thresholdTicks, everyMs, maxChases } = p;
    return { kind, offsetTicks, thresholdTicks, everyMs, maxChases };
  }
  return {
    kind: p.kind,
    offsetTicks: p.offsetTicks,
    crossWhenBehind:
      p.crossWhenBehindQty !== undefined
        ? { lots: qtyToLots(inst, p.crossWhenBehindQty) }
        : { share: p.crossWhenBehind ?? D.crossWhenBehind },
    ...(p.everyMs === undefined ? {} : { everyMs: p.everyMs }),
  };
}

/** Why a placement block does not fit its order (null: it does): a policy places limit
 *  children, so not a stop order's; `market` leaves a market order's children as they are. */
export function placementProblem(p: PlacementEntry | undefined, type: string): string | null {
  if (p === undefined) return null;
  if (p.kind === 'market')
    return type === 'market' ? null : `market places a market order's children: a ${type} order's need no block`;
  if (type !== 'market' && type !== 'limit') return `${p.kind} places limit children: a ${type} order cannot have it`;
  return null;
}
