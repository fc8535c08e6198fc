// A strategy's parameters as the file gives them against what its schema made of them: a key the
// schema did not keep (a non-strict zod object drops unknown keys silently) is a misspelt or
// stale parameter, which would otherwise leave the strategy on its default without a word. The
// check is on the result, so it holds for any schema with safeParse: a key kept by a strict,
// passthrough or record schema passes; only plain objects are compared (a schema that turns
// its input into something else is left alone), at any depth, lists item by item.
import { closestKey } from '../core/config/closest-key.ts';

/** A key given that the parsed parameters do not keep: its path, and what it most likely meant. */
export interface DroppedKey {
  readonly path: readonly (string | number)[];
  readonly meant: string | null;
}

const isPlain = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === null || proto === Object.prototype;
};

/** The first key of `given` (depth first, in the file's order) that `parsed` dropped; null when
 *  every key was kept. Both must be the host's own plain data. */
export function droppedKey(
  given: unknown,
  parsed: unknown,
  path: readonly (string | number)[] = [],
): DroppedKey | null {
  if (isPlain(given) && isPlain(parsed)) {
    const givenKeys = Object.keys(given);
    for (const k of givenKeys) {
      if (!Object.prototype.hasOwnProperty.call(parsed, k)) {
        // A key given already is not what a misspelling meant.
        const candidates = Object.keys(parsed).filter((p) => !givenKeys.includes(p));
        return { path: [...path, k], meant: closestKey(k, candidates) };
      }
      const inner = droppedKey(given[k], parsed[k], [...path, k]);
      if (inner) return inner;
    }
  } else if (Array.isArray(given) && Array.isArray(parsed) && given.length === parsed.length) {
    for (let i = 0; i < given.length; i++) {
      const inner = droppedKey(given[i], parsed[i], [...path, i]);
      if (inner) return inner;
    }
  }
  return null;
}
