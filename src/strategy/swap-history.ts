// What a process's durable log says about its strategy's swaps, read when the process starts
// (strategy-slot.ts): how many were asked for (a new one's number goes on from there), one left in
// shadow when the last process died (to be logged as abandoned), and the last accepted one, whose
// candidate is the strategy to start.
import type { LogEntry } from '../core/model/events.ts';
import type { StrategySwapRequested } from '../core/model/strategy-events.ts';

export interface SwapHistory {
  readonly count: number;
  readonly inShadow: StrategySwapRequested | null;
  readonly accepted: StrategySwapRequested | null;
}

export function swapHistory(prior: readonly LogEntry[]): SwapHistory {
  const requested = new Map<number, StrategySwapRequested>();
  const decided = new Set<number>();
  let count = 0;
  let accepted: StrategySwapRequested | null = null;
  for (const { event: e } of prior) {
    if (e.kind === 'StrategySwapRequested') {
      requested.set(e.swap, e);
      count = Math.max(count, e.swap);
    } else if (e.kind === 'StrategySwapDecided') {
      decided.add(e.swap);
      if (e.decision === 'accepted') accepted = requested.get(e.swap) ?? null;
    }
  }
  let inShadow: StrategySwapRequested | null = null;
  for (const [swap, e] of requested) if (!decided.has(swap)) inShadow = e;
  return { count, inShadow, accepted };
}
