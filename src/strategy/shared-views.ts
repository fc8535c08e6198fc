// What a module's `require` of a package it shares with its host gets. The package is the host's
// own (one copy per thread: a schema or an Observable the module makes is the host's kind), so
// what changes it changes it for the host and for every later run in the thread, and a run would
// depend on the runs before it: a sweep path would differ from `execsim run --seed` of the path.
// A module is given views that refuse the package-wide settings (zod's config, rxjs's config) with
// one message, and the strategy API's functions are frozen. The packages' classes are the host's
// as they are (freezing their prototypes would break rxjs, which assigns over them); a module that
// writes to them is not contained (docs/0067-strategy-host-notes.md).
import * as rxjs from 'rxjs';
import * as zod from 'zod';
import * as api from './strategy-api.ts';

/** Thrown into a module that tries to change a package it shares with the host. */
export class SharedPackageRefused extends Error {
  constructor(what: string, hint: string) {
    super(`${what} would change it for the host and every other run in this process: a module cannot; ${hint}`);
    this.name = 'SharedPackageRefused';
  }
}

/** `target` (a copy the view owns) as a view that refuses every change with `what` and `hint`. */
function readOnly<T extends object>(target: T, what: string, hint: string): T {
  Object.freeze(target);
  const refuse = (): never => {
    throw new SharedPackageRefused(what, hint);
  };
  return new Proxy(target, {
    set: refuse,
    defineProperty: refuse,
    deleteProperty: refuse,
    setPrototypeOf: refuse,
  });
}

const ZOD_HINT = "give the schema's own error option, or parse's, instead";

/** zod as a module sees it: config() refused, the global config read-only. */
function zodView(ns: typeof zod.z): typeof zod.z {
  const config = (): never => {
    throw new SharedPackageRefused("zod's config()", ZOD_HINT);
  };
  const core = readOnly(
    {
      ...ns.core,
      config,
      globalConfig: readOnly({ ...ns.core.globalConfig }, "zod's global config", ZOD_HINT),
    },
    "zod's core",
    ZOD_HINT,
  );
  return readOnly({ ...ns, config, core }, 'zod', ZOD_HINT);
}

const zodClassic = zodView(zod.z);
const zodRoot = readOnly({ ...zodView(zod as unknown as typeof zod.z), z: zodClassic }, 'zod', ZOD_HINT);

const RXJS_HINT = 'handle errors in the pipeline (catchError) instead';
const rxjsView = readOnly(
  { ...rxjs, config: readOnly({ ...rxjs.config }, "rxjs's config", RXJS_HINT) },
  'rxjs',
  RXJS_HINT,
);

// The API's functions are the module's to call, not to keep state on.
for (const fn of [api.defineStrategy, api.defineAlgorithm]) {
  Object.freeze(fn.prototype);
  Object.freeze(fn);
}

/** The packages a strategy shares with its host, by import path. rxjs's operators are all
 *  exported from its root too: 'rxjs/operators' gets the root, so an operator and the Observable
 *  it lifts are of the same copy of rxjs (the bundle in dist/ carries its own). */
export const STRATEGY_SHARED: Readonly<Record<string, unknown>> = {
  rxjs: rxjsView,
  'rxjs/operators': rxjsView,
  zod: zodRoot,
  'zod/v4': zodRoot,
  'execsim/strategy': api,
};

/** What an algorithm module shares with its host: the strategy API (defineAlgorithm, types). */
export const ALGORITHM_SHARED: Readonly<Record<string, unknown>> = { 'execsim/strategy': api };
