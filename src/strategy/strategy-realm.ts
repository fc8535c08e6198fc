// The realm a strategy module runs in: a `vm` context of its own, with JavaScript's own globals
// (its own Object, Array, Math, Date...), so a module that replaces Math.round or pollutes
// Object.prototype changes only its realm, never the simulator's. In it:
// - Date.now(), new Date(), Date() and performance.now() read the run's clock (virtual in a
//   backtest), so a module that keeps `Date.now` from when it is imported still reads run time;
// - Math.random draws from the run's random stream for the strategy (seeded from the run's seed
//   and the strategy's name: the same draws every run);
// - setTimeout, setInterval, setImmediate, queueMicrotask and Promise throw WallClockRefused (a
//   strategy waits on the run's clock: its scheduler or onTimer), and the realm's microtasks never
//   run (an async function stops at its first await), nor does anything the garbage collector
//   would trigger (no WeakRef, FinalizationRegistry) or wait on (no Atomics.wait);
// - eval, new Function and WebAssembly compilation are refused; there is no process, require of
//   Node's built-ins, Buffer or any other Node global; console prints through the host's.
// The module's imports of rxjs, zod and 'execsim/strategy' are the host's own copies (the host
// drives the Observables and schedulers a strategy builds), and the values the host hands in
// (quotes, bars, the context) are the host's objects. This contains accidents and keeps a run
// reproducible; it is no sandbox for code written to escape (docs/0058-...).
import { constants, createContext, Script } from 'node:vm';
import { WallClockRefused } from './wall-clock-guard.ts';

/** What a realm reads of its run. */
export interface RealmHooks {
  /** The run's clock, epoch ms. */
  readonly now: () => number;
  /** The strategy's random stream, uniform in [0, 1). */
  readonly random: () => number;
}

type Installer = (
  global: object,
  now: () => number,
  random: () => number,
  refuse: (what: string) => never,
  print: (level: string, args: unknown[]) => void,
) => void;

// Runs in the new realm, on its own intrinsics (captured before any module code runs).
const INSTALL = new Script(
  `(function install(g, now, random, refuse, print) {
  'use strict';
  const NativeDate = g.Date;
  const construct = g.Reflect.construct;
  const define = g.Object.defineProperty;
  const floor = g.Math.floor;
  const set = (target, name, value) => define(target, name, { value, writable: true, configurable: true });
  const clockNow = () => floor(now());
  function Date(...args) {
    if (new.target === undefined) return construct(NativeDate, [clockNow()]).toString();
    return construct(NativeDate, args.length === 0 ? [clockNow()] : args, new.target);
  }
  define(Date, 'length', { value: 7 });
  define(Date, 'prototype', { value: NativeDate.prototype, writable: false });
  set(NativeDate.prototype, 'constructor', Date);
  set(Date, 'now', { now() { return clockNow(); } }.now);
  set(Date, 'parse', NativeDate.parse);
  set(Date, 'UTC', NativeDate.UTC);
  set(g, 'Date', Date);
  const origin = now();
  set(g, 'performance', { now() { return now() - origin; }, timeOrigin: origin });
  set(g.Math, 'random', { random() { return random(); } }.random);
  for (const name of ['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask'])
    set(g, name, function () { refuse(name); });
  const NativePromise = g.Promise;
  set(g, 'Promise', new g.Proxy(NativePromise, {
    construct() { refuse('a Promise'); },
    apply() { refuse('a Promise'); },
    get(target, key, receiver) {
      const v = g.Reflect.get(target, key, receiver);
      if (key === g.Symbol.hasInstance) return v;
      return typeof v === 'function' ? function () { refuse('Promise.' + g.String(key)); } : v;
    },
  }));
  delete g.Atomics.wait;
  delete g.Atomics.waitAsync;
  delete g.WeakRef;
  delete g.FinalizationRegistry;
  const log = (level) => function (...args) { print(level, args); };
  set(g, 'console', { log: log('log'), info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug') });
})`,
  { filename: 'execsim:strategy-realm' },
);

function refuse(what: string): never {
  throw new WallClockRefused(what);
}

function print(level: string, args: unknown[]): void {
  const method = level === 'warn' || level === 'error' ? console.error : console.log;
  method(...args);
}

/** A new realm for one instance of a strategy, on its run's clock and random stream. */
export function newRealm(hooks: RealmHooks): object {
  const global = createContext(constants.DONT_CONTEXTIFY, {
    name: 'execsim strategy',
    codeGeneration: { strings: false, wasm: false },
    // Microtasks made in the realm wait in its own queue, which runs only after a script is
    // evaluated in it: after the two set-up scripts, never again.
    microtaskMode: 'afterEvaluate',
  });
  (INSTALL.runInContext(global) as Installer)(global, hooks.now, hooks.random, refuse, print);
  return global;
}

/** The module's exports object, from its evaluation in a realm. */
export type ModuleExports = Record<string, unknown>;

/**
 * A bundled module (CommonJS), compiled once: each evaluate() runs it afresh in the realm it is
 * given (its module-level state starts anew), with `require` for its imports. Compiled once, its
 * functions' bytecode is shared by every realm it runs in.
 */
export class RealmModule {
  private readonly script: Script;

  constructor(code: string, filename: string) {
    // `this` at the top level is module.exports, as in CommonJS.
    this.script = new Script(
      '(function (require, __filename, __dirname) { const module = { exports: {} }; ' +
        '(function (exports, require, module, __filename, __dirname) {' +
        code +
        '\n}).call(module.exports, module.exports, require, module, __filename, __dirname); return module.exports; })',
      { filename },
    );
  }

  /** Runs the module in `realm`; returns its exports (the realm's object: read it in a budget). */
  evaluate(realm: object, require: (id: string) => unknown, filename: string, dirname: string): ModuleExports {
    const run = this.script.runInContext(realm) as (
      require: (id: string) => unknown,
      filename: string,
      dirname: string,
    ) => ModuleExports;
    return run(require, filename, dirname);
  }
}
