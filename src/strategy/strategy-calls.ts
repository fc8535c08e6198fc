// The host's calls into a strategy's code, each one guarded: the wall clock out of reach, the
// strategy's time budget, and what it hands back copied into the host's plain data inside that
// budget, so nothing of the strategy runs outside one. A call that fails records the strategy's
// first failure; the host stops the strategy once the call is over.
// Design notes: docs/0067-strategy-host-notes.md#srcstrategystrategy-callsts
import { copyPlain, describeThrown, isThenable } from './plain-copy.ts';
import { OutputError } from './strategy-output.ts';
import type { RealmSeat } from './strategy-realm.ts';
import type { StrategyScheduler } from './strategy-scheduler.ts';
import { BudgetExceeded, type TimeBudget } from './time-budget.ts';
import { withoutWallClock } from './wall-clock-guard.ts';

/** At most this many outputs from one call (returned, or emitted by a reactive strategy). */
export const MAX_OUTPUTS_PER_CALL = 1_000;

export interface StrategyFailure {
  readonly phase: string;
  readonly message: string;
}

export class StrategyCalls {
  /** What stopped the strategy (the first failure), or null. */
  failure: StrategyFailure | null = null;
  /** A call ran past its budget: the strategy's code is not to be called again. */
  timedOut = false;
  /** The reactive form's scheduler, whose requests a call makes are applied after it. */
  scheduler: StrategyScheduler | null = null;
  /** What the strategy emitted during the current call, as it emitted it. */
  private emitted: unknown[] = [];
  private tooMany = false;
  /** The outputs of the last call, copied. */
  private outputs: unknown[] = [];
  private active = false;
  /** False once a teardown threw or ran past its budget. */
  private tornDown = true;

  constructor(
    private readonly budget: TimeBudget,
    private readonly budgetMs: number,
    /** The instance's seat in its realm; null for code that runs in none (a test's). */
    private readonly seat: RealmSeat | null = null,
  ) {}

  /**
   * Runs `work` (strategy code) guarded and bounded; its result is collected as outputs when
   * `returnsOutputs` (a callback's), and the outputs it emitted meanwhile are collected too.
   * Returns the call's outputs (host copies), none once the strategy failed.
   */
  run(phase: string, work: () => unknown, returnsOutputs: boolean): unknown[] {
    // A call made inside a call (none is, today) is part of it: its outputs are the outer one's.
    if (this.active) {
      this.inside(phase, work, returnsOutputs);
      return [];
    }
    this.active = true;
    this.emitted = [];
    this.tooMany = false;
    this.outputs = [];
    try {
      this.bounded(() => this.inside(phase, work, returnsOutputs));
    } catch (err) {
      if (err instanceof BudgetExceeded) {
        this.timedOut = true;
        this.failure ??= {
          phase,
          message: `${err.message} (strategy.callbackBudgetMs): it was stopped there, and is not called again`,
        };
      } else this.fail(phase, err);
    }
    this.active = false;
    this.emitted = [];
    if (this.failure) {
      this.scheduler?.stopAll();
      this.outputs = [];
    } else this.scheduler?.flush();
    const outputs = this.outputs;
    this.outputs = [];
    return outputs;
  }

  /** An output a reactive strategy emitted (its subscription's next). */
  emit(output: unknown): void {
    if (this.emitted.length < MAX_OUTPUTS_PER_CALL) this.emitted.push(output);
    else this.tooMany = true;
  }

  /** Records the strategy's failure (the first); reads what it threw, so call it inside a call. */
  fail(phase: string, err: unknown): void {
    if (this.failure) return;
    this.failure = { phase, message: describeThrown(err) };
  }

  /** Runs strategy code whose outcome does not matter (a stopping strategy's teardown), guarded
   *  and bounded; never after a call ran past its budget. */
  quietly(work: () => void): void {
    if (this.timedOut) return;
    try {
      this.bounded(work);
    } catch {
      // The strategy is stopping: what its teardown throws, or how long it takes, changes nothing
      // but its realm, which is not handed on (a teardown stopped at its budget may have left it
      // half changed).
      this.tornDown = false;
    }
  }

  /** The instance has ended: its code is never called again. Its realm goes on to another
   *  instance unless the strategy failed (its teardown included). */
  release(): void {
    this.seat?.release(this.failure === null && !this.timedOut && this.tornDown);
  }

  /** Runs `work` in the instance's seat, guarded and within the budget. */
  private bounded(work: () => void): void {
    const seat = this.seat;
    if (seat === null) return withoutWallClock(() => this.budget.call(work, this.budgetMs));
    const before = seat.enter();
    try {
      withoutWallClock(() => this.budget.call(work, this.budgetMs));
    } finally {
      seat.leave(before);
    }
  }

  private inside(phase: string, work: () => unknown, returnsOutputs: boolean): void {
    let result: unknown;
    try {
      result = work();
      if (this.tooMany)
        throw new OutputError(`more than ${MAX_OUTPUTS_PER_CALL} outputs in one call: a strategy's logic gone wrong`);
      for (const o of this.emitted) this.outputs.push(copyPlain(o));
      this.emitted = [];
      if (returnsOutputs) this.collect(result);
    } catch (err) {
      this.fail(phase, err);
    }
  }

  private collect(result: unknown): void {
    if (result === undefined || result === null) return;
    if (isThenable(result))
      throw new OutputError('a handler returned a Promise: a strategy is synchronous (no async functions)');
    if (!Array.isArray(result)) {
      this.outputs.push(copyPlain(result));
      return;
    }
    if (result.length > MAX_OUTPUTS_PER_CALL)
      throw new OutputError(
        `a call returned ${result.length} outputs, more than ${MAX_OUTPUTS_PER_CALL}: a strategy's logic gone wrong`,
      );
    for (const o of result) this.outputs.push(copyPlain(o));
  }
}
