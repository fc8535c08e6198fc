// What the host copies of a strategy's values: own enumerable data (never what a polluted
// prototype adds), getters run while copying (inside the call's budget), nothing deeper than
// asked, the host's own non-plain objects and functions as they are; and a thrown value as a
// message, whatever it is.
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  copyPlain,
  describeThrown,
  isThenable,
  MAX_ITEMS,
  MAX_KEYS,
  showPlain,
  TooBigToCopy,
  TooDeep,
} from './plain-copy.ts';
import { NotPlainData } from '../core/algo/decision-check.ts';

/** A value made in a realm of its own (as a strategy's are). */
const foreign = <T>(code: string): T => runInNewContext(code) as T;

describe('copyPlain', () => {
  it("copies a strategy's objects as the host's own plain data, own properties only", () => {
    const out = foreign<unknown>(`Object.prototype.reduceOnly = true;
      ({ side: 'buy', qty: 0.01, nested: [{ a: 1 }], get price() { return 5; } })`);
    const copy = copyPlain(out) as Record<string, unknown>;
    expect(copy).toEqual({ side: 'buy', qty: 0.01, nested: [{ a: 1 }], price: 5 });
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(copy.reduceOnly).toBeUndefined();
    expect(Object.getOwnPropertyNames(copyPlain(foreign('({ ["__proto__"]: 1 })')))).toEqual(['__proto__']);
  });

  it('stops at the depth asked, and keeps functions and the host’s own objects as they are', () => {
    const f = (): number => 1;
    const d = new Date(5);
    expect(copyPlain({ a: { b: { c: 1 } } }, 2)).toEqual({ a: { b: new TooDeep() } });
    expect(copyPlain([f, d])).toEqual([f, d]);
    expect((copyPlain([d]) as unknown[])[0]).toBe(d);
    expect(copyPlain(foreign('new Date(5)'))).toEqual({});
  });

  it("marks the strategy's objects that are not plain data there, when asked, for a check to refuse by name", () => {
    const [date, map, set, tracker, bare, plain] = foreign<unknown[]>(`class Tracker { constructor() { this.n = 1 } }
      [new Date(5), new Map([[1, 2]]), new Set([1]), new Tracker(), Object.create(null), JSON.parse('{"a":1}')]`);
    const marked = copyPlain({ date, map, set, tracker, bare, plain }, 4, false, true) as Record<string, unknown>;
    expect(marked).toEqual({
      date: new NotPlainData('a Date'),
      map: new NotPlainData('a Map'),
      set: new NotPlainData('a Set'),
      tracker: new NotPlainData('an instance of Tracker'),
      bare: {},
      plain: { a: 1 },
    });
    // Unasked, they are copied by their own properties, as before (a Date has none).
    expect(copyPlain({ date, tracker }, 4)).toEqual({ date: {}, tracker: { n: 1 } });
    // The host's own objects are left as they are either way.
    const d = new Date(5);
    expect((copyPlain([d], 4, false, true) as unknown[])[0]).toBe(d);
  });

  it('refuses a value past its bounds whole (never cuts it short), unless asked to cut it for a message', () => {
    const wide = Object.fromEntries(Array.from({ length: MAX_KEYS + 1 }, (_, i) => [`k${i}`, i]));
    const long = Array.from({ length: MAX_ITEMS + 1 }, (_, i) => i);
    expect(() => copyPlain({ memo: wide })).toThrow(TooBigToCopy);
    expect(() => copyPlain({ memo: wide })).toThrow(`an object of ${MAX_KEYS + 1} properties, more than the 64`);
    expect(() => copyPlain([long])).toThrow(`a list of ${MAX_ITEMS + 1} items, more than the 10000`);
    // At the bounds, whole.
    expect(Object.keys(copyPlain(Object.fromEntries(Object.entries(wide).slice(1))) as object)).toHaveLength(MAX_KEYS);
    expect(copyPlain(long.slice(1))).toHaveLength(MAX_ITEMS);
    expect(Object.keys(copyPlain(wide, 4, true) as object)).toHaveLength(MAX_KEYS);
    expect(describeThrown(wide)).toContain('"k0":0');
  });

  it('lets a getter throw (the caller records the failure)', () => {
    expect(() => copyPlain(foreign('({ get qty() { throw new Error("no") } })'))).toThrow('no');
  });

  it('finds a Promise of any realm', () => {
    expect(isThenable(foreign('Promise.resolve(1)'))).toBe(true);
    expect(isThenable({ then: 1 })).toBe(false);
    expect(isThenable(null)).toBe(false);
  });
});

describe('describeThrown', () => {
  it('names an error of any realm by its name and message', () => {
    expect(describeThrown(new Error('plain'))).toBe('plain');
    expect(describeThrown(foreign('new TypeError("x is not a function")'))).toBe('TypeError: x is not a function');
    expect(describeThrown(foreign('new Error("in its realm")'))).toBe('in its realm');
  });

  it('shows any other value as JSON, and never fails', () => {
    expect(describeThrown('boom')).toBe('"boom"');
    expect(describeThrown(foreign('({ code: 7 })'))).toBe('{"code":7}');
    expect(describeThrown(undefined)).toBe('undefined');
    expect(describeThrown(foreign('({ get message() { throw 1 } })'))).toBe('a thrown value that cannot be read');
    expect(describeThrown(new Error('x'.repeat(5_000)))).toHaveLength(1_001);
    expect(showPlain(() => 1)).toBe('a function');
  });
});
