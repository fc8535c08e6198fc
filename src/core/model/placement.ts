// A sliced parent's child placement policy, as a request names it and its plan stores it (the
// policies themselves: algo/placement.ts and algo/child-chaser.ts).

/** How far behind its trajectory a parent may fall before a slice crosses: a share of the
 *  parent's quantity, or lots. */
export type BehindThreshold = { readonly share: number } | { readonly lots: number };

export type Placement =
  | {
      readonly kind: 'passive-then-cross';
      /** Ticks from the near touch, positive = more passive. */
      readonly offsetTicks: number;
      readonly crossWhenBehind: BehindThreshold;
      /** How often a working passive child is checked for falling behind, ms (default 2000,
       *  raised for a long horizon: chaseEveryMs). Absent unless given, so a plan stored
       *  without it reads the same and keeps its client order ids. */
      readonly everyMs?: number;
    }
  | {
      readonly kind: 'chaser';
      readonly offsetTicks: number;
      /** Re-priced when its price is more than this many ticks off the new price. */
      readonly thresholdTicks: number;
      /** How often a working child is checked, ms (raised for a long horizon: chaseEveryMs). */
      readonly everyMs: number;
      /** Re-pricings per slice at most. */
      readonly maxChases: number;
    };
