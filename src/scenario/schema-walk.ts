// Walks a zod schema beside the value it checks: the object schemas a value may be matched by
// (wrappers removed, a discriminated union's option picked by the value's tag) and the schema of
// a child. The messages of a scenario's problems use it to name the fields an object may have,
// and the loader to tell which fields may be left out.
import type { z } from 'zod';

export type Schema = z.core.$ZodType;
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
export function childSchemas(schema: Schema, value: unknown, key: Key, depth = 0): Schema[] {
  if (depth > 20) return [];
  const d = defOf(schema);
  if (d.innerType) return childSchemas(d.innerType, value, key, depth + 1);
  if (d.type === 'pipe' && d.in) return childSchemas(d.in, value, key, depth + 1);
  if (d.type === 'lazy' && d.getter) return childSchemas(d.getter(), value, key, depth + 1);
  if (d.type === 'array' && d.element) return [d.element];
  if (d.type === 'tuple' && d.items && typeof key === 'number') return d.items[key] ? [d.items[key]] : [];
  if (d.type === 'record' && d.valueType) return [d.valueType];
  // Own fields only: a key named __proto__ or toString is not a field of the shape object.
  if (d.type === 'object' && d.shape && typeof key === 'string')
    return Object.hasOwn(d.shape, key) ? [d.shape[key] as Schema] : [];
  if (d.type === 'union')
    return objectsOf(schema, value, depth + 1).flatMap((o) => childSchemas(o, value, key, depth + 1));
  return [];
}

/** The input value at `path` (undefined where it is absent). */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = Object.hasOwn(v, k) ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  }
  return v;
}

/** The schemas the value at `path` may be checked by (several where a union leaves it open). */
function schemasAt(schema: Schema, root: unknown, path: readonly PropertyKey[]): Schema[] {
  let here: Schema[] = [schema];
  let value = root;
  for (const k of path) {
    if (typeof k === 'symbol') return [];
    here = here.flatMap((s) => childSchemas(s, value, k));
    value = valueAt(value, [k]);
  }
  return here;
}

/** The field names the object at `path` may have, per the schema. */
export function knownKeysAt(schema: Schema, root: unknown, path: readonly PropertyKey[]): string[] {
  const value = valueAt(root, path);
  const keys = new Set<string>();
  for (const s of schemasAt(schema, root, path))
    for (const o of objectsOf(s, value)) for (const k of Object.keys(defOf(o).shape ?? {})) keys.add(k);
  return [...keys];
}
