// `execsim sweep <scenario> --paths N [--seed S] [--json] [--store [--db PATH]]`: one scenario
// over N derived seeds (src/runtime/sweep.ts), printed as a summary table or, with --json, one
// JSON object. A progress bar goes to stderr only when stderr is a terminal. Exit codes: 0 when
// the sweep ran (expectations are reported as pass counts per expectation, not as a failure:
// a sweep reports distributions), 2 for bad input (thrown as UsageError or ScenarioError and
// mapped by main). Nothing is stored unless --store is given; then the sweep and its paths are
// written into the store as they run (in batches: a killed sweep keeps whole paths) and the
// summary names the sweep's id.
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { DEFAULT_DB_PATH, openDatabase } from '../store/open-database.ts';
import { SweepStore } from '../store/sweep-store.ts';
import { MAX_SWEEP_PATHS, METRICS, PATH_STATUSES, runSweep, type Metric, type SweepResult } from '../runtime/sweep.ts';
import { newSweep, newSweepId, SweepRecorder } from '../runtime/sweep-recorder.ts';
import { loadScenarioSource } from '../scenario/load-scenario.ts';
import { argsProblem, parseSeed, UsageError, type Io } from './io.ts';

export const SWEEP_HELP = `usage: execsim sweep <scenario> --paths N [--seed S] [--json] [--store [--db PATH]]
Runs one scenario over N paths (1..${MAX_SWEEP_PATHS.toLocaleString('en-US')}), each with a seed derived from S (default: the
scenario's seed) and the path number, and reports per parent the mean, standard deviation and
5th/50th/95th percentiles of implementation shortfall (quote currency and bps), fill ratio and
duration. Path i reproduces with \`execsim run <scenario> --seed <its seed>\` (seeds are in --json).
  --paths N     number of paths (required)
  --seed S      sweep seed the path seeds derive from
  --json        one JSON object: scenario, seed, paths, perPath, summary, expectations (and
                sweepId with --store)
  --store       store the sweep and its paths (seed, digest, per-parent figures) as it runs, and
                print its id (off by default: nothing is stored)
  --db PATH     the database for --store (else $EXECSIM_DB, else ${DEFAULT_DB_PATH})
  --queue URL   run the paths on \`execsim worker\` processes through Redis (redis://host:port);
                see \`execsim sweep --queue URL --help\` (also --resume <sweepId>)
Exit codes: 0 the sweep ran (expectations are counted per path, not failed on), 2 bad input.`;

/** Whether a sweep's arguments ask for the queue: the queued sweep command runs it instead. */
export function wantsQueue(args: readonly string[]): boolean {
  return args.some((a) => /^--(queue|resume)(=|$)/.test(a));
}

/** Where the progress bar goes: a terminal's stderr, or nowhere. */
export interface ProgressSink {
  write(text: string): void;
  readonly columns: number;
}

function terminalProgress(): ProgressSink | null {
  const s = process.stderr;
  return s.isTTY ? { write: (t) => void s.write(t), columns: s.columns || 80 } : null;
}

/** One line of the progress bar (no \r), at most `columns - 1` characters. */
export function progressLine(label: string, done: number, total: number, elapsedMs: number, columns: number): string {
  const width = 30;
  const filled = Math.floor((done / total) * width);
  const pct = Math.floor((done / total) * 100);
  const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
  const line = `sweep ${label} [${bar}] ${String(pct).padStart(3)}% ${done}/${total} paths ${(elapsedMs / 1000).toFixed(1)} s`;
  return line.slice(0, Math.max(0, columns - 1));
}

function positiveInt(flag: string, text: string, max: number): number {
  if (!/^\d+$/.test(text) || BigInt(text) < 1n) throw new UsageError(`${flag}: "${text}" is not a positive integer`);
  if (BigInt(text) > BigInt(max)) throw new UsageError(`${flag}: ${text} is above the limit of ${max}`);
  return Number(text);
}

export function sweepCommand(
  args: readonly string[],
  io: Io,
  progress: ProgressSink | null = terminalProgress(),
): number {
  if (wantsQueue(args))
    throw new UsageError('sweep --queue runs as a process: use the execsim command (bin/execsim.js)');
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        paths: { type: 'string' },
        seed: { type: 'string' },
        db: { type: 'string' },
        store: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw new UsageError(argsProblem(err));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(SWEEP_HELP);
    return 0;
  }
  if (positionals.length !== 1)
    throw new UsageError(`sweep needs exactly one scenario file, got ${positionals.length}`);
  if (values.paths === undefined)
    throw new UsageError(`--paths is required: the number of paths to run (1..${MAX_SWEEP_PATHS})`);
  const paths = positiveInt('--paths', values.paths, MAX_SWEEP_PATHS);
  const seed = values.seed === undefined ? undefined : parseSeed(values.seed);
  if (values.db !== undefined && !values.store)
    io.err('execsim: --db has no effect without --store (sweep paths are not stored)');
  // Validated before anything runs or any database is opened.
  const source = loadScenarioSource(positionals[0] as string);
  const { loaded } = source;

  let recorder: SweepRecorder | undefined;
  let store: SweepStore | undefined;
  if (values.store) {
    store = new SweepStore(openDatabase(values.db ?? io.env['EXECSIM_DB'] ?? DEFAULT_DB_PATH));
    const id = newSweepId();
    store.create(newSweep(id, source, seed ?? loaded.scenario.seed, paths));
    recorder = new SweepRecorder(store, id);
  }
  const started = performance.now();
  let shown = '';
  let lastDraw = -Infinity;
  const onProgress = progress
    ? (done: number, total: number) => {
        const now = performance.now();
        if (done < total && now - lastDraw < 100) return;
        lastDraw = now;
        const line = progressLine(loaded.scenario.name, done, total, now - started, progress.columns);
        progress.write(`\r${line}${' '.repeat(Math.max(0, shown.length - line.length))}`);
        shown = line;
      }
    : undefined;
  let result: SweepResult;
  try {
    result = runSweep(loaded, {
      paths,
      ...(seed === undefined ? {} : { seed }),
      ...(recorder ? { onPath: recorder.add.bind(recorder) } : {}),
      ...(onProgress ? { onProgress } : {}),
    });
    recorder?.finish(result);
  } catch (err) {
    recorder?.fail(err);
    throw err;
  } finally {
    if (progress && shown) progress.write(`\r${' '.repeat(shown.length)}\r`);
    store?.db.close();
  }
  const wallMs = performance.now() - started;
  const sweepId = recorder?.sweepId ?? null;
  io.out(
    values.json
      ? JSON.stringify(sweepId === null ? result : { ...result, sweepId })
      : formatSweep(result, wallMs, sweepId),
  );
  return 0;
}

const LABELS: Record<Metric, string> = {
  shortfallQuote: 'shortfall quote',
  shortfallBps: 'shortfall bps',
  fillRatio: 'fill ratio',
  durationMs: 'duration ms',
};
const DECIMALS: Record<Metric, number> = { shortfallQuote: 4, shortfallBps: 2, fillRatio: 4, durationMs: 1 };

function fixed(x: number | null, decimals: number): string {
  if (x === null) return '-';
  const s = x.toFixed(decimals);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

function table(header: readonly string[], rows: readonly string[][], leftColumns: number): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (row: readonly string[]) =>
    row
      .map((c, i) => (i < leftColumns ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [fmt(header), ...rows.map(fmt)];
}

/** The human-readable summary of a sweep; `sweepId` is the stored sweep's id (null: not stored). */
export function formatSweep(r: SweepResult, wallMs: number, sweepId: string | null): string {
  const lines: string[] = [];
  lines.push(
    `sweep ${r.scenario}: ${r.paths} path${r.paths === 1 ? '' : 's'}, seeds derived from ${r.seed}, ` +
      `${(wallMs / 1000).toFixed(1)} s wall; ${sweepId !== null ? `stored as sweep ${sweepId}` : 'paths not stored'}`,
  );
  const rows: string[][] = [];
  for (const [id, s] of Object.entries(r.summary)) {
    METRICS.forEach((m, k) => {
      const st = s[m];
      const d = DECIMALS[m];
      rows.push([
        k === 0 ? id : '',
        LABELS[m],
        String(st.n),
        String(st.missing),
        fixed(st.mean, d),
        fixed(st.std, d),
        fixed(st.p5, d),
        fixed(st.p50, d),
        fixed(st.p95, d),
      ]);
    });
  }
  lines.push('', ...table(['parent', 'metric', 'n', 'missing', 'mean', 'std', 'p5', 'p50', 'p95'], rows, 2));
  lines.push('missing: paths without the value (nothing filled: no shortfall; never completed: no duration)');
  lines.push('', 'parent status at the end of the horizon, paths:');
  for (const [id, s] of Object.entries(r.summary)) {
    const counts = PATH_STATUSES.filter((st) => s.status[st] > 0).map((st) => `${st} ${s.status[st]}`);
    lines.push(`  ${id}: ${counts.join(', ')}`);
  }
  if (r.expectations.length > 0) {
    lines.push('', 'expectations, paths on which each held:');
    for (const e of r.expectations) {
      lines.push(
        `  ${String(e.passed).padStart(String(e.paths).length)}/${e.paths}  ${e.name}: expected ${e.expected}`,
      );
    }
  }
  return lines.join('\n');
}
