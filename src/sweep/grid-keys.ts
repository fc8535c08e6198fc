// The grid keys: what each `--grid` key names in a scenario (resolveKey lists them), and a
// sweep's axes resolved against its scenario: each key's targets (where it writes in the YAML),
// its values typed by the field, no two axes writing one field. Writing a point's values in and
// validating its scenario is scenario-grid.ts's (docs/0020-sweeps-on-worker-threads.md).
import type { LoadedScenario } from '../scenario/load-scenario.ts';
import { axisError, GridError, gridPointCount, MAX_GRID_POINTS, type GridAxis } from './sweep-grid.ts';

type Kind = 'number' | 'string' | 'boolean';
export type DocPath = ReadonlyArray<string | number>;

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
/** The algo block's fields a grid may set. */
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
/** The placement block's fields a grid may set. */
const PLACEMENT_FIELDS: Readonly<Record<string, Kind>> = {
  offsetTicks: 'number',
  crossWhenBehind: 'number',
  crossWhenBehindQty: 'string',
  thresholdTicks: 'number',
  everyMs: 'number',
  maxChases: 'number',
};
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
  'grid keys are twap.<field>, orders.<id>.twap.<field>, algo, algo.<field>, algo.params.<name>, placement, placement.<field>, orders.<id>.<qty|limitPrice|stopPrice|at|cancelAt>, ' +
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
 *   algo.params.<name>                a parameter of every order's algorithm module (algo:
 *                                     { kind: module }), typed as the file states it there
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
  if ((m = /^algo\.params\.([A-Za-z_$][\w$]*)$/.exec(key))) {
    const name = m[1] as string;
    const withModule = s.orders.flatMap((o, i) => (o.algo?.kind === 'module' ? [i] : []));
    if (withModule.length === 0) refuse('no order of the scenario runs an algorithm module (algo: { kind: module })');
    return withModule.map((i) => {
      const algo = s.orders[i]?.algo as { params?: Record<string, unknown> };
      const params = algo.params ?? {};
      const kind = kindOf(params[name]);
      if (kind === null)
        refuse(
          `the algorithm module of order ${s.orders[i]?.id} has no number, text or true/false parameter ${name} ` +
            `(its parameters: ${Object.keys(params).join(', ') || 'none'})`,
        );
      return { path: ['orders', i, 'algo', 'params', name], kind: kind as Kind };
    });
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

export interface ResolvedAxis {
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
export function resolveGrid(base: LoadedScenario, grid: readonly GridAxis[]): ResolvedAxis[] {
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
