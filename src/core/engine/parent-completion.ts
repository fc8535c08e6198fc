// A parent completes when every child has ended (a TWAP's also once its scheduler is done
// with its pending slices, an algorithm's once its runner, rebuilt after a restart, is
// finished): its market benchmark over its life is logged, then its result. Fills learned after
// that (a lost push found by a lookup or by reconciliation) revise the result.
import type { ExecEvent } from '../model/events.ts';
import type { ParentOrderId, Symbol } from '../model/ids.ts';
import type { OrderLedger } from '../order/order-ledger.ts';
import type { MarketDataPort } from '../ports/broker.ts';
import type { Clock } from '../ports/clock.ts';
import type { RunningTwaps } from './running-twaps.ts';

export interface ParentCompletionDeps {
  readonly clock: Clock;
  readonly ledger: OrderLedger;
  readonly marketData: MarketDataPort;
  readonly twaps: RunningTwaps;
  record(e: ExecEvent): void;
}

export class ParentCompletion {
  constructor(private readonly deps: ParentCompletionDeps) {}

  /** Completes the parent if it is done, or revises its completed result; else nothing. */
  completeIfDone(parentId: ParentOrderId): void {
    const { ledger } = this.deps;
    const parent = ledger.parents.get(parentId);
    if (!parent) return;
    // The ledger's running totals over the children: this runs on every report of every child.
    const { totals } = parent;
    if (parent.completed) {
      // Fills learned after the parent completed (a lost push found by a lookup or by
      // reconciliation) revise its result: the report must not keep saying "unfilled".
      const filledQty = totals.filled;
      const was = parent.completed;
      if (filledQty === was.filledQty) return;
      const status = filledQty === parent.spec.qty ? 'filled' : filledQty > 0 ? 'partially_filled' : 'unfilled';
      this.deps.record({
        kind: 'ParentOrderCompleted',
        parentId,
        status,
        filledQty,
        revises: { status: was.status, filledQty: was.filledQty },
      });
      return;
    }
    if (parent.children.length < parent.spec.totalSlices || totals.open > 0) return;
    const scheduler = this.deps.twaps.schedulerOf(parentId);
    if (scheduler && !scheduler.finished && totals.pendingNew > 0) return;
    // An algorithm deciding as it runs may place another child while it has none open. A
    // restarted process rebuilds its runner in restart recovery, after the startup reconciliation
    // that may end its last open child: until then a planned parent that has not stopped waits.
    const runner = this.deps.twaps.runnerOf(parentId);
    if (runner ? !runner.finished : parent.algo !== null && parent.stopReason === null) return;
    const filledQty = totals.filled;
    const now = this.deps.clock.now();
    const market = this.deps.marketData.window(parent.spec.symbol as Symbol, parent.createdAt, now);
    this.deps.record({ kind: 'MarketBenchmark', parentId, from: parent.createdAt, to: now, ...market });
    const status = filledQty === parent.spec.qty ? 'filled' : filledQty > 0 ? 'partially_filled' : 'unfilled';
    this.deps.record({ kind: 'ParentOrderCompleted', parentId, status, filledQty });
  }
}
