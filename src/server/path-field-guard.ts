// Scenario text sent over HTTP may name replay recordings (market.files, and each further
// instrument's otherInstruments[N].market.files), which validation opens to check them and a run
// reads, and strategy and algorithm modules (strategy.module, a swap_strategy action's module, the
// algorithms section's paths, an order's or a signal's algo.path), which loading runs. Paths there
// are resolved from the scenarios directory and must stay inside it, so a request cannot probe the
// server's file system (does /x exist, is it a file, what does it record: a replay's error quotes
// the line it could not read) nor run code from it. The paths are read from the YAML the same way
// the loader reads them (from the one parse of the text), before the loader touches any of them.
// pathFields lists every such field in one place, so a sweep's grid values (which write into the
// text) are checked by the same list (outsideValueErrors).
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { FieldError } from './problem.ts';

/** What a path field names: a recording the replay reads, or code the loader runs. */
type PathKind = 'replay' | 'strategy' | 'algorithm';

const WHAT: Readonly<Record<PathKind, string>> = {
  replay: 'replay files',
  strategy: 'a strategy module',
  algorithm: 'an algorithm module',
};

interface PathField {
  /** Where it is in the scenario, as a problem names it (otherInstruments[0].market.files[1]). */
  readonly path: string;
  readonly value: string;
  readonly kind: PathKind;
}

const entries = (v: unknown): Array<[number, unknown]> => (Array.isArray(v) ? [...v.entries()] : []);
const field = (v: unknown, key: string): unknown =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined;

/** Every field of a scenario's parsed YAML that names a file, with its text (fields that are not
 *  text are left to the schema). */
function pathFields(raw: object | null): PathField[] {
  const out: PathField[] = [];
  const add = (path: string, value: unknown, kind: PathKind): void => {
    if (typeof value === 'string') out.push({ path, value, kind });
  };
  const replayFiles = (at: string, market: unknown): void => {
    for (const [i, f] of entries(field(market, 'files'))) add(`${at}.files[${i}]`, f, 'replay');
  };
  replayFiles('market', field(raw, 'market'));
  for (const [k, o] of entries(field(raw, 'otherInstruments')))
    replayFiles(`otherInstruments[${k}].market`, field(o, 'market'));
  add('strategy.module', field(field(raw, 'strategy'), 'module'), 'strategy');
  for (const [i, a] of entries(field(raw, 'actions'))) add(`actions[${i}].module`, field(a, 'module'), 'strategy');
  const algorithms = field(raw, 'algorithms');
  if (algorithms !== null && typeof algorithms === 'object' && !Array.isArray(algorithms))
    for (const [name, d] of Object.entries(algorithms)) add(`algorithms.${name}.path`, field(d, 'path'), 'algorithm');
  for (const section of ['orders', 'signals'] as const)
    for (const [i, o] of entries(field(raw, section)))
      add(`${section}[${i}].algo.path`, field(field(o, 'algo'), 'path'), 'algorithm');
  return out;
}

/** Whether `f`, resolved from `dir`, lies outside it (or is `dir` itself). */
function outside(f: string, dir: string): boolean {
  const rel = relative(dir, resolve(dir, f));
  return rel === '' || rel.split(sep)[0] === '..' || isAbsolute(rel);
}

/** A problem for each field of a scenario's parsed YAML (`raw`, as parseYamlMapping reads it)
 *  whose path lies outside `dir` (none: every path is inside it). */
export function outsidePathErrors(raw: object | null, dir: string): FieldError[] {
  const message = (kind: PathKind, value: string): string =>
    `over HTTP, ${WHAT[kind]} must be inside the scenarios directory (paths relative to it); ` +
    `${JSON.stringify(value)} is not`;
  return pathFields(raw).flatMap(({ path, value, kind }) =>
    outside(value, dir) ? [{ path, message: message(kind, value) }] : [],
  );
}

/** The problem of writing `value` at `at` (a path into the scenario's YAML, as a sweep's grid
 *  writes its values) when that is a path field and the value lies outside `dir`; null when not. */
export function outsideValueError(at: ReadonlyArray<string | number>, value: unknown, dir: string): FieldError | null {
  // The field alone in an otherwise empty document: pathFields finds it where the scenario would have it.
  let doc: unknown = value;
  for (let k = at.length - 1; k >= 0; k--) {
    const key = at[k] as string | number;
    if (typeof key === 'number') {
      const list: unknown[] = new Array<unknown>(key + 1).fill(null);
      list[key] = doc;
      doc = list;
    } else doc = { [key]: doc };
  }
  if (doc === null || typeof doc !== 'object') return null;
  return outsidePathErrors(doc, dir)[0] ?? null;
}
