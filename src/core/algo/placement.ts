// Child placement policies for a sliced parent, whatever its trajectory: how a slice's child is
// priced when it goes out and while it works. Without one, a child is what the parent's type
// makes it (market, limit at an offset from the touch, stop). With one, every child is a limit:
// - passive-then-cross: at the near touch plus an offset (a buy's bid minus offsetTicks), unless
//   the parent is behind its trajectory (what was due by now minus what has filled) by more than
//   the threshold: then the slice crosses the spread (a marketable limit at the far touch). A
//   passive child is also checked while it works (every everyMs, child-chaser.ts): once the
//   parent falls behind by more than the threshold, it is re-priced to cross, at most once per
//   slice; a crossing child is never re-priced;
// - chaser: at the near touch plus an offset, and re-priced while it works when the touch moved
//   more than thresholdTicks away from its price (child-chaser.ts), at most maxChases times per slice.
// Every price is held to the parent's never-worse price. Pure: the scheduler asks these at slice
// and check time with the touch it read.
import type { Side } from '../model/order.ts';
import type { BehindThreshold } from '../model/placement.ts';

export type { BehindThreshold, Placement } from '../model/placement.ts';

/** A policy's fields when not given: at the touch, crossing when behind by 5% of the parent, a
 *  chaser re-pricing past 2 ticks, a working child checked every 2 s (a chaser's or a passive
 *  one's), a chaser re-pricing at most 10 times per slice. */
export const PLACEMENT_DEFAULTS = Object.freeze({
  offsetTicks: 0,
  /** passive-then-cross without a threshold: behind by more than 5% of the parent. */
  crossWhenBehind: 0.05,
  thresholdTicks: 2,
  everyMs: 2_000,
  maxChases: 10,
});

/** A passive-then-cross child is re-priced to cross at most this many times per slice. */
export const MAX_CROSSINGS = 1;

/** A chaser (or a passive-then-cross parent) checks no parent more often than this many times
 *  over its horizon. */
export const MAX_CHASE_CHECKS = 10_000;

type Top = { readonly bid: number | null; readonly ask: number | null };

/** Held to the never-worse price (a buy's most, a sell's least); never below one tick. */
export function heldTo(side: Side, price: number, worst: number | undefined): number {
  const p = Math.max(1, price);
  if (worst === undefined) return p;
  return side === 'buy' ? Math.min(p, worst) : Math.max(p, worst);
}

/** The passive price: the near touch (a buy's bid, a sell's ask) plus the offset, held to the
 *  never-worse price; null without that touch. */
export function passivePrice(side: Side, top: Top, offsetTicks: number, worst: number | undefined): number | null {
  const touch = side === 'buy' ? top.bid : top.ask;
  if (touch === null) return null;
  return heldTo(side, side === 'buy' ? touch - offsetTicks : touch + offsetTicks, worst);
}

/** The crossing price: the far touch (a buy's ask, a sell's bid), held to the never-worse
 *  price; null without that touch. */
export function crossPrice(side: Side, top: Top, worst: number | undefined): number | null {
  const touch = side === 'buy' ? top.ask : top.bid;
  return touch === null ? null : heldTo(side, touch, worst);
}

/** Lots the threshold allows a parent of `qty` lots to be behind before it crosses. */
export function behindAllowance(t: BehindThreshold, qty: number): number {
  return 'lots' in t ? t.lots : t.share * qty;
}

/** Whether a slice crosses: the parent is behind (due by now minus filled) by more than the
 *  threshold. */
export function crosses(t: BehindThreshold, qty: number, due: number, filled: number): boolean {
  return due - filled > behindAllowance(t, qty);
}

/** Whether a working child at `current` is re-priced to cross at `wanted`: the crossing price
 *  is more aggressive than its own (a buy's higher, a sell's lower). A child already at or
 *  through it (or held to the same never-worse price) gains nothing from a replacement. */
export function crossGains(side: Side, current: number | null, wanted: number | null): boolean {
  if (current === null || wanted === null) return false;
  return side === 'buy' ? wanted > current : wanted < current;
}

/** Whether a working child at `current` is re-priced to `wanted`: off by more than the
 *  threshold in either direction. */
export function offTouch(current: number | null, wanted: number | null, thresholdTicks: number): boolean {
  if (current === null || wanted === null) return false;
  return Math.abs(current - wanted) > thresholdTicks;
}

/** The checks' cadence on a horizon (a chaser's, a passive-then-cross parent's): its everyMs,
 *  raised so that no more than MAX_CHASE_CHECKS checks fit the horizon. */
export function chaseEveryMs(everyMs: number, durationMs: number): number {
  return Math.max(everyMs, Math.ceil(durationMs / MAX_CHASE_CHECKS));
}
