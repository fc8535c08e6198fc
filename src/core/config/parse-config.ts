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

export function parseConfig<S extends z.ZodType>(schema: S, input: unknown, kind: ConfigKind): Readonly<z.output<S>> {
  const raw = input ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new kind.error(`${kind.label}: must be an object of fields ${kind.fields}`);
  const result = schema.safeParse(raw);
  if (result.success) return deepFreeze(result.data);
  const fieldIssues = result.error.issues.filter((i) => i.code !== 'custom');
  const issues = fieldIssues.length > 0 ? fieldIssues : result.error.issues;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  throw new kind.error(`${kind.label}: ${describe(issues[0] as z.core.$ZodIssue)}${more}`);
}
