// Turns schema issues into the messages a scenario author reads: a missing field "is required"
// (with its choices), an unknown field names the field it most likely meant ("did you mean
// side?"), a bad choice lists the choices. The known fields come from walking the schema along
// the issue's path, so every strict object of every section gets suggestions without listing
// its fields twice.
import type { z } from 'zod';
import { closestKey } from '../core/config/closest-key.ts';
import { knownKeysAt, valueAt, type Schema } from './schema-walk.ts';

export { closestKey, editDistance } from '../core/config/closest-key.ts';

/** The known field each unknown key most likely meant, or null. A field already given is not
 *  what a misspelling meant ("sid" next to "id" meant "side"). */
function meant(keys: readonly string[], known: readonly string[], present: readonly string[]): Array<string | null> {
  const candidates = known.filter((n) => !keys.includes(n) && !present.includes(n));
  return keys.map((k) => closestKey(k, candidates));
}

/** `unknown field "sid" (did you mean "side"?)`, for one or more keys. */
function unknownFields(keys: readonly string[], known: readonly string[], present: readonly string[] = []): string {
  const near = meant(keys, known, present);
  const named = keys.map((k, i) => `"${k}"${near[i] == null ? '' : ` (did you mean "${near[i]}"?)`}`);
  return `unknown field${keys.length > 1 ? 's' : ''} ${named.join(', ')}`;
}

/** The fields an unrecognized_keys issue's keys most likely meant (those it suggests). */
export function meantFields(issue: z.core.$ZodIssue, schema: Schema, input: unknown): string[] {
  if (issue.code !== 'unrecognized_keys') return [];
  const value = valueAt(input, issue.path);
  const present = value !== null && typeof value === 'object' ? Object.keys(value) : [];
  return meant(issue.keys, knownKeysAt(schema, input, issue.path), present).filter((k) => k !== null);
}

const choices = (values: readonly unknown[]): string => values.map((v) => String(v)).join(', ');

/** A union's issue in zod's own words ("Invalid input") as the issues of the one option the
 *  value's shape fits, at their own paths: `latency.orderEntry: { ms: "25" }` is a problem of
 *  `orderEntry.ms`, not an invalid orderEntry. An option fits when none of its problems is the
 *  value itself (a number where a mapping was given, another literal), unknown keys aside. Any
 *  other issue, or a union with no such option or several, is kept as it is. */
export function withUnionOption(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union' || issue.message !== 'Invalid input') return [issue];
  const fits = issue.errors.filter((option) =>
    option.every((i) => i.path.length > 0 || i.code === 'unrecognized_keys'),
  );
  const [only] = fits;
  if (fits.length !== 1 || only === undefined || only.length === 0) return [issue];
  return only.flatMap((i) => withUnionOption({ ...i, path: [...issue.path, ...i.path] } as z.core.$ZodIssue));
}

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
    case 'invalid_key': {
      // A record's key: zod says "Invalid key in record"; the key's own check says what is wrong.
      const inner = issue.issues[0]?.message;
      return inner === undefined ? issue.message : `key ${JSON.stringify(issue.path.at(-1))}: ${inner}`;
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
