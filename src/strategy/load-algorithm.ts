// Loads a user's execution algorithm module (an `algo: { kind: module, path }` block) the way a
// strategy module is loaded (load-strategy.ts): esbuild bundles it once per thread, each instance
// evaluates the bundle afresh in a realm it holds alone, whose Date reads the run's clock and
// whose Math.random is a stream of the run's seed; each decision runs within the strategy's call
// budget with the wall clock refused, and what it returns is copied out as plain data. A bad
// path or shape is one AlgorithmLoadError naming the field; a decision that throws, loops past
// its budget or returns a Promise throws into the runner, which stops the parent with the reason.
import { dirname, resolve } from 'node:path';
import { Rng } from '../core/clock/rng.ts';
import type {
  AlgoContext,
  AlgoDecision,
  AlgoRef,
  AlgorithmResolver,
  ExecAlgorithm,
} from '../core/algo/intent-algorithm.ts';
import { DEFAULT_CALLBACK_BUDGET_MS } from './load-strategy.ts';
import { copyPlain, describeThrown, isAsyncFunction, isThenable, TooBigToCopy } from './plain-copy.ts';
import { ALGORITHM_SHARED } from './shared-views.ts';
import { BundleError, bundleOf, compiled, type Bundle, type ImportRule } from './strategy-bundle.ts';
import type { InstanceEnv } from './strategy-port.ts';
import type { RealmSeat } from './strategy-realm.ts';
import { BudgetExceeded, defaultBudget } from './time-budget.ts';
import { unguarded, withoutWallClock } from './wall-clock-guard.ts';

export class AlgorithmLoadError extends Error {
  constructor(
    /** The field at fault, under the algo block ('path'). */
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'AlgorithmLoadError';
  }
}

const SHARED = ALGORITHM_SHARED;
const ALGORITHM_IMPORTS: ImportRule = { who: 'an algorithm', allowed: Object.keys(SHARED) };

/** A loaded module: its code's identity and a fresh instance per run. */
export interface LoadedAlgorithm {
  /** The module as written in the file. */
  readonly module: string;
  readonly path: string;
  /** The bundle's hash: the module's code identity. */
  readonly codeHash: string;
  instantiate(env: InstanceEnv): ModuleInstance;
}

/** An instance of a module: it decides, and ends with the process that made it (a crash, the
 *  run's end), after which nothing calls it and its realm goes back to the module. */
export interface ModuleInstance extends ExecAlgorithm {
  end(): void;
}

/** A process's resolver of the modules its parents name, and the end of every instance it made,
 *  once the process is over. */
export type ProcessAlgorithms = AlgorithmResolver & { end(): void };

/** Loads `module` (as written; `path` is where it is) and checks its shape with one instance. */
export function loadAlgorithm(module: string, path: string, budgetMs = DEFAULT_CALLBACK_BUDGET_MS): LoadedAlgorithm {
  let bundle: Bundle;
  try {
    bundle = bundleOf(module, path, ALGORITHM_IMPORTS);
  } catch (err) {
    if (err instanceof BundleError) throw new AlgorithmLoadError('path', err.message);
    throw err;
  }
  const budget = defaultBudget();
  // `what` heads a budget's message: the runner's stop reason names the module and decide itself.
  const bounded = <T>(seat: RealmSeat, what: string, work: () => T): T => {
    const before = seat.enter();
    try {
      return withoutWallClock(() => budget.call(work, budgetMs));
    } catch (err) {
      if (err instanceof BudgetExceeded)
        throw new Error(`${what}${err.message}; does it loop forever?`, { cause: err });
      throw err;
    } finally {
      seat.leave(before);
    }
  };
  const instanceOf = (env: InstanceEnv, load: boolean): { algorithm: ModuleInstance; seat: RealmSeat } => {
    const rng = new Rng(env.seed, `algorithm/${module}`);
    const seat = compiled(bundle, path).seat({ now: env.now, random: () => rng.next() });
    const require = (id: string): unknown => {
      if (Object.hasOwn(SHARED, id)) return SHARED[id];
      throw new Error(`an algorithm cannot require ${JSON.stringify(id)} (only ${Object.keys(SHARED).join(', ')})`);
    };
    let decide: (ctx: AlgoContext) => unknown;
    try {
      decide = bounded(seat, `${module}: loading its module `, () => {
        let exports: Record<string, unknown>;
        try {
          exports = seat.evaluate(require, path, dirname(path));
        } catch (err) {
          throw new AlgorithmLoadError('path', `${module} failed while loading: ${describeThrown(err)}`);
        }
        const def = (exports.default ?? exports.algorithm) as { decide?: unknown } | undefined;
        const fn = typeof def === 'function' ? def : def !== null && typeof def === 'object' ? def.decide : undefined;
        if (typeof fn !== 'function')
          throw new AlgorithmLoadError(
            'path',
            `${module} exports no algorithm: export default defineAlgorithm({ decide(ctx) { ... } })`,
          );
        if (isAsyncFunction(fn))
          throw new AlgorithmLoadError(
            'path',
            `${module}: decide is an async function: a decision is made at once (no async functions)`,
          );
        return (ctx: AlgoContext) => (fn as (c: AlgoContext) => unknown).call(def, ctx);
      });
    } catch (err) {
      seat.release(false);
      if (err instanceof AlgorithmLoadError || !load) throw err;
      throw new AlgorithmLoadError('path', (err as Error).message);
    }
    const algorithm: ModuleInstance = {
      // The realm goes back to the module for the thread's next instance (a sweep's next path,
      // a restarted process) once no call of this one is under way; made afresh it cost a
      // context of its own per run, about 3 ms of CPU and as much again for the collector.
      end: () => seat.release(true),
      label: module,
      decide: (ctx: AlgoContext): AlgoDecision | undefined =>
        bounded(seat, 'it ', () => {
          let out: unknown;
          try {
            out = decide(ctx);
          } catch (err) {
            throw new Error(describeThrown(err), { cause: err });
          }
          if (isThenable(out)) throw new Error('it returned a Promise: a decision is made at once');
          // Deep enough that the memo's own check (32 levels) is what refuses a deeper one.
          try {
            return copyPlain(out, 35, false, true) as AlgoDecision;
          } catch (err) {
            if (err instanceof TooBigToCopy) throw new Error(`the decision holds ${err.message}`, { cause: err });
            throw err;
          }
        }),
    };
    return { algorithm, seat };
  };
  // The check's own instance, at time 0 and seed 0: a module that does not load is refused here.
  instanceOf({ now: () => 0, seed: 0 }, true).seat.release(true);
  return {
    module,
    path,
    codeHash: bundle.hash,
    instantiate: (env) => instanceOf(env, false).algorithm,
  };
}

/** Loads the module an algo block names, relative to the scenario or session file. */
export function loadAlgorithmOf(module: string, file: string): LoadedAlgorithm {
  return loadAlgorithm(module, resolve(dirname(file), module));
}

/** The resolver a node is given: each module one instance per process, on the run's clock and
 *  seed, made when a parent first names it; end() ends them all. */
export function algorithmResolver(
  loaded: ReadonlyMap<string, LoadedAlgorithm>,
  now: () => number,
  seed: number,
): ProcessAlgorithms {
  const instances = new Map<string, ModuleInstance>();
  const resolve = (ref: AlgoRef): ExecAlgorithm => {
    const key = ref.module ?? '';
    let a = instances.get(key);
    if (a === undefined) {
      const l = loaded.get(key);
      if (l === undefined) throw new Error(`no algorithm module ${key} was loaded with the run`);
      // The realm's Date reads the run's clock (a wall clock reads Date.now, refused while the
      // module's code runs).
      a = l.instantiate({ now: () => unguarded(now), seed });
      instances.set(key, a);
    }
    return a;
  };
  return Object.assign(resolve, {
    end: (): void => {
      for (const a of instances.values()) a.end();
      instances.clear();
    },
  });
}
