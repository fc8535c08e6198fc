// Checks what arrives from Redis before anything acts on it, since anyone who can write to the
// Redis can edit a job: a bad job is one WireDataError naming the job, the field and the
// problem, never a TypeError from deep inside or a row stored from data of the wrong shape.
// What is checked, and where:
// docs/0070-store-service-and-cli-notes.md#srcsweepqueuewire-checkts.
import { z } from 'zod';
import { PATH_STATUSES } from '../sweep.ts';
import { gridPointCount } from '../sweep-grid.ts';
import type { SweepDefinition } from '../sweep-units.ts';
import type { ChunkJob, ResultsJob, WireUnit } from './protocol.ts';

/** A job whose data is not what execsim puts there. */
export class WireDataError extends Error {}

const count = z.number().int().nonnegative();
const figure = z.number().nullable();
/** The decimal texts of a parent report (quantities, prices). */
const decimal = z.string().regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/, 'expected a decimal number as text');

// The path and its parents' metrics are stored as they arrive (in the unit's result JSON and the
// report): strict, so no field of another kind rides along into the store.
const pathMetrics = z.strictObject({
  status: z.enum(PATH_STATUSES as [string, ...string[]]),
  shortfallQuote: figure,
  shortfallBps: figure,
  fillRatio: figure,
  durationMs: figure,
});
const sweepPath = z.strictObject({
  path: count,
  point: count.optional(),
  seed: count,
  digest: z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 digest (64 hex digits)'),
  passed: z.boolean(),
  shortfallBps: figure,
  fillRatio: figure,
  // Absent from a worker of an execsim before paths had a net P&L.
  netPnl: figure.optional(),
  // Absent from a worker of an execsim before paths had costs.
  costs: z
    .strictObject({
      delayBps: figure,
      timingBps: figure,
      spreadBps: figure,
      opportunityBps: figure,
      feesBps: figure,
      totalCostBps: figure,
      markout5sBps: figure,
      // Absent from a worker of an execsim before paths had these.
      markout1sBps: figure.optional(),
      markout30sBps: figure.optional(),
      markout5mBps: figure.optional(),
      participationPct: figure.optional(),
    })
    .nullable()
    .optional(),
  // Absent from a worker of an execsim before paths had trading figures.
  trading: z
    .strictObject({
      sharpe: figure,
      sortino: figure,
      winRate: figure,
      profitFactor: figure,
      expectancy: figure,
      maxDrawdown: figure,
      trades: figure,
      exposure: figure,
    })
    .nullable()
    .optional(),
  parents: z.record(z.string(), pathMetrics),
});
// Of a parent's full report only the fields the stored rows and the path's totals are made of.
const parentReport = z.looseObject({
  id: z.string(),
  status: z.enum(['filled', 'partially_filled', 'unfilled', 'working']),
  qty: decimal,
  filledQty: decimal,
  arrivalPrice: decimal.nullable(),
  shortfallBps: figure,
  shortfallQuote: decimal.nullable(),
  fillRatio: z.number(),
  vwapSlippageBps: figure,
  durationMs: figure,
});
const expectation = z.strictObject({ name: z.string(), expected: z.string(), pass: z.boolean() });
const wireUnit = z.object({
  unit: count,
  point: count,
  path: sweepPath,
  parents: z.array(parentReport),
  expectations: z.array(expectation),
});
const resultsJob = z.object({
  sweepId: z.string(),
  chunkJobId: z.string(),
  worker: z.string(),
  results: z.array(wireUnit).min(1),
});

const gridAxis = z.object({ key: z.string(), values: z.array(z.string()) });
const chunkJob = z.object({
  sweepId: z.string(),
  codeVersion: z.string(),
  def: z.object({
    file: z.string(),
    yaml: z.string(),
    seed: count,
    paths: z.number().int().positive(),
    grid: z.array(gridAxis),
  }),
  units: z.array(count).min(1),
});

/** The first problem zod found, as `field: problem` (the field as a JS path, e.g. results[0].path.seed). */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'not the expected shape';
  let where = '';
  for (const key of issue.path)
    where += typeof key === 'number' ? `[${key}]` : `${where === '' ? '' : '.'}${String(key)}`;
  const what = issue.message.replace(/^Invalid input: /, '');
  return `${where === '' ? 'data' : where}: ${what}`;
}

/** Who a job came from, for messages: its id and, when it names one, its worker. */
function jobLabel(kind: string, jobId: string | undefined, data: unknown): string {
  const worker = (data as { worker?: unknown } | null)?.worker;
  return `${kind} ${JSON.stringify(jobId ?? '')}${typeof worker === 'string' ? ` from worker ${JSON.stringify(worker)}` : ''}`;
}

/** What a results job of this sweep must agree with. */
export interface SweepIdentity {
  readonly sweepId: string;
  readonly def: Pick<SweepDefinition, 'paths' | 'grid'>;
  /** The seed of path index i (seedDeriver of the sweep seed). */
  readonly seedOf: (index: number) => number;
}

/** Checks a results job's data for sweep `sweep`: its units, in order; else WireDataError. */
export function checkResultsJob(jobId: string | undefined, data: unknown, sweep: SweepIdentity): readonly WireUnit[] {
  const label = jobLabel('results job', jobId, data);
  const parsed = resultsJob.safeParse(data);
  if (!parsed.success) throw new WireDataError(`${label}: ${firstIssue(parsed.error)}`);
  const job = data as ResultsJob;
  if (job.sweepId !== sweep.sweepId)
    throw new WireDataError(`${label}: sweepId: ${JSON.stringify(job.sweepId)} is not this sweep (${sweep.sweepId})`);
  const points = gridPointCount(sweep.def.grid);
  const total = points * sweep.def.paths;
  const seen = new Set<number>();
  job.results.forEach((w, k) => {
    const at = `${label}: results[${k}]`;
    if (w.unit >= total) throw new WireDataError(`${at}.unit: ${w.unit} is not in 0..${total - 1}`);
    if (seen.has(w.unit)) throw new WireDataError(`${at}.unit: unit ${w.unit} appears twice`);
    seen.add(w.unit);
    const point = w.unit % points;
    const index = Math.floor(w.unit / points);
    if (w.point !== point) throw new WireDataError(`${at}.point: ${w.point}, but unit ${w.unit} is at point ${point}`);
    if (w.path.path !== index)
      throw new WireDataError(`${at}.path.path: ${w.path.path}, but unit ${w.unit} is path ${index}`);
    if (w.path.point !== undefined && w.path.point !== point)
      throw new WireDataError(`${at}.path.point: ${w.path.point}, but unit ${w.unit} is at point ${point}`);
    const seed = sweep.seedOf(index);
    if (w.path.seed !== seed)
      throw new WireDataError(`${at}.path.seed: ${w.path.seed}, but path ${index} of this sweep has seed ${seed}`);
  });
  return job.results;
}

/** The unit numbers a results job of a resumed sweep holds; WireDataError when it is not one. */
export function resultsJobUnits(jobId: string | undefined, data: unknown, sweep: SweepIdentity): number[] {
  return checkResultsJob(jobId, data, sweep).map((w) => w.unit);
}

/** Checks a chunk job's data; its sweep id must be the one its job id starts with. */
export function checkChunkJob(jobId: string | undefined, data: unknown): ChunkJob {
  const label = jobLabel('chunk job', jobId, data);
  const parsed = chunkJob.safeParse(data);
  if (!parsed.success) throw new WireDataError(`${label}: ${firstIssue(parsed.error)}`);
  const job = data as ChunkJob;
  if (!(jobId ?? '').startsWith(`${job.sweepId}.`))
    throw new WireDataError(`${label}: sweepId: ${JSON.stringify(job.sweepId)} is not the sweep the job id names`);
  return job;
}
