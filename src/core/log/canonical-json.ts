// Canonical JSON: object keys sorted, no whitespace, integers only as numbers. The digest is a
// hash of this text, so two runs that produced the same events produce the same bytes no matter
// in which order their code happened to build the objects.
// Written into one growing string (no per-key arrays, closures or joined pieces): every event of
// every run goes through here on its way into the log's digest. A run logs objects of a few dozen
// shapes (the same keys in the same order) thousands of times each, so each shape's sorted keys,
// quoted with their colons, are worked out once and found again by walking a tree of its keys in
// the order the object has them; a string with nothing to escape is quoted without a call.
export function canonicalJson(value: unknown): string {
  return write('', value, null);
}
/** The canonical JSON of an object without one of its keys (an event without its kind), with
 *  no copy of the object made to leave the key out. */
export function canonicalJsonWithout(value: object, omit: string): string {
  return write('', value, omit);
}

/** Objects of one shape (the same keys in the same insertion order): their keys sorted, and
 *  each sorted key quoted with its colon, as text and as UTF-8 (canonical-bytes.ts). */
export interface Plan {
  /** The keys in the shape's insertion order. */
  readonly order: string[];
  readonly keys: string[];
  readonly heads: string[];
  readonly headBytes: Uint8Array[];
}
interface ShapeNode {
  plan: Plan | null;
  readonly next: Map<string, ShapeNode>;
}
/** The shapes seen, as a tree of keys in insertion order; bounded, and a shape past the bound is
 *  sorted each time as before. */
const root: ShapeNode = { plan: null, next: new Map() };
let shapes = 0;
const MAX_SHAPES = 4096;

/** The shape last seen for each first key: most objects are of the shape their first key had last
 *  time (a run logs the same few shapes over and over), checked key by key without a lookup. */
const lastByFirstKey = new Map<string, Plan>();
const lastByKind = new Map<string, Plan>();

const utf8 = new TextEncoder();

/** The plan of an object with these own keys (in insertion order), or null past the bound of
 *  remembered shapes (then the caller sorts the keys itself). */
export function planOf(keys: string[], kind?: string): Plan | null {
  const first = keys[0];
  if (first === undefined) return null;
  // Events all start with `kind`: their last shape is remembered per kind.
  const cache = kind === undefined ? lastByFirstKey : lastByKind;
  const key = kind === undefined ? first : kind;
  const last = cache.get(key);
  if (last !== undefined && sameKeys(last.order, keys)) return last;
  const plan = planInTree(keys);
  if (plan !== null && cache.size < MAX_SHAPES) cache.set(key, plan);
  return plan;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function planInTree(keys: string[]): Plan | null {
  let node = root;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    let n = node.next.get(k);
    if (n === undefined) {
      if (shapes >= MAX_SHAPES) return null;
      n = { plan: null, next: new Map() };
      node.next.set(k, n);
      shapes++;
    }
    node = n;
  }
  if (node.plan === null) {
    const sorted = [...keys].sort();
    const heads = sorted.map((k) => JSON.stringify(k) + ':');
    node.plan = {
      order: [...keys],
      keys: sorted,
      heads,
      headBytes: heads.map((h) => utf8.encode(h)),
    };
  }
  return node.plan;
}

/** What JSON.stringify would escape in a string (a quote, a backslash, a control character) or
 *  may (a surrogate, escaped when unpaired). Control characters are what it looks for. */
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function write(out: string, value: unknown, omit: string | null): string {
  switch (typeof value) {
    case 'string':
      return NEEDS_ESCAPE.test(value) ? out + JSON.stringify(value) : out + '"' + value + '"';
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`non-finite number ${value} in a log payload`);
      // JSON writes a finite number as its ToString (-0 as "0"): the same text, without a call.
      return out + value;
    case 'boolean':
      return out + (value ? 'true' : 'false');
    case 'object': {
      if (value === null) return out + 'null';
      if (Array.isArray(value)) {
        out += '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          // A hole is written as nothing, as Array.prototype.map and join leave it.
          if (i in value) out = write(out, value[i], null);
        }
        return out + ']';
      }
      const obj = value as Record<string, unknown>;
      const own = Object.keys(obj);
      const plan = planOf(own);
      const keys = plan ? plan.keys : own.sort();
      out += '{';
      let first = true;
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i] as string;
        const v = obj[k];
        if (v === undefined || k === omit) continue;
        if (!first) out += ',';
        first = false;
        out = write(out + (plan ? (plan.heads[i] as string) : JSON.stringify(k) + ':'), v, null);
      }
      return out + '}';
    }
    default:
      throw new Error(`cannot put a ${typeof value} in a log payload`);
  }
}
