// Queue position of our resting limit orders in a displayed (L2) book, where the venue shows only
// level totals and our order is not part of the recorded data. When we join, everything displayed
// at our price is ahead of us; trades at our price eat the queue from the front. How shrinking
// levels move us (risk_averse, probabilistic): docs/0069-core-and-simulator-notes.md.

export type QueueModelSpec =
  { readonly model: 'risk_averse' } | { readonly model: 'probabilistic'; readonly exponent: number };

export interface QueueModel {
  /** New quantity ahead after the level went from `prevQty` to `newQty` without trades. */
  onShrink(ahead: number, prevQty: number, newQty: number): number;
}

export function makeQueueModel(spec: QueueModelSpec): QueueModel {
  if (spec.model === 'risk_averse') {
    return { onShrink: (ahead, _prev, newQty) => Math.min(ahead, newQty) };
  }
  const n = spec.exponent;
  if (!(n > 0) || !Number.isFinite(n)) throw new Error(`queue exponent must be positive, got ${n}`);
  return {
    onShrink(ahead, prevQty, newQty) {
      const cancelled = prevQty - newQty;
      if (cancelled <= 0 || ahead <= 0) return Math.min(ahead, Math.max(newQty, 0));
      const behind = Math.max(prevQty - ahead, 0);
      const a = ahead ** n;
      const b = behind ** n;
      const shareAhead = a + b === 0 ? 0 : a / (a + b);
      // Lots are whole: round the expected cancelled-ahead volume to the nearest lot.
      const next = ahead - Math.round(cancelled * shareAhead);
      return Math.max(0, Math.min(next, newQty));
    },
  };
}
