// Where two plain values first differ, compared as vitest's toEqual compares them: primitives by
// Object.is, arrays element by element, objects by their own keys with defined values (their
// prototypes aside). For lists of a hundred thousand records (a day's replay messages), where
// toEqual's general matcher takes several times as long, and far longer in a worker whose heap
// other files have filled; a difference is named by its path with both values.

/** A value as a difference shows it: numbers as they are (-0 and NaN too), the rest as JSON. */
const show = (v: unknown): string =>
  typeof v === 'number' ? (Object.is(v, -0) ? '-0' : String(v)) : (JSON.stringify(v) ?? String(v));

/** A difference found below the top: what differs, and the path to it, innermost step first
 *  (built only once a difference is found). */
interface Found {
  readonly what: string;
  readonly steps: string[];
}

function differ(actual: unknown, expected: unknown): Found | null {
  if (Object.is(actual, expected)) return null;
  if (typeof actual !== 'object' || typeof expected !== 'object' || actual === null || expected === null)
    return { what: `${show(actual)} (expected ${show(expected)})`, steps: [] };
  const isArray = Array.isArray(actual);
  if (isArray !== Array.isArray(expected)) return { what: `${show(actual)} (expected ${show(expected)})`, steps: [] };
  if (isArray) {
    const a = actual as unknown[];
    const e = expected as unknown[];
    if (a.length !== e.length) return { what: `${a.length} (expected ${e.length})`, steps: ['.length'] };
    for (let i = 0; i < a.length; i++) {
      const found = differ(a[i], e[i]);
      if (found !== null) {
        found.steps.push(`[${i}]`);
        return found;
      }
    }
    return null;
  }
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  let defined = 0;
  for (const k in e) {
    if (!Object.hasOwn(e, k) || e[k] === undefined) continue;
    defined++;
    if (!Object.hasOwn(a, k) || a[k] === undefined)
      return { what: `missing (expected ${show(e[k])})`, steps: [`.${k}`] };
    const found = differ(a[k], e[k]);
    if (found !== null) {
      found.steps.push(`.${k}`);
      return found;
    }
  }
  // Every key `expected` defines is in `actual` with an equal value: any other is one too many.
  let ours = 0;
  for (const k in a) if (Object.hasOwn(a, k) && a[k] !== undefined) ours++;
  if (ours !== defined)
    for (const k in a)
      if (Object.hasOwn(a, k) && a[k] !== undefined && (!Object.hasOwn(e, k) || e[k] === undefined))
        return { what: `${show(a[k])} (expected none)`, steps: [`.${k}`] };
  return null;
}

/** The first difference between `actual` and `expected` ("$[12].bids[3]: 101 (expected 100)"),
 *  or null when they are equal. */
export function firstDifference(actual: unknown, expected: unknown): string | null {
  const found = differ(actual, expected);
  return found === null ? null : `$${found.steps.reverse().join('')}: ${found.what}`;
}
