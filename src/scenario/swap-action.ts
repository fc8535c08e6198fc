// A scenario's swap_strategy action as its run hands it to the strategy (StrategySlot.request):
// the same request in a backtest (its world of processes) and a paper run, so the two decide alike.
import { parseDurationMs } from '../core/model/time-fields.ts';
import { DEFAULT_THRESHOLDS } from '../strategy/shadow-compare.ts';
import type { Instantiable, SwapRequest } from '../strategy/strategy-slot.ts';
import type { ScenarioFile } from './scenario-fields.ts';

export type SwapAction = Extract<ScenarioFile['actions'][number], { kind: 'swap_strategy' }>;

export function swapActionRequest(a: SwapAction, candidate: Instantiable): SwapRequest {
  return {
    candidate,
    samples: a.samples,
    timeoutMs: parseDurationMs(a.timeout),
    thresholds: { ...DEFAULT_THRESHOLDS, minCorrelation: a.minCorrelation, maxMeanDifference: a.maxMeanDifference },
    override: a.override,
    actor: a.actor ?? 'operator',
    reason: a.reason ?? 'scenario action',
  };
}

/** How a run names the action among its inputs (a refused one in ProcessRestarted). */
export const swapActionLabel = (a: SwapAction): string => `action swap_strategy ${a.module}`;
