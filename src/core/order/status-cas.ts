// Conflict resolution for full-state order updates (a lookup answer, a reconciliation row, a
// stream message carrying the whole order): the same report can arrive twice, late, or out of
// order with other sources, and a stale one must not move an order back. Pure: the decision is
// a compare-and-set on the venue's own update time, then status rank, filled quantity and source
// priority. The caller applies or records the skip.
import { isTerminal, type OrderStatus } from '../model/order-status.ts';

/** Where a full-state update came from. A lookup is reconciliation's kind of read. */
export type UpdateSource = 'stream' | 'lookup' | 'reconciliation' | 'manual';

/** Why a full-state update was not applied. */
export type CasSkipReason = 'terminal_locked' | 'stale_update' | 'lower_rank' | 'fill_regression' | 'lower_priority';
export const CAS_SKIP_REASONS: readonly CasSkipReason[] = [
  'terminal_locked',
  'stale_update',
  'lower_rank',
  'fill_regression',
  'lower_priority',
];

const RANK: Readonly<Record<OrderStatus, number>> = {
  pending_new: 1, // initial
  submitted: 2, // submitted or acknowledged, nothing filled
  submitted_unconfirmed: 2,
  accepted: 2,
  partially_filled: 3, // active
  pending_cancel: 3,
  canceled: 4, // terminal without a complete fill
  expired: 4,
  rejected: 4,
  failed: 4,
  filled: 5, // terminal, complete
};

/** How far along its life a status is: 1 pending_new ... 4 terminal non-fill, 5 filled. */
export const statusRank = (s: OrderStatus): number => RANK[s];

const PRIORITY: Readonly<Record<UpdateSource, number>> = { manual: 1, reconciliation: 2, lookup: 2, stream: 3 };

/** Which source wins between two otherwise equal updates: manual 1 < reconciliation/lookup 2 < stream 3. */
export const sourcePriority = (s: UpdateSource): number => PRIORITY[s];

/** What the order holds now. `lastSourcePriority` is null before any full-state update. */
export interface CasCurrent {
  readonly status: OrderStatus;
  readonly filledQty: number;
  readonly lastVenueUpdateAt: number | null;
  readonly lastSourcePriority: number | null;
}

/** A full-state update, its status in our terms. `updatedAt` is the venue's update time. */
export interface CasIncoming {
  readonly status: OrderStatus;
  readonly filledQty: number;
  readonly updatedAt: number | undefined;
  readonly source: UpdateSource;
}

export type CasDecision =
  { readonly kind: 'apply' } | { readonly kind: 'skip'; readonly reason: CasSkipReason; readonly detail: string };

const APPLY: CasDecision = { kind: 'apply' };
const skip = (reason: CasSkipReason, detail: string): CasDecision => ({ kind: 'skip', reason, detail });

/**
 * Apply or skip a full-state update, in this order:
 * 0. failed (we gave up after "not found") takes any venue full state that keeps its fills;
 * 1. terminal lock: a finished order changes only to gain fills (a higher filled quantity: the
 *    venue's trades are facts, the late-fill rule of the transition table decides the status);
 *    an echo of its own state (same status and quantity, e.g. the lookup after a cancel) is a
 *    no-op, not a conflict;
 * 2. an older venue time than the one applied last is stale;
 * 3. the filled quantity never decreases;
 * 4. a newer venue time (or the first timed update) is applied;
 * 5. otherwise (same venue time, or the update has none): higher rank wins, then higher filled
 *    quantity, then at equal rank and quantity the higher source priority; an exact equal is
 *    applied (a no-op), so duplicates are harmless.
 */
export function decideStatusUpdate(cur: CasCurrent, inc: CasIncoming): CasDecision {
  // Failed is our giving up, not the venue's word: any full state of the venue (it has the
  // order after all) applies, unless it would take fills back.
  if (cur.status === 'failed') {
    return inc.filledQty < cur.filledQty
      ? skip('fill_regression', `update says ${inc.filledQty} lots filled, order has ${cur.filledQty}`)
      : APPLY;
  }
  if (isTerminal(cur.status)) {
    if (inc.filledQty > cur.filledQty || isEcho(cur, inc)) return APPLY;
    return skip(
      'terminal_locked',
      `order is ${cur.status} with ${cur.filledQty} lots filled; update says ${inc.status} with ${inc.filledQty}`,
    );
  }
  const [curT, incT] = [cur.lastVenueUpdateAt, inc.updatedAt];
  const timed = incT !== undefined && curT !== null;
  if (incT !== undefined && curT !== null && incT < curT) {
    return skip('stale_update', `venue time ${incT} is older than the applied ${curT}`);
  }
  if (inc.filledQty < cur.filledQty) {
    return skip('fill_regression', `update says ${inc.filledQty} lots filled, order has ${cur.filledQty}`);
  }
  if (incT !== undefined && (curT === null || incT > curT)) return APPLY;
  const at = timed ? `at the same venue time ${incT}` : 'without a venue time to order by';
  const [rIn, rCur] = [statusRank(inc.status), statusRank(cur.status)];
  if (rIn < rCur) return skip('lower_rank', `${inc.status} (rank ${rIn}) is behind ${cur.status} (rank ${rCur}) ${at}`);
  if (rIn > rCur || inc.filledQty > cur.filledQty) return APPLY;
  const pIn = sourcePriority(inc.source);
  const pCur = cur.lastSourcePriority ?? 0;
  if (pIn < pCur)
    return skip('lower_priority', `${inc.source} (priority ${pIn}) is below the applied source's ${pCur} ${at}`);
  return APPLY;
}

/** The update states what the order already holds. */
const isEcho = (cur: CasCurrent, inc: CasIncoming): boolean =>
  inc.status === cur.status && inc.filledQty === cur.filledQty;

/**
 * The CAS bookkeeping after an update was applied: the latest venue time seen, and the applied
 * update's source priority (an echo keeps the higher of the two, so that the order in which
 * equal reports arrive does not matter).
 */
export function afterApplied(
  cur: CasCurrent,
  inc: CasIncoming,
): { lastVenueUpdateAt: number | null; lastSourcePriority: number } {
  const t = cur.lastVenueUpdateAt;
  const lastVenueUpdateAt = inc.updatedAt === undefined ? t : t === null ? inc.updatedAt : Math.max(t, inc.updatedAt);
  const p = sourcePriority(inc.source);
  return { lastVenueUpdateAt, lastSourcePriority: isEcho(cur, inc) ? Math.max(p, cur.lastSourcePriority ?? 0) : p };
}
