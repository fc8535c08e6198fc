// An empty key (`safety:` with nothing under it, which YAML reads as null) means the same as
// leaving the key out, wherever leaving it out is allowed: the section's defaults. Deleting the
// last line under a section must not turn a file that ran into one that is refused. Where the
// schema takes null itself (`reconciliation.periodMs: null` turns passes off, a breaker limit
// `null` turns it off), null keeps that meaning; where the key is required, null stays and the
// schema refuses it ("must be an object, not null").
import { z } from 'zod';
import { childSchemas, type Schema } from './schema-walk.ts';

/** Whether the field may be left out but not be null: an empty key there means "left out". */
function emptyMeansAbsent(fields: readonly Schema[]): boolean {
  return fields.length > 0 && fields.every((f) => z.safeParse(f, undefined).success && !z.safeParse(f, null).success);
}

/** A copy of `value` without the empty keys that mean "left out" under `schema`. */
export function withoutEmptyKeys(schema: Schema, value: unknown): unknown {
  return strip([schema], value);
}

function strip(schemas: readonly Schema[], value: unknown): unknown {
  if (Array.isArray(value))
    return value.map((v, i) =>
      strip(
        schemas.flatMap((s) => childSchemas(s, value, i)),
        v,
      ),
    );
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const fields = schemas.flatMap((s) => childSchemas(s, value, k));
    if (v === null && emptyMeansAbsent(fields)) continue;
    // Defined, not assigned: a key named __proto__ stays a key (and is refused as unknown).
    Object.defineProperty(out, k, { value: strip(fields, v), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
