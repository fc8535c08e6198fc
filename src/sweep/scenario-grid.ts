// Each grid point's scenario: the sweep's YAML with the point's settings written in, validated by
// the scenario schema like any file (ScenarioGrid). The axes come resolved from grid-keys.ts
// (which keys a grid may set, and where each writes); a value is typed by the field, then the
// whole scenario goes through the schema, so a value is refused with the schema's own reason
// (docs/0020-sweeps-on-worker-threads.md).
import { parseDocument, type Document } from 'yaml';
import { algoSchema } from '../scenario/execution-schema.ts';
import { placementSchema } from '../scenario/placement-schema.ts';
import { parseScenario, ScenarioError, type LoadedScenario } from '../scenario/load-scenario.ts';
import { resolveGrid, type DocPath, type ResolvedAxis } from './grid-keys.ts';
import {
  gridCoordinates,
  GridError,
  gridPointCount,
  gridSettings,
  settingsLabel,
  type GridAxis,
} from './sweep-grid.ts';

/** Each kind's fields, as the algo block's schema states them: what prune keeps. */
const ALGO_TAKES: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  algoSchema.options.map((o) => [o.shape.kind.value, Object.keys(o.shape).filter((k) => k !== 'kind')]),
);
/** Each kind's fields, as the placement block's schema states them. */
const PLACEMENT_TAKES: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  placementSchema.options.map((o) => [o.shape.kind.value, Object.keys(o.shape).filter((k) => k !== 'kind')]),
);

/** The latency shorthand `ack: 10` as the full form, so one of its fields can be set. */
function expandLatency(doc: Document, path: DocPath): void {
  if (path[0] !== 'venue' || path[1] !== 'latency' || path.length !== 4) return;
  const at = path.slice(0, 3);
  const v: unknown = doc.getIn(at);
  if (typeof v === 'number') doc.setIn(at, doc.createNode({ ms: v, jitterMs: 0 }));
}

/** The YAML text of `text` with `settings` (value index per resolved axis) written in. */
function variantText(text: string, axes: readonly ResolvedAxis[], at: readonly number[]): string {
  // Repeated keys are left to the loader, which reads every variant (in one pass: the package's own
  // check compares each key with every other).
  const doc = parseDocument(text, { uniqueKeys: false });
  axes.forEach((a, k) => {
    const value = a.typed[at[k] as number];
    for (const t of a.targets) {
      expandLatency(doc, t.path);
      if (t.alternative && doc.hasIn(t.alternative)) doc.deleteIn(t.alternative);
      doc.setIn(t.path, value);
    }
  });
  for (const a of axes)
    for (const t of a.targets) {
      if (t.algoBlock) prune(doc, t.algoBlock, ALGO_TAKES);
      if (t.placementBlock) prune(doc, t.placementBlock, PLACEMENT_TAKES);
    }
  return doc.toString();
}

/** Drops the fields of an algo or placement block that its kind does not take (an unknown kind
 *  is left for the schema to refuse). */
function prune(doc: Document, block: DocPath, table: Readonly<Record<string, readonly string[]>>): void {
  const kind: unknown = doc.getIn([...block, 'kind']);
  if (typeof kind !== 'string' || !Object.hasOwn(table, kind)) return;
  const takes = table[kind] as readonly string[];
  const every = new Set(Object.values(table).flat());
  for (const field of every)
    if (!takes.includes(field) && doc.hasIn([...block, field])) doc.deleteIn([...block, field]);
}

/** The problem lines of a scenario error without the file name each starts with. */
const problemText = (err: ScenarioError, file: string): string =>
  err.message
    .split('\n')
    .map((l) => (l.startsWith(`${file}: `) ? l.slice(file.length + 2) : l))
    .join('; ');

/** A grid's points over one scenario: each point's settings and its scenario, all validated. */
export class ScenarioGrid {
  readonly points: number;
  private readonly axes: readonly ResolvedAxis[];
  private readonly loaded: LoadedScenario[] = [];

  /** Resolves the axes against `base` and parses every point's scenario: a GridError (naming
   *  the flag, the value, and the schema's reason) for the first one that is not valid. */
  constructor(
    private readonly text: string,
    readonly base: LoadedScenario,
    readonly grid: readonly GridAxis[],
    /** Leave the points to the caller (checked): only the axes are resolved here. */
    pointsLater = false,
  ) {
    this.axes = resolveGrid(base, grid);
    this.points = gridPointCount(grid);
    if (this.axes.length === 0) {
      this.loaded.push(base);
      return;
    }
    if (!pointsLater) for (let p = 0; p < this.points; p++) this.addPoint(p);
  }

  /**
   * The grid with every point checked as the constructor checks them, a slice of points at a
   * time with the event loop let run between slices: a server checking a request's grid (each
   * point a whole scenario parse, some milliseconds) goes on answering other requests meanwhile.
   */
  static async checked(
    text: string,
    base: LoadedScenario,
    grid: readonly GridAxis[],
    pointsPerSlice = 8,
  ): Promise<ScenarioGrid> {
    const g = new ScenarioGrid(text, base, grid, true);
    for (let p = g.loaded.length; p < g.points; p++) {
      if (p > 0 && p % pointsPerSlice === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      g.addPoint(p);
    }
    return g;
  }

  /** Parses point `p` (the next one) and keeps it. Every combination is checked, since fields are
   *  checked against each other (a TWAP's duration against the run's). A value is judged only
   *  within the combinations it is run in: one that the base scenario would refuse may be valid
   *  beside another axis's values (a longer TWAP with a longer run), so it is not refused alone.
   *  When a combination fails, the value that fails on its own too is named, when there is one;
   *  else the combination. */
  private addPoint(p: number): void {
    const at = gridCoordinates(this.grid, p);
    try {
      const label = (): string => settingsLabel(gridSettings(this.grid, p));
      this.loaded.push(
        this.parse(
          () => ({ where: `--grid combination ${label()}`, key: null, subject: `the combination ${label()}` }),
          this.axes,
          at,
        ),
      );
    } catch (err) {
      if (err instanceof GridError) this.blameValue(at);
      throw err;
    }
  }

  /** Throws the GridError of the first value of `at` that the base scenario refuses on its own. */
  private blameValue(at: readonly number[]): void {
    this.axes.forEach((a, k) => {
      const v = at[k] as number;
      const subject = `the value ${a.axis.values[v]}`;
      this.parse(() => ({ where: `${a.flag}: ${subject}`, key: a.axis.key, subject }), [a], [v]);
    });
  }

  /** Parses the scenario of `at` on `axes`; a GridError when the schema refuses it, where `what`
   *  says what was refused: as the CLI names it (`where`), and as its key (null for a whole
   *  combination) and `subject` name it to any other caller. */
  private parse(
    what: () => { where: string; key: string | null; subject: string },
    axes: readonly ResolvedAxis[],
    at: readonly number[],
  ): LoadedScenario {
    const text = variantText(this.text, axes, at);
    try {
      return parseScenario(text, this.base.file);
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
      const { where, key, subject } = what();
      const why = problemText(err, this.base.file);
      throw new GridError(`${where}: ${why}`, key, `${subject}: ${why}`);
    }
  }

  /** The scenario of point `point`. */
  scenario(point: number): LoadedScenario {
    const s = this.loaded[point];
    if (!s) throw new RangeError(`grid point ${point} is not in 0..${this.points - 1}`);
    return s;
  }

  /** The YAML text of point `point` (a file `execsim run` takes). */
  pointText(point: number): string {
    return this.axes.length === 0 ? this.text : variantText(this.text, this.axes, gridCoordinates(this.grid, point));
  }
}
