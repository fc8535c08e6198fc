// Whether an execution algorithm's decision is well formed (its intents, wake-up, memo and done
// flag), checked whole before any of it is carried out: the runner (intent-runner.ts) stops the
// parent with the reason this returns instead of carrying out part of a malformed decision.

import { canonicalJson } from '../log/canonical-json.ts';

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof NotPlainData);
/** What a value that should have been an object was instead, when it was not data at all. */
const insteadOf = (v: unknown): string => (v instanceof NotPlainData ? ` (not ${v.what})` : '');

/** The most a memo may hold: its JSON, in characters (64 KiB of ASCII). It is logged each time it
 *  changes and handed back at every decision, so a memo is state to resume from, not a store. */
export const MAX_MEMO_CHARS = 65_536;

/** Stands for an object of an algorithm's own realm that is not plain data (a Date, a Map, a
 *  class's instance): the copy out of that realm (plain-copy.ts) puts one in its place, so the
 *  memo's check refuses it by what it was instead of taking it as the {} its own properties make. */
export class NotPlainData {
  constructor(
    /** What it was: 'a Date', 'an instance of Tracker'. */
    readonly what: string,
  ) {}

  toJSON(): string {
    return `(${this.what})`;
  }
}

/** Where a value is in the memo: `memo.a.b`, `memo.list[2]`, `memo["odd key"]` (a long key cut). */
function pathTo(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  const k = key.length > 40 ? `${key.slice(0, 40)}…` : key;
  return /^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`;
}

/** What an object is, by its tag (read without running any code of its own but a toStringTag
 *  getter's): 'a Date', 'a Map', 'an ArrayBuffer'; an object of a class: 'an instance of NAME'. */
export function describeObject(v: object): string {
  const tag = Object.prototype.toString.call(v).slice(8, -1);
  if (tag !== 'Object') return `${/^[AEIOU]/.test(tag) ? 'an' : 'a'} ${tag}`;
  const proto: unknown = Object.getPrototypeOf(v);
  const ctor: unknown = proto === null ? undefined : Object.getOwnPropertyDescriptor(proto, 'constructor')?.value;
  const name = typeof ctor === 'function' ? Object.getOwnPropertyDescriptor(ctor, 'name')?.value : undefined;
  return typeof name === 'string' && name !== '' ? `an instance of ${name.slice(0, 40)}` : 'an object of a class';
}

/** What a value that is not JSON is, for a message: 'a function', 'a Date', 'undefined'. */
function whatIs(v: unknown): string {
  if (v instanceof NotPlainData) return v.what;
  if (typeof v === 'function') return 'a function';
  if (typeof v !== 'object' || v === null) return typeof v;
  return describeObject(v);
}

/** Whether `v` (at `path`) is JSON a memo may hold (plain objects and arrays of strings, finite
 *  numbers, booleans and null), to a depth: the reason it is not, or null. `size` adds up at least
 *  the characters its JSON takes (its commas and escapes left out), and the walk stops once that
 *  is past MAX_MEMO_CHARS, so a memo far too big is refused without being written out. */
function jsonProblem(v: unknown, path: string, depth: number, size: { n: number }): string | null {
  if (depth > 32) return 'memo: nested deeper than 32';
  if (size.n > MAX_MEMO_CHARS) return tooBig(size.n, true);
  if (v === null || typeof v === 'boolean') {
    size.n += 4;
    return null;
  }
  if (typeof v === 'string') {
    size.n += v.length + 2;
    return null;
  }
  if (typeof v === 'number') {
    size.n += 1;
    return Number.isFinite(v) ? null : `${path}: ${String(v)} is not a finite number`;
  }
  if (Array.isArray(v)) {
    size.n += 2;
    for (let i = 0; i < v.length; i++) {
      const p = jsonProblem(v[i], pathTo(path, i), depth + 1, size);
      if (p !== null) return p;
    }
    return null;
  }
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    size.n += 2;
    for (const [k, x] of Object.entries(v as object)) {
      size.n += k.length + 3;
      const p = jsonProblem(x, pathTo(path, k), depth + 1, size);
      if (p !== null) return p;
    }
    return null;
  }
  const hint =
    typeof v === 'object' ? ' (plain objects, lists, strings, numbers, booleans, null: a time as epoch ms)' : '';
  return `${path}: ${whatIs(v)} is not JSON${hint}`;
}

const tooBig = (chars: number, atLeast: boolean): string =>
  `memo: its JSON is ${atLeast ? 'at least ' : ''}${chars} characters long, more than the ${MAX_MEMO_CHARS} a memo may hold`;

/** Why a memo cannot be kept, or null: not JSON (naming where in it), or too big. */
function memoProblem(memo: unknown): string | null {
  const size = { n: 0 };
  const p = jsonProblem(memo, 'memo', 0, size);
  if (p !== null) return p;
  if (size.n > MAX_MEMO_CHARS) return tooBig(size.n, true);
  // The count above leaves out escapes: the memo's own JSON says how long it is.
  const chars = canonicalJson(memo).length;
  return chars > MAX_MEMO_CHARS ? tooBig(chars, false) : null;
}

/** A peg's offset, in ticks either way: as far as a scenario's or a request's offsets go. */
export const MAX_PEG_OFFSET_TICKS = 100_000;

/** The intents one decision may hold: each new child is stored on its own before it is sent, so
 *  a decision's work grows with them while the node's thread answers nothing else. */
export const MAX_INTENTS = 1_000;

function pegProblem(peg: unknown, at: string): string | null {
  if (!isObject(peg)) return `${at}.peg must be an object${insteadOf(peg)}`;
  if (peg.to !== 'touch' && peg.to !== 'mid' && peg.to !== 'far') return `${at}.peg.to must be touch, mid or far`;
  if (peg.offsetTicks !== undefined && !isInt(peg.offsetTicks)) return `${at}.peg.offsetTicks must be whole ticks`;
  if (peg.offsetTicks !== undefined && Math.abs(peg.offsetTicks) > MAX_PEG_OFFSET_TICKS)
    return `${at}.peg.offsetTicks must be at most ${MAX_PEG_OFFSET_TICKS} ticks either way, got ${peg.offsetTicks}`;
  return null;
}

/**
 * Why a decision is not well formed, or null: checked whole before any of it is carried out.
 * `known` says whether a handle names one of the parent's children.
 */
export function checkDecision(d: unknown, now: number, known: (handle: number) => boolean): string | null {
  if (!isObject(d)) return `the decision must be an object ({ intents, wakeAt, memo, done })${insteadOf(d)}`;
  for (const key of Object.keys(d))
    if (key !== 'intents' && key !== 'wakeAt' && key !== 'memo' && key !== 'done')
      return `unknown field ${key} (intents, wakeAt, memo, done)`;
  if (d.intents !== undefined && !Array.isArray(d.intents)) return 'intents must be an array';
  if (d.wakeAt !== undefined && d.wakeAt !== null) {
    if (typeof d.wakeAt !== 'number' || !Number.isFinite(d.wakeAt)) return 'wakeAt must be a time (epoch ms)';
    if (d.wakeAt <= now) return `wakeAt ${d.wakeAt} is not after now (${now})`;
  }
  if (d.done !== undefined && typeof d.done !== 'boolean') return 'done must be true or false';
  if (d.memo !== undefined) {
    const p = memoProblem(d.memo);
    if (p !== null) return p;
  }
  const intents = (d.intents ?? []) as unknown[];
  if (intents.length > MAX_INTENTS)
    return `intents: ${intents.length} in one decision, at most ${MAX_INTENTS} (decide again when it wakes)`;
  for (let i = 0; i < intents.length; i++) {
    const it = intents[i];
    const at = `intents[${i}]`;
    if (!isObject(it)) return `${at} must be an object${insteadOf(it)}`;
    if (it.kind === 'place') {
      if (!isInt(it.qty) || it.qty <= 0) return `${at}.qty must be a positive whole number of lots`;
      if (it.type !== 'market' && it.type !== 'limit') return `${at}.type must be market or limit`;
      if (it.type === 'limit') {
        if ((it.price === undefined) === (it.peg === undefined)) return `${at}: a limit needs a price or a peg`;
        if (it.price !== undefined && (!isInt(it.price) || it.price <= 0))
          return `${at}.price must be a positive whole number of ticks`;
        if (it.peg !== undefined) {
          const p = pegProblem(it.peg, at);
          if (p !== null) return p;
        }
        if (it.tif !== undefined && it.tif !== 'GTC' && it.tif !== 'IOC' && it.tif !== 'DAY')
          return `${at}.tif must be GTC, IOC or DAY`;
      } else if (it.price !== undefined || it.peg !== undefined) return `${at}: a market child takes no price`;
    } else if (it.kind === 'cancel' || it.kind === 'replace') {
      if (!isInt(it.child) || !known(it.child)) return `${at}.child ${String(it.child)} names no child of this parent`;
      if (it.kind === 'replace') {
        if (it.qty !== undefined && (!isInt(it.qty) || it.qty <= 0))
          return `${at}.qty must be a positive whole number of lots`;
        if (it.price !== undefined && it.peg !== undefined) return `${at}: a price or a peg, not both`;
        if (it.price !== undefined && (!isInt(it.price) || it.price <= 0))
          return `${at}.price must be a positive whole number of ticks`;
        if (it.peg !== undefined) {
          const p = pegProblem(it.peg, at);
          if (p !== null) return p;
        }
      }
    } else return `${at}.kind must be place, cancel or replace`;
  }
  return null;
}
