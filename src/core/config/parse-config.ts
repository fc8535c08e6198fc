// One way to validate a component's config (fill detection, circuit breaker, pre-trade limits,
// signal dedup): undefined means all defaults; anything else must be an object of fields; a bad
// one throws the component's error with one message naming the first bad field ("fill config:
// pollMaxMs: must not be below pollInitialMs (and 1 more problem)"). Field problems are reported
// before cross-field ones, which also run on fields that already failed. The result is frozen.
import type { z } from 'zod';

function describe(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys')
    return `${path ? `${path}: ` : ''}unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return `${path || '(top level)'}: ${issue.message}`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

export interface ConfigKind {
  /** "fill config", "breaker config" ... the message prefix. */
  readonly label: string;
  /** Named in the message when the input is not an object: "(timeoutMs, pollInitialMs, ...)". */
  readonly fields: string;
  readonly error: new (message: string) => Error;
}

/** Configs already parsed, per schema: the all-defaults one (no input), and those of inputs that
 *  can never change (deeply frozen, as a loaded scenario is). A sweep builds every component for
 *  every path from the same scenario; each config is parsed once. Results are frozen too, so one
 *  is safely shared. Only successes are kept: a bad input throws its message every time. */
const DEFAULTS = new WeakMap<z.ZodType, unknown>();
const PARSED = new WeakMap<z.ZodType, WeakMap<object, unknown>>();

/** `{}` (a caller's "no fields"): parsed exactly as no input is. */
function isEmptyRecord(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.getPrototypeOf(value) === Object.prototype &&
    Reflect.ownKeys(value).length === 0
  );
}

/** The value and everything in it is frozen: it can never change. */
export function isDeeplyFrozen(value: unknown): boolean {
  if (!value || typeof value !== 'object') return true;
  if (!Object.isFrozen(value)) return false;
  for (const v of Object.values(value)) if (!isDeeplyFrozen(v)) return false;
  return true;
}

export function parseConfig<S extends z.ZodType>(schema: S, input: unknown, kind: ConfigKind): Readonly<z.output<S>> {
  if (input === undefined || input === null || isEmptyRecord(input)) {
    const known = DEFAULTS.get(schema);
    if (known !== undefined) return known as Readonly<z.output<S>>;
    const parsed = parseFresh(schema, {}, kind);
    DEFAULTS.set(schema, parsed);
    return parsed;
  }
  if (typeof input !== 'object' || !isDeeplyFrozen(input)) return parseFresh(schema, input, kind);
  let bySchema = PARSED.get(schema);
  if (bySchema === undefined) PARSED.set(schema, (bySchema = new WeakMap()));
  const known = bySchema.get(input);
  if (known !== undefined) return known as Readonly<z.output<S>>;
  const parsed = parseFresh(schema, input, kind);
  bySchema.set(input, parsed);
  return parsed;
}

function parseFresh<S extends z.ZodType>(schema: S, raw: unknown, kind: ConfigKind): Readonly<z.output<S>> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new kind.error(`${kind.label}: must be an object of fields ${kind.fields}`);
  const result = schema.safeParse(raw);
  if (result.success) return deepFreeze(result.data);
  const fieldIssues = result.error.issues.filter((i) => i.code !== 'custom');
  const issues = fieldIssues.length > 0 ? fieldIssues : result.error.issues;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  throw new kind.error(`${kind.label}: ${describe(issues[0] as z.core.$ZodIssue)}${more}`);
}
