// A placement block drawn for generated scenarios (the adversarial generator, property tests):
// each kind with fields inside what placementSchema accepts, written as a scenario's YAML flow
// map. Every value it draws parses (test/backtest/placement.test.ts checks a sample).
import fc from 'fast-check';

export interface DrawnPlacement {
  readonly kind: 'market' | 'passive-then-cross' | 'chaser';
  /** The block as a YAML flow map, e.g. `{ kind: chaser, thresholdTicks: 2, ... }`. */
  readonly yaml: string;
}

/** A placement block of any kind, with small offsets and thresholds and a cadence of 0.5-10 s
 *  (a chaser's; a passive-then-cross parent's, or its default 2 s), so a generated run of
 *  minutes checks its working children a few times per slice. */
export const placementArb: fc.Arbitrary<DrawnPlacement> = fc.oneof(
  fc.constant({ kind: 'market' as const, yaml: '{ kind: market }' }),
  fc
    .tuple(
      fc.integer({ min: -2, max: 5 }),
      fc.constantFrom(0, 0.01, 0.05, 0.2, 1),
      fc.option(fc.integer({ min: 500, max: 10_000 }), { nil: undefined }),
    )
    .map(([offset, behind, every]) => ({
      kind: 'passive-then-cross' as const,
      yaml: `{ kind: passive-then-cross, offsetTicks: ${offset}, crossWhenBehind: ${behind}${every === undefined ? '' : `, everyMs: ${every}`} }`,
    })),
  fc
    .tuple(
      fc.integer({ min: 0, max: 5 }),
      fc.integer({ min: 0, max: 10 }),
      fc.integer({ min: 500, max: 10_000 }),
      fc.integer({ min: 0, max: 20 }),
    )
    .map(([offset, threshold, every, max]) => ({
      kind: 'chaser' as const,
      yaml: `{ kind: chaser, offsetTicks: ${offset}, thresholdTicks: ${threshold}, everyMs: ${every}, maxChases: ${max} }`,
    })),
);
