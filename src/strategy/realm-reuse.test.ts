// A module's realms are reused, one instance at a time, and the reuse is invisible: whatever ran
// before in the thread, each instance sees exactly what it would see in a realm of its own (its
// clock, its random draws, module state from zero, intrinsics and globals as a new realm has
// them); a realm an instance changed, or whose instance failed, is dropped for a new one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InstanceEnded, RealmModule, type RealmHooks, type RealmSeat } from './strategy-realm.ts';

// What an instance sees, as text: its clock and draws (through what it kept at import too), its
// module state, and the realm's intrinsics and globals that the changes below touch. No probe
// leans on another: one that a change broke reads as what it threw.
const PROBES = `
const importedNow = Date.now, importedRandom = Math.random, importedPerformance = performance, ImportedDate = Date;
let created = 0;
created++;
const probes = {
  clock: () => [Date.now(), importedNow(), new Date().getTime(), new ImportedDate().getTime(), Date(),
    performance.now(), importedPerformance.now(), performance.timeOrigin].join('|'),
  random: () => Math.random() + '|' + importedRandom(),
  created: () => created,
  math: () => Math.round(1.4) + '|' + Math.floor(1.5) + '|' + Math.max.cache + '|' + Reflect.ownKeys(Math).map(String).join(),
  objectPrototype: () => ({}).qty + '|' + Object.keys(Object.prototype).join() + '|' + Object.getOwnPropertyNames(Object.prototype).join(),
  globals: () => Reflect.ownKeys(globalThis).map(String).join() + '|' + typeof globalThis.cache,
  arrays: () => [3, 1, 2].map((x) => x * 2).join() + '|' + [...[1, 2]].length + '|' + Reflect.ownKeys(Array.prototype).map(String).join(),
  shapes: () => [Object.isFrozen(Math), Object.isExtensible(globalThis), Object.isExtensible(Object.prototype),
    Object.getPrototypeOf(Array.prototype) === Object.prototype].join(),
  dates: () => new Date(5).getTime() + '|' + Reflect.ownKeys(Date.prototype).map(String).join(),
  regexp: () => [RegExp.input, RegExp.lastMatch, RegExp.lastParen, RegExp.leftContext, RegExp.rightContext, RegExp.$1, RegExp.$2].join('|'),
  errors: () => Error.stackTraceLimit + '|' + typeof Error.prepareStackTrace,
  iterators: () => Reflect.ownKeys(Object.getPrototypeOf([].values())).map(String).join(),
  generators: () => Reflect.ownKeys(Object.getPrototypeOf(function* () {}).prototype).map(String).join(),
  console: () => Object.keys(console).join(),
};
exports.observe = () => {
  const out = [];
  for (const k in probes) {
    let v;
    try { v = String(probes[k]()); } catch (e) { v = 'threw ' + (e && e.name); }
    out[out.length] = k + '=' + v;
  }
  return out;
};
`;

// Ways a module changes its realm, each one the snapshot must catch (or the realm reset).
const CHANGES = [
  'Math.round = (x) => x * 2',
  'Object.prototype.qty = 999',
  'delete Array.prototype.map',
  'globalThis.cache = { kept: created }',
  'Object.freeze(Math)',
  'Date.prototype.getTime = function () { return 1; }',
  'Math.max.cache = 1',
  "/(x)(y)/.exec('axyb'); RegExp.input = 'set'",
  'Error.stackTraceLimit = 0; Error.prepareStackTrace = () => "s"',
  'Object.setPrototypeOf(Array.prototype, null)',
  "Object.defineProperty(Object.prototype, 'locked', { value: 1, enumerable: true })",
  'performance.timeOrigin = 1',
  'Object.getPrototypeOf([].values()).next = () => ({ done: true })',
  "const d = Object.getOwnPropertyDescriptor(Math, 'abs'); delete Math.abs; Object.defineProperty(Math, 'abs', d)",
  'Object.getPrototypeOf(function* () {}).prototype.extra = 1',
  'console.extra = 1',
  'Object.preventExtensions(globalThis)',
  'if (wrapper) wrapper.kept = created',
];

/** Sloppy: reaches its own wrapper through Function.caller, and changes its realm when asked. */
const CHANGING = `${PROBES}
const body = (function f() { return f.caller; })();
const wrapper = body && body.caller;
probes.wrapper = () => String(wrapper && wrapper.kept);
const changes = [${CHANGES.map((c) => `() => { ${c}; }`).join(',\n')}];
exports.change = (k) => changes[k]();
`;

/** Strict, and writes a global as it loads: its realm is never handed on. */
const GLOBAL_WRITER = `'use strict';
globalThis.loads = (globalThis.loads || 0) + 1;
${PROBES}
probes.loads = () => globalThis.loads;
exports.change = () => undefined;
`;

/** A seeded stream of draws (each instance its own). */
function stream(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Instance {
  readonly seat: RealmSeat;
  readonly exports: { observe(): string[]; change(k: number): void } | null;
  readonly loadError: string | null;
}

/** Runs `work` entered in `seat`, as the host does; what it returned as host strings, or what it threw. */
function inSeat(seat: RealmSeat, work: () => unknown): string[] | string {
  const before = seat.enter();
  try {
    const out = work() as ArrayLike<unknown> | undefined;
    if (out === undefined) return [];
    const copy: string[] = [];
    for (let i = 0; i < out.length; i++) copy.push(String(out[i]));
    return copy;
  } catch (err) {
    return `threw ${(err as Error).name}`;
  } finally {
    seat.leave(before);
  }
}

function start(module: RealmModule, hooks: RealmHooks): Instance {
  const seat = module.seat(hooks);
  let exports: Instance['exports'] = null;
  const loaded = inSeat(seat, () => {
    exports = seat.evaluate(() => null, 'fixture.js', '.') as unknown as Instance['exports'];
  });
  return { seat, exports, loadError: typeof loaded === 'string' ? loaded : null };
}

const CODES = [CHANGING, GLOBAL_WRITER];

type Op =
  | {
      readonly kind: 'start';
      readonly slot: number;
      readonly module: number;
      readonly t0: number;
      readonly seed: number;
    }
  | { readonly kind: 'observe'; readonly slot: number; readonly dt: number }
  | { readonly kind: 'change'; readonly slot: number; readonly change: number }
  | { readonly kind: 'end'; readonly slot: number; readonly failed: boolean };

const slot = fc.integer({ min: 0, max: 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('start' as const),
      slot,
      module: fc.constantFrom(0, 0, 0, 1),
      t0: fc.integer({ min: 0, max: 4e12 }),
      seed: fc.integer(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('observe' as const),
      slot,
      dt: fc.double({ min: 0, max: 1e6, noNaN: true }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('change' as const),
      slot,
      change: fc.integer({ min: 0, max: CHANGES.length - 1 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('end' as const), slot, failed: fc.boolean() }) },
);

describe("a module's realms", () => {
  it('hand each instance, after any others, exactly what a realm of its own would show', () => {
    const totals = { created: 0, reused: 0, dropped: 0 };
    fc.assert(
      fc.property(fc.array(op, { minLength: 4, maxLength: 24 }), (ops) => {
        // The realms under test, reused across the sequence; each twin runs in a new realm.
        const modules = CODES.map((code, i) => new RealmModule(code, `fixture-${i}.js`));
        const live: Array<{ reused: Instance; fresh: Instance; clock: { t: number } } | null> = [null, null];
        const end = (i: number, failed: boolean): void => {
          const pair = live[i];
          if (!pair) return;
          pair.reused.seat.release(!failed);
          pair.fresh.seat.release(!failed);
          live[i] = null;
        };
        for (const o of ops) {
          const pair = live[o.slot];
          if (o.kind === 'start') {
            end(o.slot, false);
            const clock = { t: o.t0 };
            const hooks = (): RealmHooks => ({ now: () => clock.t, random: stream(o.seed) });
            const reused = start(modules[o.module] as RealmModule, hooks());
            const fresh = start(new RealmModule(CODES[o.module] as string, `fixture-${o.module}.js`), hooks());
            expect(reused.loadError).toBe(fresh.loadError);
            live[o.slot] = { reused, fresh, clock };
          } else if (o.kind === 'end') end(o.slot, o.failed);
          else if (pair?.reused.exports && pair.fresh.exports) {
            const [a, b] = [pair.reused.exports, pair.fresh.exports];
            if (o.kind === 'observe') pair.clock.t += o.dt;
            else
              expect(inSeat(pair.reused.seat, () => a.change(o.change))).toEqual(
                inSeat(pair.fresh.seat, () => b.change(o.change)),
              );
            expect(inSeat(pair.reused.seat, () => a.observe())).toEqual(inSeat(pair.fresh.seat, () => b.observe()));
          }
        }
        end(0, false);
        end(1, false);
        for (const m of modules) for (const k of ['created', 'reused', 'dropped'] as const) totals[k] += m.counts[k];
      }),
      { numRuns: 100 },
    );
    // Not vacuous: realms were handed on, and changed ones dropped.
    expect(totals.reused).toBeGreaterThan(20);
    expect(totals.dropped).toBeGreaterThan(20);
  }, 120_000);

  it('hand an ended instance’s realm to the next one, and refuse the ended instance', () => {
    const module = new RealmModule(CHANGING, 'fixture.js');
    const hooks: RealmHooks = { now: () => 1_000, random: () => 0.5 };
    const first = start(module, hooks);
    first.seat.release(true);
    expect(() => first.seat.enter()).toThrow(InstanceEnded);
    const second = start(module, hooks);
    expect(module.counts).toEqual({ created: 1, reused: 1, dropped: 0 });
    // Module state starts anew: the wrapper is called afresh.
    expect(inSeat(second.seat, () => second.exports?.observe())).toContain('created=1');
    second.seat.release(true);
  });

  it('give two live instances two realms, each on its own clock and draws', () => {
    const module = new RealmModule(CHANGING, 'fixture.js');
    const a = start(module, { now: () => 1_000, random: () => 0.25 });
    const b = start(module, { now: () => 2_000, random: () => 0.75 });
    expect(module.counts.created).toBe(2);
    inSeat(a.seat, () => a.exports?.change(0));
    const seen = (i: Instance) =>
      (inSeat(i.seat, () => i.exports?.observe()) as string[]).filter((l) => /^(clock|random|math)=/.test(l));
    expect(seen(b)).toEqual(
      seen(start(new RealmModule(CHANGING, 'fixture.js'), { now: () => 2_000, random: () => 0.75 })),
    );
    expect(seen(a)[0]).toMatch(/^clock=1000\|1000\|1000\|1000\|/);
    expect(seen(a)[2]).toMatch(/^math=2\.8\|/);
  });

  it('reset what no property shows: RegExp.$1 and its kin, performance.timeOrigin', () => {
    const module = new RealmModule(CHANGING, 'fixture.js');
    const first = start(module, { now: () => 1_000, random: () => 0 });
    inSeat(first.seat, () => first.exports?.change(7));
    first.seat.release(true);
    const read = (i: Instance) =>
      (inSeat(i.seat, () => i.exports?.observe()) as string[]).filter((l) => /^(clock|regexp)=/.test(l));
    const second = start(module, { now: () => 5_000, random: () => 0 });
    expect(module.counts.reused).toBe(1);
    expect(read(second)).toEqual(
      read(start(new RealmModule(CHANGING, 'fixture.js'), { now: () => 5_000, random: () => 0 })),
    );
    expect(read(second)[1]).toBe('regexp=||||||');
    expect(read(second)[0]).toMatch(/\|0\|0\|5000$/);
  });

  it('drop a realm its instance changed, or whose instance failed', () => {
    const module = new RealmModule(CHANGING, 'fixture.js');
    const hooks: RealmHooks = { now: () => 0, random: () => 0 };
    const changed = start(module, hooks);
    inSeat(changed.seat, () => changed.exports?.change(1));
    changed.seat.release(true);
    const failed = start(module, hooks);
    expect(module.counts).toEqual({ created: 2, reused: 0, dropped: 1 });
    failed.seat.release(false);
    start(module, hooks);
    expect(module.counts).toEqual({ created: 3, reused: 0, dropped: 2 });
  });
});
