// The one-tick price floor of the generative models: a price the model computes below one tick
// (a walk, a jump or our impact pushing the mid under it; a displayed bid under it) is held at
// one tick, and the model says so once each time a price goes under the floor, not once per
// step while it stays there.
import type { ModelWarning } from '../../core/model/events.ts';

/** Reports a ModelWarning: the model did something other than what its parameters say. */
export type WarnFn = (warning: ModelWarning['warning'], detail: string) => void;

export const noWarnings: WarnFn = () => {};

/** A price in ticks for a warning's text: up to 4 decimals, no trailing zeros. */
export const ticksText = (x: number): string => String(Math.round(x * 10_000) / 10_000);

export class PriceFloor {
  private under = false;

  constructor(
    private readonly what: string,
    private readonly warn: WarnFn,
  ) {}

  /** Whether `x` is at or above the floor (hold(x) would return it unchanged); a price above it
   *  ends a stay under the floor. The caller builds hold()'s cause only when this is false. */
  clear(x: number): boolean {
    if (x > 1) this.under = false;
    return x >= 1;
  }

  /** `x` ticks, or 1 when it is below one tick (warning when the price goes under the floor; a
   *  price held at 1 that stays at 1 has not come back above it). */
  hold(x: number, cause: string): number {
    if (x >= 1) {
      if (x > 1) this.under = false;
      return x;
    }
    if (!this.under) this.warn('price_floor', `${this.what} ${ticksText(x)} ticks (${cause}) held at 1 tick`);
    this.under = true;
    return 1;
  }
}
