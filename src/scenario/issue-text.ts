// Turns schema issues into the messages a scenario author reads: a missing field "is required"
// (with its choices), an unknown field names the field it most likely meant ("did you mean
// side?"), a bad choice lists the choices. The known fields come from walking the schema along
// the issue's path, so every strict object of every section gets suggestions without listing
// its fields twice.
import type { z } from 'zod';

type Schema = z.core.$ZodType;
type Key = string | number;

interface Def {
  readonly type: string;
  readonly shape?: Record<string, Schema>;
  readonly element?: Schema;
  readonly items?: readonly Schema[];
  readonly valueType?: Schema;
  readonly options?: readonly Schema[];
  readonly innerType?: Schema;
  readonly in?: Schema;
  readonly getter?: () => Schema;
}

const defOf = (s: Schema): Def => s._zod.def as unknown as Def;

/** The object schemas `schema` may be at this value (wrappers removed, union options kept). */
function objectsOf(schema: Schema, value: unknown, depth = 0): Schema[] {
  if (depth > 20) return [];
  const d = defOf(schema);
  if (d.type === 'object') return [schema];
  if (d.innerType) return objectsOf(d.innerType, value, depth + 1);
  if (d.type === 'pipe' && d.in) return objectsOf(d.in, value, depth + 1);
  if (d.type === 'lazy' && d.getter) return objectsOf(d.getter(), value, depth + 1);
  if (d.type === 'union' && d.options) {
    const all = d.options.flatMap((o) => objectsOf(o, value, depth + 1));
    // A discriminated union: the option the value's discriminator names, when it names one.
    const disc = (schema._zod.def as { discriminator?: string }).discriminator;
    if (disc !== undefined && value !== null && typeof value === 'object') {
      const tag = (value as Record<string, unknown>)[disc];
      const picked = all.filter((o) => {
        const lit = defOf(o).shape?.[disc];
        const values = lit ? (lit._zod.def as { values?: readonly unknown[] }).values : undefined;
        return values?.includes(tag) ?? false;
      });
      if (picked.length > 0) return picked;
    }
    return all;
  }
  return [];
}

/** The schema of the child `key` of a value matched by `schema`. */
function childSchemas(schema: Schema, value: unknown, key: Key, depth = 0): Schema[] {
  if (depth > 20) return [];
  const d = defOf(schema);
  if (d.innerType) return childSchemas(d.innerType, value, key, depth + 1);
  if (d.type === 'pipe' && d.in) return childSchemas(d.in, value, key, depth + 1);
  if (d.type === 'lazy' && d.getter) return childSchemas(d.getter(), value, key, depth + 1);
  if (d.type === 'array' && d.element) return [d.element];
  if (d.type === 'tuple' && d.items && typeof key === 'number') return d.items[key] ? [d.items[key]] : [];
  if (d.type === 'record' && d.valueType) return [d.valueType];
  if (d.type === 'object' && d.shape && typeof key === 'string') return d.shape[key] ? [d.shape[key]] : [];
  if (d.type === 'union')
    return objectsOf(schema, value, depth + 1).flatMap((o) => childSchemas(o, value, key, depth + 1));
  return [];
}

/** The input value at `path` (undefined where it is absent). */
function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** The field names the object at `path` may have, per the schema. */
function knownKeysAt(schema: Schema, root: unknown, path: readonly PropertyKey[]): string[] {
  let here: Schema[] = [schema];
  let value = root;
  for (const k of path) {
    if (typeof k === 'symbol') return [];
    here = here.flatMap((s) => childSchemas(s, value, k));
    value = valueAt(value, [k]);
  }
  const keys = new Set<string>();
  for (const s of here)
    for (const o of objectsOf(s, value)) for (const k of Object.keys(defOf(o).shape ?? {})) keys.add(k);
  return [...keys];
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] as number;
      prev[j] = Math.min(up + 1, (prev[j - 1] as number) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length] as number;
}

/** The known field an unknown one most likely meant: same letters ignoring case, or at most a
 *  third of its letters off (at least one); null when nothing is that close. */
function closestKey(unknown: string, known: readonly string[]): string | null {
  const lower = unknown.toLowerCase();
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    const d = k.toLowerCase() === lower ? 0 : editDistance(lower, k.toLowerCase());
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best !== null && bestD <= Math.max(1, Math.floor(unknown.length / 3)) ? best : null;
}

/** `unknown field "sid" (did you mean "side"?)`, for one or more keys. */
function unknownFields(keys: readonly string[], known: readonly string[], present: readonly string[] = []): string {
  // A field already given is not what a misspelling meant ("sid" next to "id" meant "side").
  const candidates = known.filter((n) => !keys.includes(n) && !present.includes(n));
  const named = keys.map((k) => {
    const near = closestKey(k, candidates);
    return `"${k}"${near === null ? '' : ` (did you mean "${near}"?)`}`;
  });
  return `unknown field${keys.length > 1 ? 's' : ''} ${named.join(', ')}`;
}

const choices = (values: readonly unknown[]): string => values.map((v) => String(v)).join(', ');

/** The message of one issue, given the schema and the input it was checked against. */
export function describeIssue(issue: z.core.$ZodIssue, schema: Schema, input: unknown): string {
  const value = valueAt(input, issue.path);
  const absent = value === undefined && issue.path.length > 0 && !(issue.code === 'custom');
  switch (issue.code) {
    case 'unrecognized_keys':
      return unknownFields(
        issue.keys,
        knownKeysAt(schema, input, issue.path),
        value !== null && typeof value === 'object' ? Object.keys(value) : [],
      );
    case 'invalid_value':
      if (absent) return `is required (one of ${choices(issue.values)})`;
      return issue.message.startsWith('Invalid option')
        ? `must be one of ${choices(issue.values)}, not ${JSON.stringify(value)}`
        : issue.message;
    case 'invalid_union': {
      const options = (issue as { options?: readonly unknown[] }).options;
      if (absent) return options ? `is required (one of ${choices(options)})` : 'is required';
      if (options && issue.message.startsWith('Invalid discriminator'))
        return `must be one of ${choices(options)}, not ${JSON.stringify(value)}`;
      // A union of object forms: name fields none of its forms has.
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        const known = knownKeysAt(schema, input, issue.path);
        const unknown = Object.keys(value).filter((k) => !known.includes(k));
        if (known.length > 0 && unknown.length > 0)
          return `${issue.message}; ${unknownFields(unknown, known, Object.keys(value))}`;
      }
      return issue.message;
    }
    case 'invalid_type':
      if (absent) return 'is required';
      if (!issue.message.startsWith('Invalid input')) return issue.message;
      return issue.expected === 'int'
        ? `must be a whole number, not ${describeValue(value)}`
        : `must be ${article(issue.expected)}, not ${describeValue(value)}`;
    case 'too_big':
    case 'too_small': {
      // zod's default wording ("Too big: expected number to be <=10") as a bound.
      if (!/^Too (big|small)/.test(issue.message)) return issue.message;
      const big = issue.code === 'too_big';
      const bound = Number(big ? issue.maximum : issue.minimum);
      const rel = big ? (issue.inclusive ? 'at most' : 'less than') : issue.inclusive ? 'at least' : 'greater than';
      if (issue.origin === 'array' || issue.origin === 'string')
        return `must have ${rel} ${bound} ${issue.origin === 'array' ? 'entries' : 'characters'}`;
      return `must be ${rel} ${bound}${typeof value === 'number' ? `, not ${value}` : ''}`;
    }
    default:
      return issue.message;
  }
}

function article(what: string): string {
  return /^[aeiou]/.test(what) ? `an ${what}` : `a ${what}`;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return `the ${typeof v} ${String(v)}`;
}
