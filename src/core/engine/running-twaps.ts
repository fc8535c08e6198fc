// The TWAPs this process runs: each parent's slice scheduler and its slice interval. Parent
// start and restart recovery register them; completion, cancels and fill watches read them.
import type { SliceScheduler } from '../algo/slice-scheduler.ts';
import type { ParentOrderId } from '../model/ids.ts';

export class RunningTwaps {
  private readonly schedulers = new Map<ParentOrderId, SliceScheduler>();
  private readonly intervals = new Map<ParentOrderId, number>();

  register(parentId: ParentOrderId, scheduler: SliceScheduler, intervalMs: number): void {
    this.schedulers.set(parentId, scheduler);
    this.intervals.set(parentId, intervalMs);
  }

  schedulerOf(parentId: ParentOrderId): SliceScheduler | undefined {
    return this.schedulers.get(parentId);
  }

  /** The slice interval of a TWAP parent, undefined for any other parent. */
  intervalOf(parentId: ParentOrderId): number | undefined {
    return this.intervals.get(parentId);
  }
}
