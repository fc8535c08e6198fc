// Each grid point's scenario: the sweep's YAML with the point's settings written in, validated by
// the scenario schema like any file (ScenarioGrid). A grid key is a dotted path into the scenario
// (the keys a grid may set are listed at resolveKey); a value is typed by the field, then the whole
// scenario goes through the schema, so a value is refused with the schema's own reason
// (docs/0020-sweeps-on-worker-threads.md).
import { parseDocument, type Document } from 'yaml';
import { algoSchema } from '../scenario/execution-schema.ts';
import { placementSchema } from '../scenario/placement-schema.ts';
import { parseScenario, ScenarioError, type LoadedScenario } from '../scenario/load-scenario.ts';
import {
  axisError,
  gridCoordinates,
  GridError,
  gridPointCount,
  gridSettings,
  MAX_GRID_POINTS,
  settingsLabel,
  type GridAxis,
} from './sweep-grid.ts';

type Kind = 'number' | 'string' | 'boolean';
type DocPath = ReadonlyArray<string | number>;

interface Target {
  /** Where the value is written in the YAML document. */
  readonly path: DocPath;
  readonly kind: Kind;
  /** Removed from the document when this is set (a TWAP's slices and interval). */
  readonly alternative?: DocPath;
  /** An order's algo block: once every axis is written, the fields its kind does not take are
   *  dropped (a point of `algo=twap,pov` with `algo.rate` runs a TWAP without the rate). */
  readonly algoBlock?: DocPath;
  /** An order's placement block: pruned the same way for its kind. */
  readonly placementBlock?: DocPath;
}

const TWAP_FIELDS: Readonly<Record<string, Kind>> = {
  duration: 'string',
  interval: 'string',
  slices: 'number',
  maxSliceQty: 'string',
  minSliceNotional: 'string',
  'randomize.sizePct': 'number',
  'randomize.timeJitterPct': 'number',
  limitOffsetTicks: 'number',
  worstPrice: 'string',
  stopOffsetTicks: 'number',
  unfilled: 'string',
  maxSpread: 'number',
  maxPriceDeviation: 'number',
  minLiquidity: 'string',
};
/** The algo block's fields a grid may set, and the fields each kind takes. */
const ALGO_FIELDS: Readonly<Record<string, Kind>> = {
  urgency: 'number',
  volatility: 'number',
  impact: 'number',
  rate: 'number',
  maxRate: 'number',
  minChildQty: 'string',
  end: 'string',
  display: 'string',
  displayMin: 'string',
  displayMax: 'string',
  peg: 'string',
  offsetTicks: 'number',
  repegTicks: 'number',
  checkEvery: 'string',
};
/** Each kind's fields, as the algo block's schema states them. */
const ALGO_TAKES: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  algoSchema.options.map((o) => [o.shape.kind.value, Object.keys(o.shape).filter((k) => k !== 'kind')]),
);
/** The placement block's fields a grid may set, and the fields each kind takes. */
const PLACEMENT_FIELDS: Readonly<Record<string, Kind>> = {
  offsetTicks: 'number',
  crossWhenBehind: 'number',
  crossWhenBehindQty: 'string',
  thresholdTicks: 'number',
  everyMs: 'number',
  maxChases: 'number',
};
const PLACEMENT_TAKES: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  placementSchema.options.map((o) => [o.shape.kind.value, Object.keys(o.shape).filter((k) => k !== 'kind')]),
);
const ORDER_FIELDS: Readonly<Record<string, Kind>> = {
  qty: 'string',
  limitPrice: 'string',
  stopPrice: 'string',
  at: 'string',
  cancelAt: 'string',
};
const VENUE_KEYS =
  /^venue\.(latency\.(orderEntry|ack|fillReport|marketData)\.(ms|jitterMs)|fees\.(makerBps|takerBps)|fillOnTouch|clockSkewMs|queue\.exponent)$/;

const KEY_HELP =
  'grid keys are twap.<field>, orders.<id>.twap.<field>, algo, algo.<field>, placement, placement.<field>, orders.<id>.<qty|limitPrice|stopPrice|at|cancelAt>, ' +
  'routing.defaultTwap.<field>, routing.twapThreshold, market.<field>, venue.latency.<channel>.ms|jitterMs, ' +
  'venue.fees.makerBps|takerBps, venue.fillOnTouch, venue.clockSkewMs, venue.queue.exponent, duration, strategy.params.<name>';

const segments = (path: string): Array<string | number> =>
  path.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));

function twapTargets(prefix: DocPath, field: string): Target {
  const kind = TWAP_FIELDS[field] as Kind;
  const path = [...prefix, ...segments(field)];
  if (field === 'slices') return { path, kind, alternative: [...prefix, 'interval'] };
  if (field === 'interval') return { path, kind, alternative: [...prefix, 'slices'] };
  return { path, kind };
}

/** The loaded value at `path`, or undefined. */
function valueAt(root: unknown, path: DocPath): unknown {
  let v = root;
  for (const s of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[s];
  }
  return v;
}

const kindOf = (v: unknown): Kind | null =>
  typeof v === 'number' ? 'number' : typeof v === 'string' ? 'string' : typeof v === 'boolean' ? 'boolean' : null;

/**
 * Where a key writes in this scenario; a GridError (naming `flag`) when it is not a grid key or
 * names nothing here. A grid key is a dotted path into the scenario, one of:
 *   twap.<field>                      that field of every order that has a twap
 *   orders.<id>.twap.<field>          one order's twap
 *   algo                              the execution algorithm (twap, vwap, is, pov) of every
 *                                     sliced order; the fields of its block that the kind
 *                                     takes are kept, the others dropped
 *   algo.<field>                      that field of every order's algo block (rate, maxRate,
 *                                     minChildQty, end, urgency, volatility, impact)
 *   placement                         the child placement (market, passive-then-cross, chaser) of
 *                                     every sliced order; its block's fields the kind takes are
 *                                     kept, the others dropped
 *   placement.<field>                 that field of every order's placement block (offsetTicks,
 *                                     crossWhenBehind, crossWhenBehindQty, thresholdTicks,
 *                                     everyMs, maxChases)
 *   orders.<id>.<field>               qty, limitPrice, stopPrice, at, cancelAt of one order
 *   routing.defaultTwap.<field>       the TWAP auto-routed parents get; routing.twapThreshold
 *   market.<path>                     a number or string of the market model the scenario has
 *                                     (its file or its defaults), e.g. market.volatility,
 *                                     market.trades.ratePerSec; never market.model
 *   venue.latency.<channel>.ms|jitterMs, venue.fees.makerBps|takerBps, venue.fillOnTouch,
 *   venue.clockSkewMs, venue.queue.exponent
 *   duration                          the scenario's horizon
 *   strategy.params.<name>            a parameter of the scenario's strategy module (a number,
 *                                     text or true/false, as its schema made it: stated or
 *                                     defaulted); the module's schema checks each value
 * A TWAP's `slices` and `interval` are alternatives (exactly one is given): setting one removes
 * the other from that TWAP (twapTargets). A value is typed by the field (numbers for counts and
 * coefficients, strings for decimals, durations and choices).
 */
function resolveKey(key: string, base: LoadedScenario, flag: string): Target[] {
  const s = base.scenario;
  const refuse = (why: string): never => {
    throw axisError(flag, key, why);
  };
  const orderIndex = (id: string): number => {
    const i = s.orders.findIndex((o) => o.id === id);
    if (i < 0) refuse(`no order has the id ${id} (orders: ${s.orders.map((o) => o.id).join(', ') || 'none'})`);
    return i;
  };
  const twapField = (field: string): string => {
    if (!Object.hasOwn(TWAP_FIELDS, field))
      refuse(`${field} is not a TWAP field (one of ${Object.keys(TWAP_FIELDS).join(', ')})`);
    return field;
  };
  let m: RegExpMatchArray | null;
  if ((m = /^twap\.(.+)$/.exec(key))) {
    const field = twapField(m[1] as string);
    const withTwap = s.orders.flatMap((o, i) => (o.twap ? [i] : []));
    if (withTwap.length === 0) refuse('no order of the scenario has a twap (auto-routed ones: routing.defaultTwap.*)');
    return withTwap.map((i) => twapTargets(['orders', i, 'twap'], field));
  }
  if (key === 'algo') {
    const sliced = s.orders.flatMap((o, i) => (o.twap || o.algo || o.route === 'twap' ? [i] : []));
    if (sliced.length === 0) refuse('no order of the scenario is sliced (a twap or algo block, or route twap)');
    return sliced.map((i) => ({
      path: ['orders', i, 'algo', 'kind'],
      kind: 'string',
      algoBlock: ['orders', i, 'algo'],
    }));
  }
  if ((m = /^algo\.(.+)$/.exec(key))) {
    const field = m[1] as string;
    if (!Object.hasOwn(ALGO_FIELDS, field))
      refuse(`${field} is not an algo field a grid may set (one of ${Object.keys(ALGO_FIELDS).join(', ')})`);
    const withAlgo = s.orders.flatMap((o, i) => (o.algo ? [i] : []));
    if (withAlgo.length === 0) refuse('no order of the scenario has an algo block');
    return withAlgo.map((i) => ({
      path: ['orders', i, 'algo', field],
      kind: ALGO_FIELDS[field] as Kind,
      algoBlock: ['orders', i, 'algo'],
    }));
  }
  if (key === 'placement') {
    const sliced = s.orders.flatMap((o, i) => (o.twap || o.algo || o.placement || o.route === 'twap' ? [i] : []));
    if (sliced.length === 0)
      refuse('no order of the scenario is sliced (a twap, algo or placement block, or route twap)');
    return sliced.map((i) => ({
      path: ['orders', i, 'placement', 'kind'],
      kind: 'string',
      placementBlock: ['orders', i, 'placement'],
    }));
  }
  if ((m = /^placement\.(.+)$/.exec(key))) {
    const field = m[1] as string;
    if (!Object.hasOwn(PLACEMENT_FIELDS, field))
      refuse(`${field} is not a placement field (one of ${Object.keys(PLACEMENT_FIELDS).join(', ')})`);
    const placed = s.orders.flatMap((o, i) => (o.placement ? [i] : []));
    if (placed.length === 0) refuse('no order of the scenario has a placement block');
    return placed.map((i) => ({
      path: ['orders', i, 'placement', field],
      kind: PLACEMENT_FIELDS[field] as Kind,
      placementBlock: ['orders', i, 'placement'],
    }));
  }
  if ((m = /^orders\.([^.]+)\.twap\.(.+)$/.exec(key))) {
    const i = orderIndex(m[1] as string);
    const field = twapField(m[2] as string);
    if (!s.orders[i]?.twap) refuse(`order ${m[1]} has no twap to change`);
    return [twapTargets(['orders', i, 'twap'], field)];
  }
  if ((m = /^orders\.([^.]+)\.([^.]+)$/.exec(key))) {
    const i = orderIndex(m[1] as string);
    const field = m[2] as string;
    if (!Object.hasOwn(ORDER_FIELDS, field))
      refuse(`${field} is not an order field a grid may set (one of ${Object.keys(ORDER_FIELDS).join(', ')}, twap.*)`);
    return [{ path: ['orders', i, field], kind: ORDER_FIELDS[field] as Kind }];
  }
  if ((m = /^routing\.defaultTwap\.(.+)$/.exec(key)))
    return [twapTargets(['routing', 'defaultTwap'], twapField(m[1] as string))];
  if (key === 'routing.twapThreshold') return [{ path: ['routing', 'twapThreshold'], kind: 'string' }];
  if (key === 'duration') return [{ path: ['duration'], kind: 'string' }];
  if ((m = /^strategy\.params\.([A-Za-z_$][\w$]*)$/.exec(key))) {
    const name = m[1] as string;
    if (!base.strategy) refuse('the scenario names no strategy module');
    const params = (base.strategy?.params ?? {}) as Record<string, unknown>;
    const kind = kindOf(params[name]);
    if (kind === null)
      refuse(
        `the strategy has no number, text or true/false parameter ${name} (its parameters: ${Object.keys(params).join(', ') || 'none'})`,
      );
    return [{ path: ['strategy', 'params', name], kind: kind as Kind }];
  }
  if (key.startsWith('market.') || VENUE_KEYS.test(key)) {
    const path = segments(key);
    if (key === 'market.model') refuse('the market model cannot be a grid axis (its fields differ per model)');
    const kind = kindOf(valueAt(s, path));
    if (kind === null)
      refuse(
        key.startsWith('market.')
          ? `the ${s.market.model} market of this scenario has no number or text field ${key.slice(7)}`
          : `this scenario has no ${key} (a queue exponent needs queue.model probabilistic)`,
      );
    return [{ path, kind: kind as Kind }];
  }
  return refuse(`${key} is not a grid key; ${KEY_HELP}`);
}

function typed(kind: Kind, value: string, flag: string, key: string): string | number | boolean {
  if (kind === 'string') return value;
  if (kind === 'boolean') {
    if (value === 'true' || value === 'false') return value === 'true';
    throw axisError(flag, key, `${value} is not true or false`);
  }
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value) || !Number.isFinite(Number(value)))
    throw axisError(flag, key, `${value} is not a number`);
  return Number(value);
}

/** The latency shorthand `ack: 10` as the full form, so one of its fields can be set. */
function expandLatency(doc: Document, path: DocPath): void {
  if (path[0] !== 'venue' || path[1] !== 'latency' || path.length !== 4) return;
  const at = path.slice(0, 3);
  const v: unknown = doc.getIn(at);
  if (typeof v === 'number') doc.setIn(at, doc.createNode({ ms: v, jitterMs: 0 }));
}

interface ResolvedAxis {
  readonly axis: GridAxis;
  readonly flag: string;
  readonly targets: readonly Target[];
  /** The value of each of the axis's values, typed for its targets. */
  readonly typed: ReadonlyArray<string | number | boolean>;
}

const flagOf = (a: GridAxis): string => `--grid ${a.key}=${a.values.join(',')}`;
const pathText = (p: DocPath): string =>
  p
    .map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`))
    .join('')
    .slice(1);

/** The grid's axes checked against the scenario: keys resolved, values typed, no two axes
 *  writing the same field. */
function resolveGrid(base: LoadedScenario, grid: readonly GridAxis[]): ResolvedAxis[] {
  if (grid.length === 0) return [];
  const points = gridPointCount(grid);
  if (points > MAX_GRID_POINTS)
    throw axisError('--grid', null, `${points} combinations, at most ${MAX_GRID_POINTS} (fewer values or axes)`);
  const owner = new Map<string, string>();
  return grid.map((axis) => {
    const flag = flagOf(axis);
    if (axis.values.length === 0) throw axisError(flag, axis.key, 'no values');
    const targets = resolveKey(axis.key, base, flag);
    for (const t of targets) {
      for (const p of t.alternative ? [t.path, t.alternative] : [t.path]) {
        const other = owner.get(pathText(p));
        if (other !== undefined && other !== axis.key)
          throw new GridError(
            `${flag}: sets ${pathText(t.path)}, which --grid ${other} sets too`,
            axis.key,
            `sets ${pathText(t.path)}, which the grid key ${other} sets too`,
          );
        if (other === axis.key && p === t.path) throw axisError(flag, axis.key, `the key ${axis.key} is given twice`);
        owner.set(pathText(p), axis.key);
      }
    }
    const kinds = new Set(targets.map((t) => t.kind));
    if (kinds.size !== 1) throw axisError(flag, axis.key, 'its fields differ in type across orders');
    const kind = targets[0]?.kind as Kind;
    const values = axis.values.map((v) => typed(kind, v, flag, axis.key));
    // Two spellings of one number (5 and 05) would be two grid points with the same scenario.
    values.forEach((v, i) => {
      const first = values.indexOf(v);
      if (first !== i)
        throw axisError(flag, axis.key, `${axis.values[first]} and ${axis.values[i]} are the same value`);
    });
    return { axis, flag, targets, typed: values };
  });
}

/** The YAML text of `text` with `settings` (value index per resolved axis) written in. */
function variantText(text: string, axes: readonly ResolvedAxis[], at: readonly number[]): string {
  const doc = parseDocument(text, { uniqueKeys: true });
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
