// Whether an execution algorithm's decision is well formed (its intents, wake-up, memo and done
// flag), checked whole before any of it is carried out: the runner (intent-runner.ts) stops the
// parent with the reason this returns instead of carrying out part of a malformed decision.

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether `v` is JSON a memo may hold (plain objects and arrays of strings, finite numbers,
 *  booleans and null), to a depth: the reason it is not, or null. */
function jsonProblem(v: unknown, depth = 0): string | null {
  if (depth > 32) return 'nested deeper than 32';
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return null;
  if (typeof v === 'number') return Number.isFinite(v) ? null : `${String(v)} is not a finite number`;
  if (Array.isArray(v)) {
    for (const x of v) {
      const p = jsonProblem(x, depth + 1);
      if (p !== null) return p;
    }
    return null;
  }
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    for (const x of Object.values(v as object)) {
      const p = jsonProblem(x, depth + 1);
      if (p !== null) return p;
    }
    return null;
  }
  return `${typeof v === 'function' ? 'a function' : typeof v} is not JSON`;
}

/** A peg's offset, in ticks either way: as far as a scenario's or a request's offsets go. */
export const MAX_PEG_OFFSET_TICKS = 100_000;

/** The intents one decision may hold: each new child is stored on its own before it is sent, so
 *  a decision's work grows with them while the node's thread answers nothing else. */
export const MAX_INTENTS = 1_000;

function pegProblem(peg: unknown, at: string): string | null {
  if (!isObject(peg)) return `${at}.peg must be an object`;
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
  if (!isObject(d)) return 'the decision must be an object ({ intents, wakeAt, memo, done })';
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
    const p = jsonProblem(d.memo);
    if (p !== null) return `memo: ${p}`;
  }
  const intents = (d.intents ?? []) as unknown[];
  if (intents.length > MAX_INTENTS)
    return `intents: ${intents.length} in one decision, at most ${MAX_INTENTS} (decide again when it wakes)`;
  for (let i = 0; i < intents.length; i++) {
    const it = intents[i];
    const at = `intents[${i}]`;
    if (!isObject(it)) return `${at} must be an object`;
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
