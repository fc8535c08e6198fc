// The realm a strategy module runs in: a `vm` context of its own whose globals read the run's
// clock and random stream and refuse timers, Promises and code generation, so a module changes only
// its realm and a run stays reproducible (it contains accidents; it is no sandbox). Realms are
// reused, one instance at a time, while they stay exactly as they were found.
// Design notes: docs/0067-strategy-host-notes.md#srcstrategystrategy-realmts
import { constants, createContext, Script } from 'node:vm';
import { RealmSnapshot } from './realm-snapshot.ts';
import { WallClockRefused } from './wall-clock-guard.ts';

/** What a realm reads of its instance's run. */
export interface RealmHooks {
  /** The run's clock, epoch ms. */
  readonly now: () => number;
  /** The strategy's random stream, uniform in [0, 1). */
  readonly random: () => number;
}

/** What the set-up script hands back: the intrinsics no property leads to (the snapshot covers
 *  them too), and a reset of RegExp's legacy statics (RegExp.$1, lastMatch, input...). */
interface Installed {
  readonly unreachable: readonly object[];
  readonly resetRegExp: () => void;
}

type Installer = (
  global: object,
  now: () => number,
  random: () => number,
  origin: () => number,
  refuse: (what: string) => never,
  print: (level: string, args: unknown[]) => void,
) => Installed;

// Runs in the new realm, on its own intrinsics (captured before any module code runs).
const INSTALL = new Script(
  `(function install(g, now, random, origin, refuse, print) {
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
  set(g, 'performance', { now() { return now() - origin(); }, timeOrigin: origin() });
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
  const P = g.Object.getPrototypeOf;
  const generator = function* () {};
  const asyncGenerator = async function* () {};
  const segments = new g.Intl.Segmenter().segment('');
  const unreachable = [NativeDate, NativePromise, P([].values()), P(new g.Map().entries()), P(new g.Set().values()),
    P(''[g.Symbol.iterator]()), P(/(?:)/[g.Symbol.matchAll]('')), P(generator), P(asyncGenerator),
    P(async function () {}), P(segments), P(segments[g.Symbol.iterator]())];
  const exec = g.RegExp.prototype.exec;
  const apply = g.Reflect.apply;
  const empty = /(?:)/;
  const emptyArgs = [''];
  return { unreachable, resetRegExp() { apply(exec, empty, emptyArgs); } };
})`,
  { filename: 'execsim:strategy-realm' },
);

function refuse(what: string): never {
  throw new WallClockRefused(what);
}

/** A module's console output, every level, goes to stderr: stdout is the command's own (its
 *  report, or the JSON of `--json`, which a line of the module's would make unreadable). */
function print(_level: string, args: unknown[]): void {
  console.error(...args);
}

/** What a free realm reads (nothing runs there while it is free). */
const IDLE: RealmHooks = { now: () => 0, random: () => 0 };

/** A realm has at most this many instances, one after another, before it is dropped for a new
 *  one: what no snapshot shows (an async function's continuations waiting in the realm's
 *  microtask queue, which never runs) stays bounded. */
export const MAX_INSTANCES = 64;
/** A module keeps at most this many free realms per thread. */
const MAX_FREE = 2;

/** The module's wrapper as evaluated in a realm: one call, one instance of the module. */
type Wrapper = (require: (id: string) => unknown, filename: string, dirname: string) => ModuleExports;

/** The module's exports object, from its evaluation in a realm. */
export type ModuleExports = Record<string, unknown>;

/** A realm of one module: its global, the module's wrapper evaluated there, and the snapshot the
 *  realm must still match to be handed on. */
class Realm {
  instances = 0;

  private constructor(
    readonly state: { hooks: RealmHooks; origin: number },
    readonly wrapper: Wrapper,
    private readonly performance: object,
    private readonly snapshot: RealmSnapshot,
    private readonly resetRegExp: () => void,
  ) {}

  static create(script: Script, hooks: RealmHooks): Realm {
    const state = { hooks, origin: hooks.now() };
    const global = createContext(constants.DONT_CONTEXTIFY, {
      name: 'execsim strategy',
      codeGeneration: { strings: false, wasm: false },
      // Microtasks made in the realm wait in its own queue, which runs only after a script is
      // evaluated in it: after the two set-up scripts, never again.
      microtaskMode: 'afterEvaluate',
    });
    const installed = (INSTALL.runInContext(global) as Installer)(
      global,
      () => state.hooks.now(),
      () => state.hooks.random(),
      () => state.origin,
      refuse,
      print,
    );
    const wrapper = script.runInContext(global) as Wrapper;
    const snapshot = RealmSnapshot.take([global, wrapper, ...installed.unreachable]);
    const performance = (global as { performance: object }).performance;
    return new Realm(state, wrapper, performance, snapshot, installed.resetRegExp);
  }

  /** Readies the realm for an instance on `hooks`, if it is as its snapshot has it (else false:
   *  drop it). What the snapshot does not show is set as a new realm has it. */
  handOver(hooks: RealmHooks): boolean {
    if (!this.snapshot.unchanged()) return false;
    this.resetRegExp();
    this.state.hooks = hooks;
    this.state.origin = hooks.now();
    Reflect.defineProperty(this.performance, 'timeOrigin', { value: this.state.origin });
    this.snapshot.retake(this.performance, 'timeOrigin');
    return true;
  }
}

/** How a module's realms were had, in this thread. */
export interface RealmCounts {
  created: number;
  reused: number;
  dropped: number;
}

/**
 * A bundled module (CommonJS), compiled once, and its free realms in this thread. Each seat()
 * is one instance's place in a realm (a free one that is as it was, or a new one); evaluating
 * there calls the module's wrapper afresh, with `require` for its imports. Compiled once, its
 * functions' bytecode is shared by every realm it runs in.
 */
export class RealmModule {
  private readonly script: Script;
  private readonly free: Realm[] = [];
  readonly counts: RealmCounts = { created: 0, reused: 0, dropped: 0 };

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

  /** A realm for a new instance on `hooks`: a free one if one is as it was, else a new one. */
  seat(hooks: RealmHooks): RealmSeat {
    for (let realm = this.free.pop(); realm !== undefined; realm = this.free.pop()) {
      if (realm.handOver(hooks)) {
        this.counts.reused++;
        return new RealmSeat(this, realm, hooks);
      }
      this.counts.dropped++;
    }
    this.counts.created++;
    return new RealmSeat(this, Realm.create(this.script, hooks), hooks);
  }

  /** A realm whose instance ended: kept for the next one when `reusable`, else dropped. */
  take(realm: Realm, reusable: boolean): void {
    realm.state.hooks = IDLE;
    if (reusable && realm.instances < MAX_INSTANCES && this.free.length < MAX_FREE) this.free.push(realm);
    else this.counts.dropped++;
  }
}

/** Thrown into the host when it calls an instance that has ended (a bug of the host's). */
export class InstanceEnded extends Error {
  constructor() {
    super("the strategy's instance has ended: its code is not called again");
    this.name = 'InstanceEnded';
  }
}

const seats = new WeakMap<object, RealmSeat>();

/** The seat of the instance whose definition this is (load-strategy.ts made it), or null. */
export function seatOf(definition: object): RealmSeat | null {
  return seats.get(definition) ?? null;
}

/**
 * One instance's hold on a realm, from its evaluation until it ends. Every entry into the
 * instance's code (strategy-calls.ts, load-strategy.ts) goes through enter() and leave(), outside
 * the call's budget (a call stopped there unwinds no JavaScript between): the realm reads this
 * instance's hooks meanwhile, nested entries included, and an ended instance is refused.
 */
export class RealmSeat {
  private realm: Realm | null;
  private depth = 0;

  constructor(
    private readonly module: RealmModule,
    realm: Realm,
    private readonly hooks: RealmHooks,
  ) {
    this.realm = realm;
    realm.instances++;
  }

  /** Ties the seat to the definition read from its instance (seatOf). */
  bind(definition: object): void {
    seats.set(definition, this);
  }

  /** The realm reads this instance's hooks until leave(); returns what it read before. */
  enter(): RealmHooks {
    const realm = this.realm;
    if (realm === null) throw new InstanceEnded();
    this.depth++;
    const before = realm.state.hooks;
    realm.state.hooks = this.hooks;
    return before;
  }

  leave(before: RealmHooks): void {
    this.depth--;
    if (this.realm !== null) this.realm.state.hooks = before;
  }

  /** Runs the module's wrapper afresh in the realm (entered): a new instance's exports, the
   *  realm's objects (read them within a budget). */
  evaluate(require: (id: string) => unknown, filename: string, dirname: string): ModuleExports {
    if (this.realm === null) throw new InstanceEnded();
    return this.realm.wrapper(require, filename, dirname);
  }

  /** The instance ended and its code is never called again: the realm goes back to its module
   *  when `reusable` (nothing failed) and no call of it is under way, else it is dropped. */
  release(reusable: boolean): void {
    const realm = this.realm;
    if (realm === null) return;
    this.realm = null;
    this.module.take(realm, reusable && this.depth === 0);
  }
}
