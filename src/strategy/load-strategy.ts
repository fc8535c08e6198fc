// Loads a strategy module, synchronously, the same way wherever it runs (the CLI, a sweep's
// worker threads, the server, a paper run): esbuild bundles the file (TypeScript or JavaScript,
// with whatever it imports from its own folder or node_modules) into one CommonJS function, and
// the loader calls it with a `require` that hands out the host's own rxjs, zod and
// 'execsim/strategy', so the Observables and schedulers a strategy builds are the ones the host
// drives. The bundle is cached per file (by size and mtime) and compiled once; each run calls it
// afresh (`instantiate`), so module-level state in a strategy never leaks from one run or sweep
// path to the next, while its functions keep what the JIT learned (a bundle compiled per run
// made every sweep path run the strategy's code cold). The bundle's hash is the strategy's code
// identity: StrategyStarted carries it, so a changed strategy makes another digest.
//
// Every problem is a StrategyLoadError naming the field (`strategy.module`, `strategy.params.x`)
// and the module: unreadable, does not compile, no definition exported, a definition without a
// name or logic, bad parameters.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { compileFunction } from 'node:vm';
import type * as Esbuild from 'esbuild';
import * as rxjs from 'rxjs';
import * as zod from 'zod';
import { canonicalJson } from '../core/log/canonical-json.ts';
import * as api from './strategy-api.ts';
import type { StrategyDefinition, Warmup } from './strategy-api.ts';
import type { FailureMode, LoadedStrategy } from './strategy-port.ts';

/** esbuild, loaded the first time a strategy is bundled: a process (or sweep worker) whose
 *  scenario names no strategy never loads it. Required, not imported: an ES module import of
 *  this CommonJS package made Node scan its 97 KB for export names at every start, and V8
 *  compiled that scanner with its optimising compiler (about 0.1-0.2 s of CPU per thread). */
let esbuildModule: typeof Esbuild | undefined;
const esbuild = (): typeof Esbuild => (esbuildModule ??= createRequire(import.meta.url)('esbuild') as typeof Esbuild);

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

/** What a scenario or session file says about its strategy. */
export interface StrategySpec {
  /** The module as written, and where it is. */
  readonly module: string;
  readonly path: string;
  readonly params: unknown;
  readonly warmupTimeoutMs: number;
  readonly onFailure: { readonly killSwitch: FailureMode; readonly cancelParents: boolean };
}

/** The packages a strategy shares with its host. rxjs's operators are all exported from its
 *  root too: 'rxjs/operators' gets the root, so an operator and the Observable it lifts are of
 *  the same copy of rxjs (the bundle in dist/ carries its own). */
const SHARED: Readonly<Record<string, unknown>> = {
  rxjs,
  'rxjs/operators': rxjs,
  zod,
  'execsim/strategy': api,
};

interface Bundle {
  readonly size: number;
  readonly mtimeMs: number;
  readonly code: string;
  readonly hash: string;
  /** The bundle compiled (on its first evaluation). */
  compiled?: ModuleFunction;
}

type ModuleFunction = (
  exports: Record<string, unknown>,
  require: (id: string) => unknown,
  module: { exports: Record<string, unknown> },
  filename: string,
  dirname: string,
) => void;
const bundles = new Map<string, Bundle>();

export function loadStrategy(spec: StrategySpec): LoadedStrategy & { instantiate(): StrategyDefinition<unknown> } {
  const bundle = bundleOf(spec);
  const instantiate = (): StrategyDefinition<unknown> => evaluate(spec, bundle);
  const def = instantiate();
  const params = parseParams(spec, def);
  const warmup = checkedWarmup(spec, def, params);
  const feed = def.feed ?? {};
  const quoteMs = checkedMs(spec, 'feed.quoteMs', feed.quoteMs ?? 1_000, 10);
  const barMs = checkedMs(spec, 'feed.barMs', feed.barMs ?? 60_000, quoteMs);
  return {
    definition: def,
    instantiate,
    params,
    paramsJson: canonicalJson(params ?? {}),
    module: spec.module,
    codeHash: bundle.hash,
    form: 'reactive' in def ? 'reactive' : 'handler',
    warmup,
    quoteMs,
    barMs,
    warmupTimeoutMs: spec.warmupTimeoutMs,
    onFailure: spec.onFailure,
  };
}

function bundleOf(spec: StrategySpec): Bundle {
  let stat;
  try {
    stat = statSync(spec.path);
  } catch {
    throw new StrategyLoadError(
      'module',
      `${spec.module}: no such file ${spec.path} (paths are relative to the file naming it)`,
    );
  }
  if (!stat.isFile()) throw new StrategyLoadError('module', `${spec.module}: ${spec.path} is not a file`);
  const cached = bundles.get(spec.path);
  if (cached && cached.size === stat.size && cached.mtimeMs === stat.mtimeMs) return cached;
  let code: string;
  try {
    const out = esbuild().buildSync({
      entryPoints: [spec.path],
      // The bundle's comments name its files relative to this folder: the same module gives the
      // same code (and code hash) wherever it is and whoever loads it.
      absWorkingDir: dirname(spec.path),
      bundle: true,
      write: false,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      external: ['rxjs', 'rxjs/*', 'zod', 'execsim', 'execsim/*'],
      logLevel: 'silent',
      charset: 'utf8',
      legalComments: 'none',
    });
    code = out.outputFiles[0]?.text ?? '';
  } catch (err) {
    const first = (err as Esbuild.BuildFailure).errors?.[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}:${first.location.column}: ` : '';
    throw new StrategyLoadError(
      'module',
      `${spec.module} does not compile: ${where}${first?.text ?? (err as Error).message}`,
    );
  }
  const bundle: Bundle = {
    size: stat.size,
    mtimeMs: stat.mtimeMs,
    code,
    hash: createHash('sha256').update(code).digest('hex').slice(0, 16),
  };
  bundles.set(spec.path, bundle);
  return bundle;
}

/** Runs the bundle once and finds the definition it exports (default, or `strategy`). */
function evaluate(spec: StrategySpec, bundle: Bundle): StrategyDefinition<unknown> {
  const fallback = createRequire(spec.path);
  const requireShared = (id: string): unknown => (id in SHARED ? SHARED[id] : fallback(id));
  const module = { exports: {} as Record<string, unknown> };
  try {
    bundle.compiled ??= compileFunction(bundle.code, ['exports', 'require', 'module', '__filename', '__dirname'], {
      filename: spec.path,
    }) as ModuleFunction;
    bundle.compiled(module.exports, requireShared, module, spec.path, dirname(spec.path));
  } catch (err) {
    throw new StrategyLoadError(
      'module',
      `${spec.module} failed while loading: ${(err as Error).message ?? String(err)}`,
    );
  }
  const exp = module.exports;
  const def = (exp.default ?? exp.strategy) as StrategyDefinition<unknown> | undefined;
  if (def === undefined || def === null || typeof def !== 'object')
    throw new StrategyLoadError(
      'module',
      `${spec.module} exports no strategy: export default defineStrategy({...}) (or export const strategy)`,
    );
  if (typeof def.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/.test(def.name))
    throw new StrategyLoadError(
      'module',
      `${spec.module}: the definition's name must be 1-40 letters, digits, '.', '_' or '-'`,
    );
  const reactive = typeof (def as { reactive?: unknown }).reactive === 'function';
  const handler = typeof (def as { create?: unknown }).create === 'function';
  if (reactive === handler)
    throw new StrategyLoadError(
      'module',
      `${spec.module}: the definition needs exactly one of reactive(params, inputs) or create(params, context)`,
    );
  return def;
}

function parseParams(spec: StrategySpec, def: StrategyDefinition<unknown>): unknown {
  const given = spec.params ?? {};
  if (!def.params) {
    if (typeof given === 'object' && given !== null && Object.keys(given).length > 0)
      throw new StrategyLoadError('params', `${spec.module} takes no parameters (its definition has no params schema)`);
    return {};
  }
  if (typeof def.params.safeParse !== 'function')
    throw new StrategyLoadError('module', `${spec.module}: params must be a schema with safeParse (a zod schema)`);
  const result = def.params.safeParse(given);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  throw new StrategyLoadError(
    path ? `params.${path}` : 'params',
    `${spec.module}: ${issue?.message ?? 'invalid parameters'}`,
  );
}

function checkedWarmup(spec: StrategySpec, def: StrategyDefinition<unknown>, params: unknown): Warmup {
  let w: unknown;
  try {
    w = typeof def.warmup === 'function' ? def.warmup(params) : (def.warmup ?? {});
  } catch (err) {
    throw new StrategyLoadError('module', `${spec.module}: warmup(params) threw: ${(err as Error).message}`);
  }
  if (typeof w !== 'object' || w === null)
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

function checkedMs(spec: StrategySpec, field: string, v: unknown, min: number): number {
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > 86_400_000)
    throw new StrategyLoadError(
      'module',
      `${spec.module}: ${field} must be a whole number of ms from ${min} to 86400000`,
    );
  return v as number;
}
