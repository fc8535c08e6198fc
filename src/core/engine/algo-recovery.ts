// An intent-driven parent's plan as the log stores it (AlgoPlanned), the algorithm it names found
// again (a built-in here, a user's module through the host's resolver), and the plans of a log
// with the memo each algorithm last kept: what restart recovery rebuilds the runners from.
import { checkIcebergParams, iceberg, type IcebergParams } from '../algo/iceberg.ts';
import type { AlgorithmResolver, AlgoRef, ExecAlgorithm } from '../algo/intent-algorithm.ts';
import type { RunnerPlan } from '../algo/runner-plan.ts';
import type { AlgoPlanned } from '../model/algo-events.ts';
import type { LogEntry } from '../model/events.ts';
import { parentOrderId, type ParentOrderId, type Symbol } from '../model/ids.ts';

/** The plan's event: what a restarted process needs to run the rest of it. */
export function algoPlanned(plan: RunnerPlan): AlgoPlanned {
  return {
    kind: 'AlgoPlanned',
    parentId: plan.parentId,
    algo: plan.algo,
    ...(plan.module !== undefined ? { module: plan.module } : {}),
    params: plan.params,
    startTime: plan.startTime,
    endTime: plan.endTime,
    worstPrice: plan.worstPrice,
    ...(plan.stops !== undefined ? { stops: plan.stops } : {}),
  };
}

/** The algorithm a plan names: the iceberg (its parameters checked: a TwapPlanError names the
 *  field), or what the host's resolver finds; throws saying why when neither does. */
export function resolveAlgorithm(ref: AlgoRef, hasLimit: boolean, resolver?: AlgorithmResolver): ExecAlgorithm {
  if (ref.algo === 'iceberg') {
    checkIcebergParams(ref.params as IcebergParams, hasLimit);
    return iceberg;
  }
  if (resolver === undefined) throw new Error(`no algorithm module loaded for ${ref.module ?? ref.algo}`);
  return resolver(ref);
}

export interface LoggedAlgo {
  readonly plan: RunnerPlan;
  /** The memo the algorithm last kept (null: none). */
  readonly memo: unknown;
}

/** The intent-driven parents of a log, with their last memo. */
export function algosFromLog(entries: readonly LogEntry[]): Map<ParentOrderId, LoggedAlgo> {
  const parents = new Map<string, { symbol: string; side: 'buy' | 'sell'; qty: number; mid: number | null }>();
  const out = new Map<ParentOrderId, LoggedAlgo>();
  for (const { event: e } of entries) {
    if (e.kind === 'ParentOrderCreated' && e.route === 'algo')
      parents.set(e.parentId, {
        symbol: e.symbol,
        side: e.side,
        qty: e.qty,
        mid: e.arrivalBid !== null && e.arrivalAsk !== null ? (e.arrivalBid + e.arrivalAsk) / 2 : null,
      });
    else if (e.kind === 'AlgoPlanned') {
      const p = parents.get(e.parentId);
      if (p === undefined) continue;
      const id = parentOrderId(e.parentId);
      out.set(id, {
        plan: {
          parentId: id,
          symbol: p.symbol as Symbol,
          side: p.side,
          qty: p.qty,
          startTime: e.startTime,
          endTime: e.endTime,
          worstPrice: e.worstPrice,
          algo: e.algo,
          ...(e.module !== undefined ? { module: e.module } : {}),
          params: e.params,
          ...(e.stops !== undefined ? { stops: e.stops, arrivalMid: p.mid } : {}),
        },
        memo: null,
      });
    } else if (e.kind === 'AlgoMemo') {
      const id = parentOrderId(e.parentId);
      const a = out.get(id);
      if (a !== undefined) out.set(id, { plan: a.plan, memo: e.memo });
    }
  }
  return out;
}
