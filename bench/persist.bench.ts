// Persistence: how fast a run's log goes into SQLite, and what storing costs a run, for two
// workloads: 'samples', the bench's one-hour TWAP with 600 slices and a market sample every 100 ms
// (about 7,300 log entries and 39,000 samples), and 'orders', the same hour with 3,000 slices and
// the default sampling (about 36,000 log entries, 3,000 orders and fills, 3,900 samples): an
// order-heavy run, where the log's lines and the order and fill rows are most of what is written.
// - The store's own cost: the run's log recorded once with the points where the log committed,
//   then replayed into a writer on a fresh database file, timed from the first write to the
//   finished run's transaction (wall and this process's CPU): 'threaded', the writer a grouped run
//   in a file uses on its writer thread (PrefoldedRunWriter, handed lines and the run's counts,
//   4,096 events a transaction; its order and fill rows are built when first read, which
//   bench:store-read times), and 'durable' (RunWriter, a transaction per commit: runs
//   with restarts and paper runs). Closing the database (its WAL checkpoint) is reported apart.
// - In this process: the same scenario run with and without a store (runScenario, a fresh file
//   each stored run), wall and CPU, and the ratio stored / unstored, after three unstored and three
//   stored warm-up runs (the JIT of both threads). A stored run's SQLite writes run on a writer
//   thread (src/store/threaded-writer.ts; on two cores the process's first stored run writes on
//   its own thread, the warm-ups' later ones start the writer thread): CPU is the process's (all
//   threads), and on Linux it
//   is split by thread (from /proc/self/task/*/schedstat): the run's own thread, the busiest
//   other one (a stored run's writer thread) and the rest (V8's GC and compiler threads).
// - Whole commands, as users run them: the built CLI, `execsim run FILE --no-store` against
//   `execsim run FILE --db DB`, interleaved, each a new process (its JIT cold), the database a fresh
//   file for each run ('new file') or one file the runs before were stored in ('existing file').
//   Wall from spawn to exit, CPU of the child (user + system, from /proc/self/stat). On two cores
//   such a command writes on the run's own thread (one run: the writer thread's start would cost
//   it more than the writes). Then `execsim export RUN --orders` of runs stored in new files, twice
//   each: the first builds the order and fill rows from the log (they are built on first read),
//   the second reads them.
// Medians; the machine and its load average are printed with the figures.
// Run: npm run bench:persist [-- --runs N --commands N --workload samples|orders] (--commands: pairs of
// whole commands per database, default 11)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Rng } from '../src/core/clock/rng.ts';
import { VirtualClock } from '../src/core/clock/virtual-clock.ts';
import { EventLog } from '../src/core/log/event-log.ts';
import type { LogEntry } from '../src/core/model/events.ts';
import { makeInstrument, type Instrument } from '../src/core/model/instrument.ts';
import { OrderLedger } from '../src/core/order/order-ledger.ts';
import { runScenario } from '../src/runtime/backtest-run.ts';
import { distProblem } from '../src/boot/code-loader.js';
import { prepareRun } from '../src/host/backtest-world.ts';
import { parseScenario, type LoadedScenario } from '../src/scenario/load-scenario.ts';
import { parseDurationMs, parseUtcInstant } from '../src/core/model/time-fields.ts';
import { openDatabase } from '../src/store/open-database.ts';
import { PrefoldedRunWriter } from '../src/store/prefolded-writer.ts';
import { RunCounts, type UnitCounts } from '../src/store/run-counts.ts';
import { RunStore } from '../src/store/run-store.ts';
import { SAMPLE_BYTES, SampleBuffer } from '../src/store/sample-blocks.ts';
import { childrenCpuMs } from './child-cpu.ts';
import { TWAP_ONE_HOUR } from './twap.bench.ts';

/** The bench's one-hour TWAP with more slices and finer samples: about 46,000 events written
 *  (about 7,300 log entries and 39,000 market samples, which are kept beside the log). */
export const PERSIST_RUN = TWAP_ONE_HOUR.replace('slices: 120', 'slices: 600') + 'report: { sampleMs: 100 }\n';

/** The same hour, order-heavy: 3,000 slices (a slice every 1.2 s), the default sampling (a sample
 *  a second): about 36,000 log entries, most of them about the orders. */
export const ORDER_HEAVY_RUN = TWAP_ONE_HOUR.replace('slices: 120', 'slices: 3000');

export const WORKLOADS = { samples: PERSIST_RUN, orders: ORDER_HEAVY_RUN } as const;
export type Workload = keyof typeof WORKLOADS;

/** Unstored and stored runs before the measured pairs. */
const WARM_UP_RUNS = 3;

interface Timing {
  wallMs: number;
  cpuMs: number;
  /** CPU of the thread the run ran on (Linux; null elsewhere). */
  mainCpuMs: number | null;
  /** CPU of the busiest other thread (a stored run's writer thread) and of all the others
   *  (Linux; null elsewhere). */
  writerCpuMs: number | null;
  otherCpuMs: number | null;
}

/** CPU so far of each of this process's threads, ms by thread id (Linux: /proc, scheduler
 *  nanoseconds); null elsewhere. */
function threadCpuMs(): Map<string, number> | null {
  try {
    const cpu = new Map<string, number>();
    for (const tid of readdirSync('/proc/self/task')) {
      try {
        cpu.set(tid, Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6);
      } catch {
        // The thread ended between the listing and the read.
      }
    }
    return cpu;
  } catch {
    return null;
  }
}

/** The run's thread, the busiest other thread and the rest, since `t0`. */
function since(t0: Map<string, number> | null): Pick<Timing, 'mainCpuMs' | 'writerCpuMs' | 'otherCpuMs'> {
  const t = threadCpuMs();
  if (t === null || t0 === null) return { mainCpuMs: null, writerCpuMs: null, otherCpuMs: null };
  const main = String(process.pid);
  const others = [...t].filter(([tid]) => tid !== main).map(([tid, ms]) => ms - (t0.get(tid) ?? 0));
  const writer = Math.max(0, ...others);
  return {
    mainCpuMs: (t.get(main) ?? 0) - (t0.get(main) ?? 0),
    writerCpuMs: writer,
    otherCpuMs: others.reduce((a, b) => a + b, 0) - writer,
  };
}

export interface WriterFigures {
  readonly writer: 'threaded' | 'durable';
  /** From the first write to the end of the finished run's transaction (medians). */
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly eventsPerSec: number;
  readonly eventsPerCpuSec: number;
  /** Closing the database: its WAL checkpoint (median wall ms). */
  readonly closeMs: number;
}

export interface CommandFigures {
  readonly database: 'new file' | 'existing file';
  /** Medians over the runs, and each run's wall. */
  readonly unstoredMs: number;
  readonly storedMs: number;
  readonly unstoredCpuMs: number | null;
  readonly storedCpuMs: number | null;
  readonly ratioWall: number;
  readonly ratioCpu: number | null;
  /** Each pair's stored / unstored wall: its lower quartile, median and upper quartile (a
   *  machine shared with other work moves single pairs by 10% and more). */
  readonly pairRatios: readonly [number, number, number];
  readonly pairs: ReadonlyArray<readonly [number, number]>;
  /** `execsim export RUN --orders` of a run stored in a new file, wall: the first one builds the
   *  order and fill rows from the log, the next reads them (medians of up to 5; null for the
   *  existing file). */
  readonly firstReadMs: number | null;
  readonly readAgainMs: number | null;
}

export interface PersistBenchResult {
  readonly workload: Workload;
  readonly node: string;
  readonly cpu: string;
  readonly cores: number;
  readonly loadAverage: readonly number[];
  readonly runs: number;
  readonly events: number;
  readonly logCommits: number;
  readonly writers: readonly WriterFigures[];
  readonly unstored: Timing;
  readonly stored: Timing;
  readonly ratioWall: number;
  readonly ratioCpu: number;
  readonly commands: readonly CommandFigures[];
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

/** The lower quartile, median and upper quartile of `xs` (nearest rank). */
const quartiles = (xs: readonly number[]): [number, number, number] => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
  return [at(0.25), at(0.5), at(0.75)];
};

const cpuMsSince = (c0: NodeJS.CpuUsage): number => {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};

/** One step of a recorded run: an entry with its line, or a commit; at a commit where the run's
 *  thread hands units over to its writer thread (once 4,096 events wait), the counts they bring
 *  the run to. */
type Step =
  { readonly entry: LogEntry; readonly line: string } | { readonly commit: true; readonly counts: UnitCounts | null };

/** Events the run's thread hands over at once (ThreadedRunWriter's POST_EVENTS). */
const POST_EVENTS = 4_096;

/** The run's log, with the run's counts at each commit read from its process's ledger. */
function record(loaded: LoadedScenario, instrument: Instrument): Step[] {
  const s = loaded.scenario;
  const start = parseUtcInstant(s.start);
  const clock = new VirtualClock(start);
  const trace: Step[] = [];
  const delta = new RunCounts();
  let waiting = 0;
  const run = prepareRun({
    scenario: s,
    file: loaded.file,
    clock,
    rng: new Rng(s.seed),
    log: new EventLog(clock),
    instrument,
    start,
    sinks: [
      {
        write: (entry, line) => {
          if (entry.event.kind !== 'MarketSampled') delta.write(entry);
          trace.push({ entry, line: line.text() });
          waiting++;
        },
        commit: () => {
          delta.unitEnd();
          const post = waiting >= POST_EVENTS;
          if (post) waiting = 0;
          trace.push({ commit: true, counts: post ? delta.units : null });
        },
        follow: (ledger: OrderLedger) => delta.follow(ledger),
      },
    ],
  });
  clock.advanceTo(start + parseDurationMs(s.duration));
  run.audit();
  // The run's end: what the log appended after its last commit is written with it.
  delta.unitEnd();
  trace.push({ commit: true, counts: delta.units });
  return trace;
}

const EVENTS_PER_TRANSACTION = 4_096;

function replay(
  loaded: LoadedScenario,
  instrument: Instrument,
  trace: readonly Step[],
  writerKind: WriterFigures['writer'],
  dir: string,
): { wallMs: number; cpuMs: number; closeMs: number } {
  const file = path.join(dir, `${writerKind}.db`);
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  const store = new RunStore(openDatabase(file));
  const s = loaded.scenario;
  store.createRun({
    id: 'bench',
    scenarioName: s.name,
    scenarioHash: loaded.hash,
    scenarioJson: loaded.canonical,
    seed: s.seed,
    codeVersion: 'bench',
    startedAt: new Date().toISOString(),
    simStart: 0,
  });
  const utf8 = new TextEncoder();
  let events = 0;
  const totals = () => ({
    digest: 'bench',
    simEnd: 1,
    eventCount: events,
    finishedAt: new Date().toISOString(),
    reportJson: '{}',
    passed: true,
  });
  // The threaded writer is handed whole units as the run's thread hands them over: their lines as
  // bytes, their samples packed, their counts.
  const lines: string[] = [];
  const samples = new SampleBuffer();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  if (writerKind === 'durable') {
    const writer = store.writer('bench', instrument, { commits: 'durable' });
    for (const t of trace) {
      if ('commit' in t) writer.commit();
      else {
        writer.write(t.entry, t.line);
        events++;
      }
    }
    store.finishRun(writer, totals());
  } else {
    const writer = new PrefoldedRunWriter(store.db, 'bench');
    for (const t of trace) {
      if ('commit' in t) {
        if (t.counts === null) continue;
        const bytes = utf8.encode(lines.join(''));
        writer.add({
          lines: bytes,
          lineCount: lines.length,
          samples: samples.values.slice(0, samples.count * (SAMPLE_BYTES / 8)),
          sampleCount: samples.count,
          counts: t.counts,
        });
        lines.length = 0;
        samples.drop(samples.count);
        writer.writeIfDue(EVENTS_PER_TRANSACTION);
      } else {
        if (t.entry.event.kind === 'MarketSampled') samples.add(t.entry.seq, t.entry.time, t.entry.event);
        else lines.push(t.line);
        events++;
      }
    }
    store.finishRun(writer, totals());
  }
  const wallMs = performance.now() - t0;
  const cpuMs = cpuMsSince(c0);
  const t1 = performance.now();
  store.db.close();
  return { wallMs, cpuMs, closeMs: performance.now() - t1 };
}

/** Whole commands: the built CLI run unstored and stored, interleaved, `runs` pairs. */
function commands(yaml: string, dir: string, runs: number): CommandFigures[] {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const file = path.join(dir, 'workload.yaml');
  writeFileSync(file, yaml);
  const env = { ...process.env };
  delete env.EXECSIM_CODE;
  delete env.NODE_OPTIONS;
  const run = (args: string[]): { wallMs: number; cpuMs: number | null } => {
    const c0 = childrenCpuMs();
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['bin/execsim.js', 'run', file, ...args], { cwd: root, env });
    const wallMs = performance.now() - t0;
    const c1 = childrenCpuMs();
    if (r.status !== 0) throw new Error(`execsim run ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
    return { wallMs, cpuMs: c0 === null || c1 === null ? null : c1 - c0 };
  };
  const cli = (args: string[]): { wallMs: number; stdout: string } => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['bin/execsim.js', ...args], { cwd: root, env });
    if (r.status !== 0) throw new Error(`execsim ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
    return { wallMs: performance.now() - t0, stdout: r.stdout.toString() };
  };
  /** `execsim export RUN --orders` of the one run stored in `db`, timed (wall). */
  const exportOrders = (db: string): number => {
    const [listed] = JSON.parse(cli(['runs', '--db', db, '--json']).stdout) as Array<{ runId: string }>;
    if (!listed) throw new Error(`no run stored in ${db}`);
    return cli(['export', listed.runId, '--orders', '--db', db, '--out', path.join(dir, 'orders.csv')]).wallMs;
  };
  const existing = path.join(dir, 'existing.db');
  run(['--db', existing]); // the file the 'existing file' runs are stored in, and a first run
  const out: CommandFigures[] = [];
  for (const database of ['new file', 'existing file'] as const) {
    const pairs: Array<[number, number]> = [];
    const cpu: Array<[number | null, number | null]> = [];
    for (let i = 0; i < runs; i++) {
      const a = run(['--no-store']);
      const db = database === 'new file' ? path.join(dir, `fresh-${i}.db`) : existing;
      const b = run(['--db', db]);
      pairs.push([a.wallMs, b.wallMs]);
      cpu.push([a.cpuMs, b.cpuMs]);
    }
    const unstoredMs = median(pairs.map((p) => p[0]));
    const storedMs = median(pairs.map((p) => p[1]));
    const known = cpu.every((c) => c[0] !== null && c[1] !== null);
    const unstoredCpuMs = known ? median(cpu.map((c) => c[0] as number)) : null;
    const storedCpuMs = known ? median(cpu.map((c) => c[1] as number)) : null;
    // The first read of a stored run's orders builds their rows from its log (0057): the same
    // export again reads rows already built.
    const firstRead: Array<[number, number]> = [];
    if (database === 'new file')
      for (let i = 0; i < Math.min(runs, 5); i++) {
        const db = path.join(dir, `fresh-${i}.db`);
        firstRead.push([exportOrders(db), exportOrders(db)]);
      }
    out.push({
      database,
      firstReadMs: firstRead.length > 0 ? median(firstRead.map((p) => p[0])) : null,
      readAgainMs: firstRead.length > 0 ? median(firstRead.map((p) => p[1])) : null,
      unstoredMs,
      storedMs,
      unstoredCpuMs,
      storedCpuMs,
      ratioWall: storedMs / unstoredMs,
      ratioCpu: unstoredCpuMs && storedCpuMs ? storedCpuMs / unstoredCpuMs : null,
      pairRatios: quartiles(pairs.map(([a, b]) => b / a)),
      pairs,
    });
  }
  return out;
}

export async function main(workload: Workload = 'samples', runs = 5, commandRuns = 0): Promise<PersistBenchResult> {
  const yaml = WORKLOADS[workload];
  const loaded = parseScenario(yaml, `${workload}.yaml`);
  const instrument = makeInstrument(loaded.scenario.instrument);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'execsim-persist-bench-'));
  try {
    const trace = record(loaded, instrument);
    const events = trace.filter((t) => !('commit' in t)).length;
    const logCommits = trace.length - events;

    const writers: WriterFigures[] = [];
    for (const writer of ['threaded', 'durable'] as const) {
      replay(loaded, instrument, trace, writer, dir); // warm-up (JIT)
      const xs = Array.from({ length: runs }, () => replay(loaded, instrument, trace, writer, dir));
      const wallMs = median(xs.map((x) => x.wallMs));
      const cpuMs = median(xs.map((x) => x.cpuMs));
      writers.push({
        writer,
        wallMs,
        cpuMs,
        eventsPerSec: events / (wallMs / 1000),
        eventsPerCpuSec: events / (cpuMs / 1000),
        closeMs: median(xs.map((x) => x.closeMs)),
      });
    }

    // Warm-up of both sides: the JIT of this thread (the run) and of the writer thread, which the
    // first stored run starts; with one unstored warm-up only, the first pairs still compiled
    // (V8's helper threads ran 100+ ms a run, against 15-45 ms once warm).
    for (let i = 0; i < WARM_UP_RUNS; i++) {
      runScenario(loaded);
      const store = new RunStore(openDatabase(path.join(dir, `warm-up-${i}.db`)));
      runScenario(loaded, { store });
      store.db.close();
    }
    const unstored: Timing[] = [];
    const stored: Timing[] = [];
    for (let i = 0; i < runs; i++) {
      let c0 = process.cpuUsage();
      let m0 = threadCpuMs();
      let t0 = performance.now();
      const a = runScenario(loaded);
      unstored.push({ wallMs: performance.now() - t0, cpuMs: cpuMsSince(c0), ...since(m0) });

      const file = path.join(dir, `run-${i}.db`);
      const store = new RunStore(openDatabase(file));
      c0 = process.cpuUsage();
      m0 = threadCpuMs();
      t0 = performance.now();
      const b = runScenario(loaded, { store });
      stored.push({ wallMs: performance.now() - t0, cpuMs: cpuMsSince(c0), ...since(m0) });
      store.db.close();
      if (a.digest !== b.digest) throw new Error('a stored run has another digest than the same run unstored');
    }
    const medianOf = (xs: Timing[], key: 'mainCpuMs' | 'writerCpuMs' | 'otherCpuMs'): number | null =>
      xs.some((x) => x[key] === null) ? null : median(xs.map((x) => x[key] as number));
    const medians = (xs: Timing[]): Timing => ({
      wallMs: median(xs.map((x) => x.wallMs)),
      cpuMs: median(xs.map((x) => x.cpuMs)),
      mainCpuMs: medianOf(xs, 'mainCpuMs'),
      writerCpuMs: medianOf(xs, 'writerCpuMs'),
      otherCpuMs: medianOf(xs, 'otherCpuMs'),
    });
    const u = medians(unstored);
    const st = medians(stored);
    if (commandRuns > 0) {
      const why = distProblem();
      if (why !== null) throw new Error(`whole commands run the built CLI: ${why} (npm run build)`);
    }
    const cpus = os.cpus();
    return {
      workload,
      node: process.version,
      cpu: cpus[0]?.model ?? 'unknown',
      cores: cpus.length,
      loadAverage: os.loadavg(),
      runs,
      events,
      logCommits,
      writers,
      unstored: u,
      stored: st,
      ratioWall: st.wallMs / u.wallMs,
      ratioCpu: st.cpuMs / u.cpuMs,
      commands: commandRuns > 0 ? commands(yaml, dir, commandRuns) : [],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function print(r: PersistBenchResult): void {
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  console.log(
    `node ${r.node} | ${r.cpu} | ${r.cores} cores | load average ${r.loadAverage.map((x) => x.toFixed(2)).join(' ')}`,
  );
  const what =
    r.workload === 'samples'
      ? 'the one-hour TWAP, 600 slices, samples every 100 ms'
      : 'the one-hour TWAP, 3,000 slices (order-heavy), samples every second';
  console.log(
    `persistence, ${r.workload}: ${what}: ${fmt(r.events)} events (log entries and market samples), ${fmt(r.logCommits)} log commits (medians of ${r.runs})`,
  );
  for (const w of r.writers) {
    console.log(
      `  writer ${w.writer.padEnd(8)} ${fmt(w.eventsPerSec).padStart(9)} events/s persisted (${w.wallMs.toFixed(0)} ms wall, ` +
        `${w.cpuMs.toFixed(0)} ms CPU: ${fmt(w.eventsPerCpuSec)} events/CPU-s); closing the file ${w.closeMs.toFixed(0)} ms`,
    );
  }
  const threads = (t: Timing, writer: boolean) =>
    t.mainCpuMs === null
      ? ''
      : ` (its thread ${t.mainCpuMs.toFixed(0)} ms${writer ? `, the writer thread ${(t.writerCpuMs ?? 0).toFixed(0)} ms` : ''}, ` +
        `other threads ${((t.otherCpuMs ?? 0) + (writer ? 0 : (t.writerCpuMs ?? 0))).toFixed(0)} ms)`;
  console.log(
    `  in this process, warm: unstored ${r.unstored.wallMs.toFixed(0)} ms wall, ${r.unstored.cpuMs.toFixed(0)} ms CPU${threads(r.unstored, false)}; ` +
      `stored ${r.stored.wallMs.toFixed(0)} ms wall, ${r.stored.cpuMs.toFixed(0)} ms CPU${threads(r.stored, true)}; ` +
      `stored / unstored ${r.ratioWall.toFixed(2)}x wall, ${r.ratioCpu.toFixed(2)}x CPU`,
  );
  for (const c of r.commands) {
    const cpu =
      c.unstoredCpuMs === null
        ? ''
        : `, CPU ${c.unstoredCpuMs.toFixed(0)} against ${c.storedCpuMs?.toFixed(0)} ms (${c.ratioCpu?.toFixed(2)}x)`;
    console.log(
      `  whole commands, ${c.database}: execsim run --no-store ${c.unstoredMs.toFixed(0)} ms, --db ${c.storedMs.toFixed(0)} ms: ` +
        `${c.ratioWall.toFixed(2)}x wall${cpu}; each pair's ratio ${c.pairRatios.map((x) => x.toFixed(2)).join(' / ')} ` +
        `(quartile, median, quartile); pairs ${c.pairs.map(([a, b]) => `${a.toFixed(0)}/${b.toFixed(0)}`).join(' ')}`,
    );
    if (c.firstReadMs !== null)
      console.log(
        `    then execsim export --orders of such a run: ${c.firstReadMs.toFixed(0)} ms the first time (its order and fill rows built from the log), ` +
          `${(c.readAgainMs ?? 0).toFixed(0)} ms the next`,
      );
  }
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
if (isMain) {
  const { values } = parseArgs({
    options: { runs: { type: 'string' }, commands: { type: 'string' }, workload: { type: 'string' } },
  });
  const workloads = values.workload === undefined ? (['samples', 'orders'] as const) : [values.workload as Workload];
  for (const w of workloads) {
    if (!(w in WORKLOADS)) throw new Error(`--workload: "${w}" is not one of ${Object.keys(WORKLOADS).join(', ')}`);
    print(await main(w, Number(values.runs ?? 5), Number(values.commands ?? 11)));
  }
}
