// A strategy's output checked and turned into a node command. Its prices and quantities are the
// strategy's numbers: a decimal string must sit on the instrument's grid (a strategy that writes
// "0.015" with 0.01 ticks means something we cannot send); a number is put on the grid the
// passive way (a buy's price down to a tick, a sell's up; a quantity down to a whole lot), as a
// strategy computing a price from an average cannot land on a tick. Anything else malformed is
// an OutputError naming the field, which stops the strategy: garbage out means its logic is
// broken, and guessing would trade on it. A score (the model's number, compared in a swap's
// shadow validation) is checked here too and becomes no command.
import { z } from 'zod';
import { closestKey } from '../core/config/closest-key.ts';
import { priceToTicks, qtyToLots, type Instrument } from '../core/model/instrument.ts';
import { parentOrderId } from '../core/model/ids.ts';
import type { SignalRequest } from '../core/engine/order-manager.ts';
import { algoTrajectory, validateTrajectory, type AlgoFields, type TrajectorySpec } from '../core/algo/trajectory.ts';
import { checkIcebergParams, DEFAULT_ICEBERG_CHECK_MS, type IcebergParams } from '../core/algo/iceberg.ts';
import type { AlgoRequest } from '../core/algo/intent-algorithm.ts';
import { TwapPlanError } from '../core/algo/twap-spec-check.ts';
import { PLACEMENT_DEFAULTS, type Placement } from '../core/algo/placement.ts';
import { moduleRequest, undeclared, type DeclaredAlgorithms } from '../core/algo/declared-algorithms.ts';
import type { NodeCommand } from '../node/node-commands.ts';

export class OutputError extends Error {}

const amount = z.union(
  [z.number().finite().positive('must be greater than 0'), z.string().regex(/^\d+(\.\d+)?$/, 'must be a decimal')],
  {
    error: (issue) =>
      typeof issue.input === 'string'
        ? 'must be a decimal'
        : `must be a positive finite number or a decimal string, not ${typeof issue.input === 'number' ? String(issue.input) : show(issue.input)}`,
  },
);
const signalShape = z.strictObject({
  kind: z.literal('signal').optional(),
  id: z.string().min(1).max(64).optional(),
  symbol: z.string().min(1).optional(),
  side: z.enum(['buy', 'sell']),
  qty: amount,
  price: amount.nullable().optional(),
  route: z.enum(['auto', 'single', 'twap']).optional(),
  /** The execution algorithm its parent follows, as a scenario order's `algo` block. */
  algo: z
    .strictObject({
      kind: z.enum(['twap', 'vwap', 'is', 'pov', 'iceberg', 'module']),
      /** A module the file's algorithms section declares, and params over its declared ones. */
      name: z.string().min(1).max(64).optional(),
      params: z.record(z.string(), z.unknown()).optional(),
      profile: z.union([z.array(z.number()), z.literal('history')]).optional(),
      days: z.number().optional(),
      urgency: z.number().optional(),
      volatility: z.number().optional(),
      impact: z.number().optional(),
      rate: z.number().optional(),
      maxRate: z.number().optional(),
      minChildQty: amount.optional(),
      end: z.enum(['complete', 'stop']).optional(),
      /** An iceberg's displayed quantity (or drawn between displayMin and displayMax), its peg
       *  (touch, mid, far: absent, at the signal's price), offset and re-peg threshold, ticks. */
      display: amount.optional(),
      displayMin: amount.optional(),
      displayMax: amount.optional(),
      peg: z.enum(['touch', 'mid', 'far']).optional(),
      offsetTicks: z.number().int().optional(),
      repegTicks: z.number().int().positive().optional(),
    })
    .optional(),
  /** How its parent's children are placed, as a scenario order's `placement` block. */
  placement: z
    .strictObject({
      kind: z.enum(['market', 'passive-then-cross', 'chaser']),
      offsetTicks: z.number().int().min(-100_000).max(100_000).optional(),
      crossWhenBehind: z.number().min(0).max(1).optional(),
      crossWhenBehindQty: amount.optional(),
      thresholdTicks: z.number().int().min(0).max(100_000).optional(),
      everyMs: z.number().int().min(100).max(86_400_000).optional(),
      maxChases: z.number().int().min(0).max(10_000).optional(),
    })
    .optional(),
  reduceOnly: z.boolean().optional(),
});
const cancelShape = z.strictObject({
  kind: z.literal('cancel'),
  parentId: z.string().min(1),
  reason: z.string().min(1).max(200).optional(),
});

export interface StrategyCommand {
  /** For people and the refusal events: 'signal <id>' or 'cancel <parent>'. */
  readonly label: string;
  readonly output: 'signal' | 'cancel';
  readonly ref: string;
  readonly command: NodeCommand;
}

/**
 * Checks one output and makes its command. `defaultId` names a signal without an id;
 * `instrumentOf` finds a symbol's instrument (undefined: the run's) or null when the run does not
 * trade it; `algorithms` are the modules the file declares, which a signal's algo may name.
 */
export function toCommand(
  raw: unknown,
  strategyName: string,
  defaultId: () => string,
  instrumentOf: (symbol: string | undefined) => Instrument | null,
  algorithms: DeclaredAlgorithms = {},
): StrategyCommand {
  if (typeof raw !== 'object' || raw === null) throw new OutputError(`an output must be an object, got ${show(raw)}`);
  const isCancel = (raw as { kind?: unknown }).kind === 'cancel';
  const parsed = (isCancel ? cancelShape : signalShape).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const what = isCancel ? 'cancel' : 'signal';
    // An unknown field of the output itself is named as the field, with the one it most likely meant.
    if (issue?.code === 'unrecognized_keys' && issue.path.length === 0) {
      const key = issue.keys[0] as string;
      const near = closestKey(key, Object.keys((isCancel ? cancelShape : signalShape).shape));
      throw new OutputError(
        `${what}.${key}: not a field of a ${what}${near === null ? '' : ` (did you mean "${near}"?)`}`,
      );
    }
    const path = issue && issue.path.length > 0 ? issue.path.join('.') : '(output)';
    throw new OutputError(`${what}.${path}: ${issue?.message ?? 'invalid'}`);
  }
  if (isCancel) {
    const c = parsed.data as z.infer<typeof cancelShape>;
    return {
      label: `cancel ${c.parentId}`,
      output: 'cancel',
      ref: c.parentId,
      command: {
        kind: 'CancelParent',
        parentId: parentOrderId(c.parentId),
        reason: c.reason ?? `strategy ${strategyName}`,
        strategy: strategyName,
      },
    };
  }
  const s = parsed.data as z.infer<typeof signalShape>;
  const inst = instrumentOf(s.symbol);
  if (inst === null) throw new OutputError(`signal.symbol: the run does not trade "${s.symbol}"`);
  const qty = toLots(inst, s.qty, 'signal.qty');
  const price = s.price === undefined || s.price === null ? null : toTicks(inst, s.price, s.side, 'signal.price');
  const id = s.id ?? defaultId();
  if (s.algo !== undefined && s.route === 'single')
    throw new OutputError('signal.algo: a single-routed signal runs no algorithm: leave out route');
  if (s.algo !== undefined && s.algo.kind !== 'module')
    for (const field of ['name', 'params'] as const)
      if (s.algo[field] !== undefined) throw new OutputError(`signal.algo.${field}: only a module has a ${field}`);
  const decides = s.algo?.kind === 'iceberg' || s.algo?.kind === 'module';
  const trajectory = s.algo === undefined || decides ? undefined : toTrajectory(s.algo, inst);
  const algo =
    s.algo?.kind === 'iceberg'
      ? toIceberg(s.algo, inst, price !== null)
      : s.algo?.kind === 'module'
        ? toModule(s.algo, algorithms)
        : undefined;
  const placement = placementOf(s.placement, s.route, price === null ? 'market' : 'limit', inst);
  if (algo !== undefined && placement !== undefined)
    throw new OutputError(
      `signal.placement: ${algo.algo === 'module' ? 'a module' : 'an iceberg'} places its children itself: leave out placement`,
    );
  const signal: SignalRequest = {
    signalId: id,
    ...(s.symbol === undefined ? {} : { symbol: inst.symbol }),
    side: s.side,
    qty,
    price,
    route: s.route ?? 'auto',
    ...(trajectory === undefined ? {} : { trajectory }),
    ...(algo === undefined ? {} : { algo }),
    ...(placement === undefined ? {} : { placement }),
    reduceOnly: s.reduceOnly ?? false,
    confirmations: [],
    confirmedBy: null,
    strategy: strategyName,
  };
  return { label: `signal ${id}`, output: 'signal', ref: id, command: { kind: 'EmitSignal', signal } };
}

const scoreShape = z.strictObject({
  kind: z.literal('score'),
  value: z.number().finite(),
  symbol: z.string().min(1).optional(),
});

/** A score output checked: a finite number for a symbol the run trades (undefined: the run's). */
export function toScore(
  raw: unknown,
  instrumentOf: (symbol: string | undefined) => Instrument | null,
): { readonly symbol: string; readonly value: number } {
  const parsed = scoreShape.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue && issue.path.length > 0 ? issue.path.join('.') : '(output)';
    throw new OutputError(`score.${path}: ${issue?.message ?? 'invalid'}`);
  }
  const inst = instrumentOf(parsed.data.symbol);
  if (inst === null) throw new OutputError(`score.symbol: the run does not trade "${parsed.data.symbol}"`);
  return { symbol: inst.symbol, value: parsed.data.value };
}

/** Whether an output is a score (checked by toScore), not a command. */
export const isScore = (raw: unknown): boolean =>
  typeof raw === 'object' && raw !== null && (raw as { kind?: unknown }).kind === 'score';

/** A signal's module as its parent's algorithm (over the routing's default TWAP duration): one
 *  the file's algorithms section declares, by name (a strategy never names a module by path, so
 *  it runs only code the file loaded), its params over the declared ones. */
function toModule(a: z.infer<typeof signalShape>['algo'] & object, declared: DeclaredAlgorithms): AlgoRequest {
  for (const field of Object.keys(a))
    if (!['kind', 'name', 'params'].includes(field))
      throw new OutputError(`signal.algo.${field}: not a field of kind module (name, params)`);
  if (a.name === undefined)
    throw new OutputError("signal.algo.name: a module is named by the name the file's algorithms section declares");
  if (!Object.hasOwn(declared, a.name)) throw new OutputError(`signal.algo.name: ${undeclared(a.name, declared)}`);
  return moduleRequest(a.name, a.params ?? {}, declared);
}

/** A signal's iceberg as its parent's algorithm (over the routing's default TWAP duration), its
 *  inputs checked by the iceberg's own rules: a bad one is an OutputError naming the field. */
function toIceberg(a: z.infer<typeof signalShape>['algo'] & object, inst: Instrument, hasLimit: boolean): AlgoRequest {
  const fixed = a.display !== undefined;
  if (fixed === (a.displayMin !== undefined || a.displayMax !== undefined) || (!fixed && a.displayMax === undefined))
    throw new OutputError('signal.algo.display: give display, or displayMin and displayMax');
  const params: IcebergParams = {
    displayMin: toLots(inst, (a.display ?? a.displayMin) as number | string, 'signal.algo.displayMin'),
    displayMax: toLots(inst, (a.display ?? a.displayMax) as number | string, 'signal.algo.displayMax'),
    ...(a.peg !== undefined
      ? { peg: { to: a.peg, ...(a.offsetTicks !== undefined ? { offsetTicks: a.offsetTicks } : {}) } }
      : {}),
    ...(a.repegTicks !== undefined ? { repegTicks: a.repegTicks } : {}),
    checkEveryMs: DEFAULT_ICEBERG_CHECK_MS,
    end: a.end ?? 'complete',
  };
  try {
    checkIcebergParams(params, hasLimit);
  } catch (err) {
    if (err instanceof TwapPlanError) throw new OutputError(`signal.algo.${err.field}: ${err.problem}`);
    throw err;
  }
  return { algo: 'iceberg', params };
}

/** A signal's placement block as its parent's policy: an OutputError naming signal.placement
 *  when it does not fit the signal (a single-routed one, a quantity off the lot grid). */
function placementOf(
  p: z.infer<typeof signalShape>['placement'],
  route: string | undefined,
  type: string,
  inst: Instrument,
): Placement | undefined {
  if (p === undefined) return undefined;
  if (route === 'single')
    throw new OutputError('signal.placement: a single-routed signal places no slices: leave out route');
  const takes: Record<string, readonly string[]> = {
    market: [],
    'passive-then-cross': ['offsetTicks', 'crossWhenBehind', 'crossWhenBehindQty', 'everyMs'],
    chaser: ['offsetTicks', 'thresholdTicks', 'everyMs', 'maxChases'],
  };
  for (const [field, value] of Object.entries(p))
    if (field !== 'kind' && value !== undefined && !(takes[p.kind] as readonly string[]).includes(field))
      throw new OutputError(`signal.placement.${field}: not a field of kind ${p.kind}`);
  if (p.kind === 'market') {
    if (type !== 'market') throw new OutputError(`signal.placement.kind: market places a market order's children`);
    return undefined;
  }
  const offsetTicks = p.offsetTicks ?? PLACEMENT_DEFAULTS.offsetTicks;
  if (p.kind === 'chaser')
    return {
      kind: 'chaser',
      offsetTicks,
      thresholdTicks: p.thresholdTicks ?? PLACEMENT_DEFAULTS.thresholdTicks,
      everyMs: p.everyMs ?? PLACEMENT_DEFAULTS.everyMs,
      maxChases: p.maxChases ?? PLACEMENT_DEFAULTS.maxChases,
    };
  if (p.crossWhenBehind !== undefined && p.crossWhenBehindQty !== undefined)
    throw new OutputError(
      'signal.placement.crossWhenBehind: give one of crossWhenBehind (a share of the order) and crossWhenBehindQty, not both',
    );
  return {
    kind: 'passive-then-cross',
    offsetTicks,
    crossWhenBehind:
      p.crossWhenBehindQty !== undefined
        ? { lots: toLots(inst, p.crossWhenBehindQty, 'signal.placement.crossWhenBehindQty') }
        : { share: p.crossWhenBehind ?? PLACEMENT_DEFAULTS.crossWhenBehind },
    // Left out when not given, as a scenario order's is, so the stored policy (and the client
    // order ids drawn from it) stays what it was before signals could set it.
    ...(p.everyMs === undefined ? {} : { everyMs: p.everyMs }),
  };
}

/** A signal's algo as its parent's trajectory, its inputs checked by the planner's own rules
 *  (trajectory.ts validateTrajectory): a bad one is an OutputError naming signal.algo.<field>. */
function toTrajectory(a: z.infer<typeof signalShape>['algo'] & object, inst: Instrument): TrajectorySpec | undefined {
  const spec = algoTrajectory(
    a as AlgoFields<number | string>,
    (q) => toLots(inst, q, 'signal.algo.minChildQty'),
    (field) => {
      throw new OutputError(`signal.algo.${field}: required for kind ${a.kind}`);
    },
  );
  if (spec === undefined) return undefined;
  try {
    validateTrajectory(spec);
  } catch (err) {
    if (err instanceof TwapPlanError) throw new OutputError(`signal.algo.${err.field}: ${err.problem}`);
    throw err;
  }
  return spec;
}

function toLots(inst: Instrument, qty: number | string, field: string): number {
  const lots =
    typeof qty === 'string'
      ? exact(() => qtyToLots(inst, qty), field, 'lot', inst.lotSize)
      : floorTo(qty, inst.lotSize);
  if (lots <= 0) throw new OutputError(`${field}: ${qty} is less than one lot (${inst.lotSize})`);
  if (!Number.isSafeInteger(lots))
    throw new OutputError(`${field}: ${qty} is more than any quantity (lots of ${inst.lotSize})`);
  return lots;
}

function toTicks(inst: Instrument, price: number | string, side: 'buy' | 'sell', field: string): number {
  const ticks =
    typeof price === 'string'
      ? exact(() => priceToTicks(inst, price), field, 'tick', inst.tickSize)
      : side === 'buy'
        ? floorTo(price, inst.tickSize)
        : ceilTo(price, inst.tickSize);
  if (ticks <= 0) throw new OutputError(`${field}: ${price} is below one tick (${inst.tickSize})`);
  if (!Number.isSafeInteger(ticks))
    throw new OutputError(`${field}: ${price} is more than any price (ticks of ${inst.tickSize})`);
  return ticks;
}

function exact(steps: () => number, field: string, what: string, size: string): number {
  try {
    return steps();
  } catch (err) {
    throw new OutputError(`${field}: not a whole number of ${what}s of ${size} (${(err as Error).message})`);
  }
}

// A number on a grid of `step`: the tolerance absorbs binary fractions (0.1 + 0.2), never a tick.
const EPS = 1e-9;
const floorTo = (x: number, step: string): number => Math.floor(x / Number(step) + EPS);
const ceilTo = (x: number, step: string): number => Math.ceil(x / Number(step) - EPS);

function show(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return 'a function';
  // Names a Promise to refuse it, never awaits one.
  // eslint-disable-next-line no-restricted-syntax
  if (typeof (v as { then?: unknown } | null)?.then === 'function') return 'a Promise';
  return JSON.stringify(v) ?? String(v);
}

export { show as showValue };
