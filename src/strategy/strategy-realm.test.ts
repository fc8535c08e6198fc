// A strategy's realm: its Date and performance read the run's clock, Math.random the run's stream,
// its timers and Promise are refused, its microtasks never run, it has none of Node's globals nor
// eval, and what it does to its own globals stays in it.
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { RealmModule } from './strategy-realm.ts';

/** Evaluates `body` (a module's code) in a new realm on `now` and `random`; returns its exports. */
function evaluate(body: string, now: () => number = () => 0, random: () => number = () => 0.5) {
  return new RealmModule(body, 'test-module.js').seat({ now, random }).evaluate(
    () => {
      throw new Error('no require here');
    },
    'test-module.js',
    '.',
  );
}

describe("a strategy's realm", () => {
  it("reads the run's clock through Date, Date.now, Date() and performance, whatever time it is", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 4e12, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        (t0, dt) => {
          let t = t0;
          const exp = evaluate(
            `exports.read = () => [Date.now(), new Date().getTime(), Date(), performance.now(), new Date(5).getTime(),
            new Date() instanceof Date, Date.UTC(2024, 0, 1), typeof Date.parse('2024-01-01T00:00:00Z')];`,
            () => t,
          ) as { read(): unknown[] };
          t = t0 + dt;
          const [now, fromNew, text, perf, given, isDate, utc, parsed] = exp.read();
          expect(now).toBe(Math.floor(t));
          expect(fromNew).toBe(Math.floor(t));
          expect(text).toBe(new Date(Math.floor(t)).toString());
          expect(perf).toBeCloseTo(t - t0, 6);
          expect([given, isDate, utc, parsed]).toEqual([5, true, Date.UTC(2024, 0, 1), 'number']);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('keeps Date a class: subclasses read the clock too', () => {
    const exp = evaluate(
      'class Stamp extends Date { label() { return "at " + this.getTime(); } } exports.s = () => new Stamp().label();',
      () => 1234.9,
    ) as { s(): string };
    expect(exp.s()).toBe('at 1234');
  });

  it("draws Math.random from the run's stream", () => {
    const draws = [0.25, 0.75];
    const exp = evaluate(
      'const r = Math.random; exports.d = () => [r(), Math.random()];',
      undefined,
      () => draws.shift() ?? 0,
    ) as { d(): number[] };
    expect(exp.d()).toEqual([0.25, 0.75]);
  });

  it('refuses timers and Promise, naming them', () => {
    const exp = evaluate(
      `exports.run = (code) => { try { ({ setTimeout: () => setTimeout(() => 0, 1), setInterval: () => setInterval(() => 0, 1),
         setImmediate: () => setImmediate(() => 0), queueMicrotask: () => queueMicrotask(() => 0),
         'Promise.resolve': () => Promise.resolve(1), 'new Promise': () => new Promise(() => 0),
         instanceof: () => ({}) instanceof Promise })[code](); return 'ran'; }
       catch (e) { return e.message.split(':')[0]; } };`,
    ) as { run(code: string): string };
    for (const what of ['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'Promise.resolve'])
      expect(exp.run(what)).toBe(`${what} reads or waits for the wall clock`);
    expect(exp.run('new Promise')).toBe('a Promise reads or waits for the wall clock');
    // Asking whether something is a Promise makes none.
    expect(exp.run('instanceof')).toBe('ran');
  });

  it('never runs what an async function does after its first await', async () => {
    const seen: string[] = [];
    const exp = evaluate('exports.go = async (tell) => { tell("before"); await null; tell("after"); };') as {
      go(tell: (s: string) => void): unknown;
    };
    exp.go((s) => seen.push(s));
    // The host's own microtasks and a turn of its event loop come and go.
    await Promise.resolve();
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(['before']);
  });

  it("has none of Node's globals, no eval, no garbage-collector callbacks, no Atomics.wait", () => {
    const exp = evaluate(
      `exports.kinds = [typeof process, typeof Buffer, typeof global, typeof WeakRef, typeof FinalizationRegistry,
        typeof Atomics.wait, typeof structuredClone, typeof fetch];
       exports.attempt = (f) => { try { return f(); } catch (e) { return e.message; } };
       exports.evalIt = () => exports.attempt(() => eval('1'));
       exports.fn = () => exports.attempt(() => new Function('return 1')());
       exports.req = () => exports.attempt(() => require('node:fs'));`,
    ) as { kinds: string[]; evalIt(): unknown; fn(): unknown; req(): unknown };
    expect(exp.kinds).toEqual(Array(8).fill('undefined'));
    expect(exp.evalIt()).toMatch(/Code generation from strings disallowed/);
    expect(exp.fn()).toMatch(/Code generation from strings disallowed/);
    // Its require is the loader's, which hands out only what a strategy shares with its host.
    expect(exp.req()).toBe('no require here');
  });

  it('keeps what a module does to its globals in its realm', () => {
    const exp = evaluate(
      `Math.round = (x) => x * 2; Object.prototype.qty = 999; Array.prototype.push = () => 0;
       exports.round = Math.round(1.4); exports.qty = ({}).qty;`,
    ) as { round: number; qty: number };
    expect([exp.round, exp.qty]).toEqual([2.8, 999]);
    expect(Math.round(1.4)).toBe(1);
    expect(({} as { qty?: number }).qty).toBeUndefined();
    const fresh = evaluate('exports.round = Math.round(1.4); exports.qty = ({}).qty;') as {
      round: number;
      qty: unknown;
    };
    expect([fresh.round, fresh.qty]).toEqual([1, undefined]);
  });

  it("prints through the host's console, to stderr at every level", () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const exp = evaluate('exports.say = () => { console.log("hello", 1); console.warn("careful"); };') as {
        say(): void;
      };
      exp.say();
      expect(log).not.toHaveBeenCalled();
      expect(error.mock.calls).toEqual([['hello', 1], ['careful']]);
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  });
});
