// How long one call into strategy code may take. Past its budget the call is stopped where it is
// and BudgetExceeded is thrown to the host, which stops the strategy: a callback that never returns
// cannot hang a backtest or freeze a session's HTTP controls. The watchdog addon stops it when it
// is built, else Node's own vm timeout.
// Design notes: docs/0067-strategy-host-notes.md#srcstrategytime-budgetts
import { createRequire } from 'node:module';
import { constants, createContext, Script } from 'node:vm';
import { isNativeError } from 'node:util/types';
import { isMainThread } from 'node:worker_threads';

/** A call into strategy code ran past its budget and was stopped. */
export class BudgetExceeded extends Error {
  constructor(readonly budgetMs: number) {
    super(`exceeded its time budget of ${budgetMs} ms`);
    this.name = 'BudgetExceeded';
  }
}

export interface TimeBudget {
  /** 'watchdog': the addon (CPU time); 'vm-timeout': Node's vm timeout (wall time). */
  readonly kind: 'watchdog' | 'vm-timeout';
  /** Returns what work() returns or throws what it throws; throws BudgetExceeded when it ran
   *  past budgetMs (and was stopped there). */
  call<T>(work: () => T, budgetMs: number): T;
}

interface Addon {
  callWithBudget(fn: () => unknown, budgetMs: number): unknown;
}

const ADDON = '../../native/time-budget/build/Release/time_budget.node';

/** Whether `err` is an error (of any realm) with this code as a plain value: read without
 *  running anything of a strategy's (no getter, no Proxy trap). */
function hasCode(err: unknown, code: string): boolean {
  if (!isNativeError(err)) return false;
  const d = Object.getOwnPropertyDescriptor(err, 'code');
  return d !== undefined && 'value' in d && d.value === code;
}

/** The watchdog addon, or null when it is not built (or does not load on this Node). */
export function watchdogBudget(): TimeBudget | null {
  let addon: Addon;
  try {
    addon = createRequire(import.meta.url)(ADDON) as Addon;
  } catch {
    return null;
  }
  return {
    kind: 'watchdog',
    call<T>(work: () => T, budgetMs: number): T {
      try {
        return addon.callWithBudget(work, budgetMs) as T;
      } catch (err) {
        // The addon's own error; anything else is the strategy's, passed on unread.
        if (hasCode(err, 'ERR_EXECSIM_TIME_BUDGET')) throw new BudgetExceeded(budgetMs);
        throw err;
      }
    },
  };
}

/** Node's vm timeout around each outermost call: a script in a context of its own calls work. */
export function vmTimeoutBudget(): TimeBudget {
  const global = createContext(constants.DONT_CONTEXTIFY) as { work: (() => unknown) | null };
  const trampoline = new Script('work()', { filename: 'execsim:time-budget' });
  let depth = 0;
  return {
    kind: 'vm-timeout',
    call<T>(work: () => T, budgetMs: number): T {
      if (depth > 0) return work();
      depth++;
      global.work = work;
      try {
        return trampoline.runInContext(global, {
          timeout: Math.max(1, Math.ceil(budgetMs)),
          displayErrors: false,
        }) as T;
      } catch (err) {
        // Node's timeout error is made in the trampoline's context, where nothing else runs.
        if (hasCode(err, 'ERR_SCRIPT_EXECUTION_TIMEOUT')) throw new BudgetExceeded(budgetMs);
        throw err;
      } finally {
        global.work = null;
        depth--;
      }
    },
  };
}

let chosen: TimeBudget | null = null;

/** The thread's way of bounding strategy calls: the addon when built, else vm timeouts. */
export function defaultBudget(): TimeBudget {
  if (chosen) return chosen;
  const watchdog = watchdogBudget();
  if (watchdog) return (chosen = watchdog);
  if (isMainThread)
    console.warn(
      'execsim: the time-budget addon is not built (node scripts/build-addon.js): strategy calls are bounded ' +
        'by vm timeouts instead, about 0.1 ms each',
    );
  return (chosen = vmTimeoutBudget());
}
