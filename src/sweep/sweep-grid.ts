// Parameter grids of a sweep: axes like `twap.slices=5,10,20` (parsed and checked as keys and
// values here), every combination of their values a grid point, numbered in nested-loop order:
// the first axis varies slowest, the last fastest. Each point's scenario is scenario-grid.ts's.

/** One --grid flag: a key and the values it takes, as written. Plain data (JSON and
 *  structured-clone safe). */
export interface GridAxis {
  readonly key: string;
  readonly values: readonly string[];
}

/** The most points a grid may have (the product of its axes' value counts). */
export const MAX_GRID_POINTS = 1_000;
/** The most values one axis may have. */
export const MAX_AXIS_VALUES = 100;

/** A grid that cannot be run. The message names the flag (`--grid key=...`) and the problem, as
 *  the CLI prints it; `key` and `detail` say the same without the flag's syntax, for a caller
 *  that names fields its own way (the HTTP API's `grid.<key>`). */
export class GridError extends Error {
  override readonly name = 'GridError';
  constructor(
    message: string,
    /** The grid key the problem is about; null when it is about the grid as a whole (its size, a
     *  combination of values). */
    readonly key: string | null = null,
    /** The problem without the flag: `the value -1: market.sigma: ...`. */
    readonly detail: string = message,
  ) {
    super(message);
  }
}

/** The GridError of one axis: `where` is how the CLI names it (the flag), `problem` what is wrong. */
export const axisError = (where: string, key: string | null, problem: string): GridError =>
  new GridError(`${where}: ${problem}`, key, problem);

/** Parses one `--grid KEY=V1,V2,...` flag's text. */
export function parseGridFlag(text: string): GridAxis {
  const eq = text.indexOf('=');
  if (eq < 0) throw axisError(`--grid ${text}`, null, 'expected KEY=VALUE[,VALUE...], like twap.slices=5,10,20');
  return gridAxis(text.slice(0, eq).trim(), text.slice(eq + 1).split(','), `--grid ${text}`);
}

/** One axis from its key and its values as text (a --grid flag's, split at its commas, or the
 *  items of the HTTP API's `grid.<key>`): the key's form and the values' count, emptiness and
 *  uniqueness are checked here, for either; `where` names the axis in the messages. Values are
 *  trimmed, as the CLI's text around commas is. */
export function gridAxis(key: string, raw: readonly string[], where = `--grid ${key}`): GridAxis {
  if (!/^[A-Za-z0-9_.-]+$/.test(key) || key.split('.').some((s) => s === ''))
    throw axisError(where, key, `"${key}" is not a dotted key like twap.slices`);
  const values = raw.map((v) => v.trim());
  if (values.some((v) => v === ''))
    throw new GridError(`${where}: an empty value (values are separated by single commas)`, key, 'an empty value');
  // A flag's values are split at commas, so a value with one could not be given on the command
  // line, and its settings label (`key=a,b`) would read as two values.
  const comma = values.find((v) => v.includes(','));
  if (comma !== undefined) throw axisError(where, key, `the value ${comma} has a comma (one value per item)`);
  if (values.length > MAX_AXIS_VALUES)
    throw axisError(`--grid ${key}`, key, `${values.length} values, at most ${MAX_AXIS_VALUES}`);
  const dup = values.find((v, i) => values.indexOf(v) !== i);
  if (dup !== undefined) throw axisError(`--grid ${key}`, key, `the value ${dup} is given twice`);
  return { key, values };
}

/** The number of points of a grid (1 for no axes). */
export function gridPointCount(grid: readonly GridAxis[]): number {
  return grid.reduce((n, a) => n * a.values.length, 1);
}

/** The value index on each axis of point `point` (the last axis varies fastest). */
export function gridCoordinates(grid: readonly GridAxis[], point: number): number[] {
  const out = new Array<number>(grid.length);
  let rest = point;
  for (let k = grid.length - 1; k >= 0; k--) {
    const n = (grid[k] as GridAxis).values.length;
    out[k] = rest % n;
    rest = Math.floor(rest / n);
  }
  return out;
}

/** A point's settings, one per axis: key and value as written. */
export interface GridSetting {
  readonly key: string;
  readonly value: string;
}

export function gridSettings(grid: readonly GridAxis[], point: number): GridSetting[] {
  const at = gridCoordinates(grid, point);
  return grid.map((a, k) => ({ key: a.key, value: a.values[at[k] as number] as string }));
}

/** `twap.slices=5, twap.duration=PT30M` (or `base` for no settings). */
export const settingsLabel = (settings: readonly GridSetting[]): string =>
  settings.length === 0 ? 'base' : settings.map((s) => `${s.key}=${s.value}`).join(', ');
