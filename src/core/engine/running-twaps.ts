// The sliced and algorithm-run parents this process runs: each TWAP's slice scheduler and its
// slice interval, each intent-driven parent's runner. Parent start and restart recovery register
// them; completion, cancels, fill watches and venue reports read them.
import type { IntentRunner } from '../algo/intent-runner.ts';
import type { SliceScheduler } from '../algo/slice-scheduler.ts';
import type { ParentOrderId } from '../model/ids.ts';

export class RunningTwaps {
  private readonly schedulers = new Map<ParentOrderId, SliceScheduler | IntentRunner>();
  private readonly intervals = new Map<ParentOrderId, number>();
  private readonly runners = new Map<ParentOrderId, IntentRunner>();

  register(parentId: ParentOrderId, scheduler: SliceScheduler, intervalMs: number): void {
    this.schedulers.set(parentId, scheduler);
    this.intervals.set(parentId, intervalMs);
  }

  /** An intent-driven parent's runner (intent-runner.ts). */
  registerRunner(parentId: ParentOrderId, runner: IntentRunner): void {
    this.schedulers.set(parentId, runner);
    this.runners.set(parentId, runner);
  }

  /** What runs the parent (its cancel stops it), if anything does. */
  schedulerOf(parentId: ParentOrderId): SliceScheduler | IntentRunner | undefined {
    return this.schedulers.get(parentId);
  }

  runnerOf(parentId: ParentOrderId): IntentRunner | undefined {
    return this.runners.size === 0 ? undefined : this.runners.get(parentId);
  }

  /** The slice interval of a TWAP parent, undefined for any other parent. */
  intervalOf(parentId: ParentOrderId): number | undefined {
    return this.intervals.get(parentId);
  }
}
