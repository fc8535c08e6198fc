// What a strategy hands the host (its outputs, its handlers, what it throws, its parsed
// parameters), copied into plain data of the host's own realm. Reading a strategy's object may run
// the strategy's code (a getter, a Proxy's trap, a toString), so the copy is made inside the
// call's time budget, and afterwards the host reads only its copy: no strategy code runs outside
// a budget, and a strategy that polluted its own realm's prototypes (Object.prototype.qty = 999)
// hands over only what it wrote on the object itself (own enumerable properties).
import { isNativeError } from 'node:util/types';
import { describeObject, NotPlainData } from '../core/algo/decision-check.ts';

/** The most properties an object, and items a list, handed over may hold (past them: TooBigToCopy). */
export const MAX_KEYS = 64;
export const MAX_ITEMS = 10_000;

/** A value past what a copy takes (MAX_KEYS, MAX_ITEMS): refused whole, never cut short, so
 *  nothing a strategy or an algorithm handed over is silently lost. */
export class TooBigToCopy extends Error {}

/** Stands for a value nested deeper than the copy goes: an object to the host's checks. */
export class TooDeep {
  toJSON(): string {
    return '(nested too deep)';
  }
}

/**
 * A copy of `value` as plain data: primitives as they are, lists and the strategy's objects
 * copied (own enumerable properties) down to `depth` levels, below which a TooDeep stands in.
 * An object of more than MAX_KEYS properties or a list of more than MAX_ITEMS items throws
 * TooBigToCopy, or with `cut` (for a message about a value) is copied that far. With `mark`, an
 * object of the strategy's realm that is not plain data there (a Date, a Map, a class's instance)
 * becomes a NotPlainData naming it, for a check to refuse, instead of its own properties (a
 * Date's are none: it would become {}). Functions are
 * kept as they are: the host never calls one it did not ask for (a handler), and never reads a
 * property of one.
 */
export function copyPlain(value: unknown, depth = 4, cut = false, mark = false): unknown {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return value;
  if (typeof value === 'function') return value;
  if (depth <= 0) return new TooDeep();
  if (Array.isArray(value)) {
    if (value.length > MAX_ITEMS && !cut)
      throw new TooBigToCopy(`a list of ${value.length} items, more than the ${MAX_ITEMS} a value may hold`);
    const n = Math.min(value.length, MAX_ITEMS);
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(copyPlain(value[i], depth - 1, cut, mark));
    return out;
  }
  // The host's own objects that are not plain data (a Date, a class's instance) are left as they
  // are: nothing of the strategy runs when the host reads them.
  if (value instanceof Object && Object.getPrototypeOf(value) !== Object.prototype) return value;
  if (mark && !plainOfItsRealm(value)) return new NotPlainData(describeForeign(value));
  const out: Record<string, unknown> = {};
  const all = Object.keys(value);
  if (all.length > MAX_KEYS && !cut)
    throw new TooBigToCopy(`an object of ${all.length} properties, more than the ${MAX_KEYS} a value may hold`);
  const keys = all.slice(0, MAX_KEYS);
  for (const k of keys)
    Object.defineProperty(out, k, {
      value: copyPlain((value as Record<string, unknown>)[k], depth - 1, cut, mark),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out;
}

/** Whether an object of another realm is plain data there: made by `{}` or JSON.parse (its
 *  prototype is its realm's Object.prototype, whose own prototype is null), or with none. */
function plainOfItsRealm(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** What an object of another realm is, read inside the call's budget (a toStringTag getter of the
 *  strategy's may run, and may throw). */
function describeForeign(value: object): string {
  try {
    return describeObject(value);
  } catch {
    return 'an object that is not plain data';
  }
}

/** Whether a value is a Promise (anything with a then method), read once. */
export function isThenable(value: unknown): boolean {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  // Looks for a Promise to refuse it, never awaits one.
  // eslint-disable-next-line no-restricted-syntax
  return typeof (value as { then?: unknown }).then === 'function';
}

/** Whether a value is an async function (or async generator) of any realm: its result would be a
 *  Promise, which a strategy's synchronous calls refuse. */
export function isAsyncFunction(value: unknown): boolean {
  if (typeof value !== 'function') return false;
  const tag = Object.prototype.toString.call(value);
  return tag === '[object AsyncFunction]' || tag === '[object AsyncGeneratorFunction]';
}

/** A thrown value as the failure's message: `Name: message` for an error of any realm (just the
 *  message for a plain Error), else the value shown as JSON; never more than 1,000 characters. */
export function describeThrown(err: unknown): string {
  let text: string;
  try {
    if (isNativeError(err) || err instanceof Error) {
      const { name, message } = err as { name?: unknown; message?: unknown };
      const shown = typeof message === 'string' ? message : String(message);
      text = typeof name === 'string' && name !== 'Error' ? `${name}: ${shown}` : shown;
    } else {
      text = showPlain(copyPlain(err, 4, true));
    }
  } catch {
    text = 'a thrown value that cannot be read';
  }
  return text.length > 1_000 ? `${text.slice(0, 1_000)}…` : text;
}

/** A copied value as a short text: 'undefined', 'a function', or its JSON. */
export function showPlain(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'symbol') return 'a symbol';
  return JSON.stringify(v) ?? String(v);
}
