// What an algorithm's runner knows of its parent (its plan: from the request, or from the
// AlgoPlanned event a restarted process reads back), and the client order ids of its children,
// derived from the plan and the child's number alone so the same child has the same id on every
// retry and after a restart.
import type { EarlyStops } from './early-stops.ts';
import type { AlgoRef } from './intent-algorithm.ts';
import { canonicalJson } from '../log/canonical-json.ts';
import { deriveClientOrderId, utcDate } from '../model/client-order-id.ts';
import type { ClientOrderId, ParentOrderId, Symbol } from '../model/ids.ts';
import type { Side } from '../model/order.ts';

/** What the runner knows of its parent, from its request or its stored plan. */
export interface RunnerPlan extends AlgoRef {
  readonly parentId: ParentOrderId;
  readonly symbol: Symbol;
  readonly side: Side;
  readonly qty: number;
  readonly startTime: number;
  readonly endTime: number;
  /** Ticks: no child is priced worse (the parent's limit or never-worse price); null: none. */
  readonly worstPrice: number | null;
  /** The early stops every new child is held to, as a TWAP's slices are (early-stops.ts; its
   *  never-worse price is worstPrice); absent: none (a plan logged before they were stored). */
  readonly stops?: Omit<EarlyStops, 'worstPrice'>;
  /** The mid when the parent started, for the price-move stop; null: none. */
  readonly arrivalMid?: number | null;
}

/** A child's client order id: derived from the parent and the child's number, never from what
 *  the algorithm asked (so the same number is the same id on every retry and after a restart). */
export function algoClientOrderId(plan: RunnerPlan, handle: number, maxLength: number): ClientOrderId {
  return deriveClientOrderId(
    {
      parentId: plan.parentId,
      symbol: plan.symbol,
      side: plan.side,
      qty: plan.qty,
      tradeDate: utcDate(plan.startTime),
      sliceNum: handle,
      params: `algo1;${plan.algo};${plan.module ?? ''};${canonicalJson(plan.params ?? null)}`,
    },
    maxLength,
  );
}
