// Loads a strategy module, synchronously, the same way wherever it runs (the CLI, a sweep's
// worker threads, the server, a paper run): esbuild bundles it once per thread, and each instance
// evaluates the bundle afresh in a realm it holds alone, on its run's clock and random stream, so
// module state never leaks from one run to the next. The bundle's hash is the strategy's code
// identity. Every problem is a StrategyLoadError naming the field and the module.
// Design notes: docs/0067-strategy-host-notes.md#srcstrategyload-strategyts
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { canonicalJson } from '../core/log/canonical-json.ts';
import { Rng } from '../core/clock/rng.ts';
import { droppedKey } from './param-keys.ts';
import { copyPlain, describeThrown, isAsyncFunction } from './plain-copy.ts';
import { STRATEGY_SHARED } from './shared-views.ts';
import type { StrategyDefinition, Warmup } from './strategy-api.ts';
import { BundleError, bundleOf, compiled, STRATEGY_IMPORTS, type Bundle } from './strategy-bundle.ts';
import type { FailureMode, InstanceEnv, LoadedStrategy } from './strategy-port.ts';
import type { RealmSeat } from './strategy-realm.ts';
import { BudgetExceeded, defaultBudget, type TimeBudget } from './time-budget.ts';
import { withoutWallClock } from './wall-clock-guard.ts';

export class StrategyLoadError extends Error {
  constructor(
    /** The field at fault, under `strategy` ('module', 'params.window'). */
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'StrategyLoadError';
  }
}

/** A strategy call's time budget when the file states none (strategy.callbackBudgetMs). */
export const DEFAULT_CALLBACK_BUDGET_MS = 250;

/** What a scenario or session file says about its strategy. */
export interface StrategySpec {
  /** The module as written, and where it is. */
  readonly module: string;
  readonly path: string;
  readonly params: unknown;
  readonly warmupTimeoutMs: number;
  /** Each call into the module's code may take this long (default DEFAULT_CALLBACK_BUDGET_MS). */
  readonly callbackBudgetMs?: number;
  readonly onFailure: { readonly killSwitch: FailureMode; readonly cancelParents: boolean };
}

/** A loaded module that makes a fresh instance of its definition for each host. */
export type LoadedModule = LoadedStrategy & { instantiate(env: InstanceEnv): StrategyDefinition<unknown> };

const SHARED = STRATEGY_SHARED;

/** Shared too, but loaded the first time a module imports it (outside any strategy call's
 *  budget): streaming indicators, which a process whose strategy needs none never loads. */
const SHARED_LATER: Readonly<Record<string, () => unknown>> = {
  'trading-signals': () => createRequire(import.meta.url)('trading-signals'),
};
const loadedLater = new Map<string, unknown>();

/** What a module's `require` of a shared package gets; undefined for one that is not shared. */
function sharedPackage(id: string): unknown {
  if (Object.hasOwn(SHARED, id)) return SHARED[id];
  if (!Object.hasOwn(SHARED_LATER, id)) return undefined;
  let pkg = loadedLater.get(id);
  if (pkg === undefined) loadedLater.set(id, (pkg = (SHARED_LATER[id] as () => unknown)()));
  return pkg;
}

export function loadStrategy(spec: StrategySpec): LoadedModule {
  let bundle: Bundle;
  try {
    bundle = bundleOf(spec.module, spec.path, STRATEGY_IMPORTS);
  } catch (err) {
    if (err instanceof BundleError) throw new StrategyLoadError('module', err.message);
    throw err;
  }
  // The shared packages it imports are loaded now, not inside its loading budget.
  for (const id of bundle.external) sharedPackage(id);
  const budgetMs = spec.callbackBudgetMs ?? DEFAULT_CALLBACK_BUDGET_MS;
  const budget = defaultBudget();
  // Guarded as a callback is: the module's code could reach the host's rxjs, whose default
  // scheduler would otherwise start a real timer that runs strategy code later, unbounded. The
  // instance's seat is entered outside the budget, as a callback's is (strategy-calls.ts).
  const bounded: Bounded = (seat, what, work) => {
    const before = seat.enter();
    try {
      return withoutWallClock(() => budget.call(work, budgetMs));
    } catch (err) {
      if (err instanceof BudgetExceeded)
        throw new StrategyLoadError(
          'module',
          `${spec.module}: ${what} ${err.message} (strategy.callbackBudgetMs); does it loop forever?`,
        );
      throw err;
    } finally {
      seat.leave(before);
    }
  };
  // The check's own instance: at time 0, seed 0, its random stream named after the module. It
  // ends here, its realm handed on to the first instance unless the check failed.
  const check = instanceOf(spec, bundle, { now: () => 0, seed: 0 }, spec.module, bounded);
  const def = check.definition;
  let params: unknown;
  let warmup: Warmup;
  let feed: CheckedFeed;
  let checked = false;
  try {
    const inCheck = <T>(what: string, work: () => T): T => bounded(check.seat, what, work);
    params = parseParams(spec, def, inCheck);
    warmup = checkedWarmup(spec, def, params, inCheck);
    feed = checkedFeed(spec, def, params, inCheck);
    checked = true;
  } finally {
    check.seat.release(checked);
  }
  const { quoteMs, bars } = feed;
  const barMs = bars[0] as number;
  return {
    definition: def,
    instantiate: (env: InstanceEnv) => instanceOf(spec, bundle, env, def.name, bounded).definition,
    params,
    paramsJson: canonicalJson(params ?? {}),
    module: spec.module,
    codeHash: bundle.hash,
    form: 'reactive' in def ? 'reactive' : 'handler',
    warmup,
    quoteMs,
    barMs,
    ...(bars.length > 1 ? { bars } : {}),
    warmupTimeoutMs: spec.warmupTimeoutMs,
    callbackBudgetMs: budgetMs,
    onFailure: spec.onFailure,
  };
}

/** Runs `work` (the module's code, in the instance's seat) guarded and within the budget. */
type Bounded = <T>(seat: RealmSeat, what: string, work: () => T) => T;
/** The same, in the seat of the instance at hand. */
type InSeat = <T>(what: string, work: () => T) => T;

/** A new instance: the bundle evaluated afresh in a realm of the module's (its seat), its
 *  definition read into one of the host's own and tied to the seat (seatOf). */
function instanceOf(
  spec: StrategySpec,
  bundle: Bundle,
  env: InstanceEnv,
  streamName: string,
  bounded: Bounded,
): { readonly definition: StrategyDefinition<unknown>; readonly seat: RealmSeat } {
  const rng = new Rng(env.seed, `strategy/${streamName}`);
  const seat = compiled(bundle, spec.path).seat({ now: env.now, random: () => rng.next() });
  const require = (id: string): unknown => {
    const pkg = sharedPackage(id);
    if (pkg !== undefined) return pkg;
    const names = [...Object.keys(SHARED), ...Object.keys(SHARED_LATER)];
    throw new Error(`a strategy cannot require ${JSON.stringify(id)} (only ${names.join(', ')})`);
  };
  let definition: StrategyDefinition<unknown>;
  try {
    definition = bounded(seat, 'loading its module', () => {
      let exports: Record<string, unknown>;
      try {
        exports = seat.evaluate(require, spec.path, dirname(spec.path));
      } catch (err) {
        throw new StrategyLoadError('module', `${spec.module} failed while loading: ${describeThrown(err)}`);
      }
      return definitionOf(spec, exports);
    });
  } catch (err) {
    // An instance that did not load is over, its realm dropped.
    seat.release(false);
    throw err;
  }
  seat.bind(definition);
  return { definition, seat };
}

/** The module's definition (default export, or `strategy`), read inside the loading budget into
 *  a host object: its name, its schema, warm-up and feed, and its logic (the module's function). */
function definitionOf(spec: StrategySpec, exports: Record<string, unknown>): StrategyDefinition<unknown> {
  let def: Record<string, unknown> | undefined;
  let name: unknown;
  let reactive: unknown;
  let create: unknown;
  let feed: unknown;
  let params: unknown;
  let warmup: unknown;
  try {
    def = (exports.default ?? exports.strategy) as Record<string, unknown> | undefined;
    if (def !== undefined && def !== null && typeof def === 'object') {
      ({ name, reactive, create, feed, params, warmup } = def);
      feed = copyPlain(feed, 2);
    }
  } catch (err) {
    throw new StrategyLoadError('module', `${spec.module}: reading its definition threw: ${describeThrown(err)}`);
  }
  if (def === undefined || def === null || typeof def !== 'object')
    throw new StrategyLoadError(
      'module',
      `${spec.module} exports no strategy: export default defineStrategy({...}) (or export const strategy)`,
    );
  if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/.test(name))
    throw new StrategyLoadError(
      'module',
      `${spec.module}: the definition's name must be 1-40 letters, digits, '.', '_' or '-'`,
    );
  const isReactive = typeof reactive === 'function';
  if (isReactive === (typeof create === 'function'))
    throw new StrategyLoadError(
      'module',
      `${spec.module}: the definition needs exactly one of reactive(params, inputs) or create(params, context)`,
    );
  const entry = isReactive ? 'reactive' : 'create';
  if (isAsyncFunction(isReactive ? reactive : create))
    throw new StrategyLoadError(
      'module',
      `${spec.module}: ${entry} is an async function: a strategy is synchronous (no async functions)`,
    );
  const base = {
    name,
    ...(params === undefined ? {} : { params }),
    ...(warmup === undefined ? {} : { warmup }),
    ...(feed === undefined || feed === null ? {} : { feed }),
  };
  return (isReactive ? { ...base, reactive } : { ...base, create }) as StrategyDefinition<unknown>;
}

function parseParams(spec: StrategySpec, def: StrategyDefinition<unknown>, bounded: InSeat): unknown {
  const given = spec.params ?? {};
  const schema = def.params;
  if (!schema) {
    if (typeof given === 'object' && given !== null && Object.keys(given).length > 0)
      throw new StrategyLoadError('params', `${spec.module} takes no parameters (its definition has no params schema)`);
    return {};
  }
  const parsed = bounded('checking its parameters', () => {
    try {
      if (typeof schema.safeParse !== 'function') return null;
      const result = schema.safeParse(given);
      if (result.success) return { ok: true as const, data: copyPlain(result.data, 32) };
      const issue = result.error.issues[0];
      return {
        ok: false as const,
        path: (issue?.path ?? []).map((k) => String(k)),
        message: typeof issue?.message === 'string' ? issue.message : 'invalid parameters',
      };
    } catch (err) {
      throw new StrategyLoadError('params', `${spec.module}: its params schema threw: ${describeThrown(err)}`);
    }
  });
  if (parsed === null)
    throw new StrategyLoadError('module', `${spec.module}: params must be a schema with safeParse (a zod schema)`);
  if (!parsed.ok) {
    const path = parsed.path.join('.');
    throw new StrategyLoadError(path ? `params.${path}` : 'params', `${spec.module}: ${parsed.message}`);
  }
  const dropped = droppedKey(given, parsed.data);
  if (dropped)
    throw new StrategyLoadError(
      `params.${dropped.path.join('.')}`,
      `not a parameter of ${spec.module}${dropped.meant === null ? '' : `; did you mean "${dropped.meant}"?`}`,
    );
  return parsed.data;
}

function checkedWarmup(spec: StrategySpec, def: StrategyDefinition<unknown>, params: unknown, bounded: InSeat): Warmup {
  const w = bounded('computing its warm-up', () => {
    try {
      return copyPlain(typeof def.warmup === 'function' ? def.warmup(params) : (def.warmup ?? {}), 2);
    } catch (err) {
      throw new StrategyLoadError('module', `${spec.module}: warmup(params) threw: ${describeThrown(err)}`);
    }
  });
  if (typeof w !== 'object' || w === null || Array.isArray(w))
    throw new StrategyLoadError('module', `${spec.module}: warmup must be an object`);
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(w)) {
    if (k !== 'bars' && k !== 'trades' && k !== 'seconds')
      throw new StrategyLoadError('module', `${spec.module}: warmup.${k} is unknown (bars, trades, seconds)`);
    if (v === undefined) continue;
    if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 100_000)
      throw new StrategyLoadError('module', `${spec.module}: warmup.${k} must be a whole number from 0 to 100000`);
    out[k] = v as number;
  }
  return out;
}

/** The feed's settings, each a value or computed from the parameters. */
interface CheckedFeed {
  readonly quoteMs: number;
  /** Every bar length, at least one, in the strategy's order. */
  readonly bars: readonly number[];
}

/** At most this many bar lengths. */
const MAX_BAR_LENGTHS = 8;

function checkedFeed(
  spec: StrategySpec,
  def: StrategyDefinition<unknown>,
  params: unknown,
  bounded: InSeat,
): CheckedFeed {
  const feed: unknown = def.feed ?? {};
  if (typeof feed !== 'object' || feed === null || Array.isArray(feed))
    throw new StrategyLoadError('module', `${spec.module}: feed must be an object`);
  const f = feed as Record<string, unknown>;
  for (const k of Object.keys(f))
    if (k !== 'quoteMs' && k !== 'barMs' && k !== 'bars')
      throw new StrategyLoadError('module', `${spec.module}: feed.${k} is unknown (quoteMs, barMs, bars)`);
  // A field may be a function of the parameters: the module's code, run in its seat and budget.
  const valueOf = (field: string): unknown => {
    const v = f[field];
    if (typeof v !== 'function') return v;
    return bounded(`computing feed.${field}`, () => {
      try {
        return copyPlain((v as (p: unknown) => unknown)(params), 2);
      } catch (err) {
        throw new StrategyLoadError('module', `${spec.module}: feed.${field}(params) threw: ${describeThrown(err)}`);
      }
    });
  };
  const quoteMs = checkedMs(spec, 'feed.quoteMs', valueOf('quoteMs') ?? 1_000, 10);
  const barMs = valueOf('barMs');
  const bars = valueOf('bars');
  if (barMs !== undefined && bars !== undefined)
    throw new StrategyLoadError('module', `${spec.module}: feed gives both barMs and bars: give one`);
  if (bars === undefined) return { quoteMs, bars: [checkedMs(spec, 'feed.barMs', barMs ?? 60_000, quoteMs)] };
  if (!Array.isArray(bars) || bars.length === 0 || bars.length > MAX_BAR_LENGTHS)
    throw new StrategyLoadError(
      'module',
      `${spec.module}: feed.bars must be a list of 1 to ${MAX_BAR_LENGTHS} bar lengths (ms)`,
    );
  const lengths = bars.map((ms, i) => checkedMs(spec, `feed.bars[${i}]`, ms, quoteMs));
  lengths.forEach((ms, i) => {
    if (ms % quoteMs !== 0)
      throw new StrategyLoadError(
        'module',
        `${spec.module}: feed.bars[${i}] (${ms}) must be a whole multiple of feed.quoteMs (${quoteMs}): a bar closes on a sample`,
      );
    if (lengths.indexOf(ms) !== i)
      throw new StrategyLoadError('module', `${spec.module}: feed.bars[${i}] repeats ${ms}: each length once`);
  });
  return { quoteMs, bars: lengths };
}

function checkedMs(spec: StrategySpec, field: string, v: unknown, min: number): number {
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > 86_400_000)
    throw new StrategyLoadError(
      'module',
      `${spec.module}: ${field} must be a whole number of ms from ${min} to 86400000, got ${JSON.stringify(v) ?? String(v)}`,
    );
  return v as number;
}

export type { TimeBudget };
