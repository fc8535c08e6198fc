// Persistence: how fast a run's log goes into SQLite, and what storing costs a run.
// - The store's own cost: the log of a ~46k-event run (the bench's one-hour TWAP with 600 slices
//   and a market sample every 100 ms) recorded once with the points where the log committed, then
//   replayed into a RunWriter on a fresh database file, timed from the first write to the finished
//   run's transaction (wall and this process's CPU), for both commit policies: 'grouped' (what a
//   backtest without restarts uses) and 'durable' (a transaction per commit, what a run with
//   restarts and a paper run use; the writer before group commit wrote every run that way).
//   Closing the database (its WAL checkpoint) is reported apart.
// - End to end: the same scenario run with and without a store (runScenario, a fresh file each
//   stored run), wall and CPU, and the ratio stored / unstored. A stored run's SQLite writes run
//   on a writer thread (src/runtime/threaded-writer.ts): CPU is the process's (all threads), and
//   on Linux it is split by thread (from /proc/self/task/*/schedstat): the run's own thread, the
//   busiest other one (a stored run's writer thread) and the rest (V8's GC and platform threads).
// Medians of several runs, after three unstored and three stored warm-up runs (the JIT of both
// threads); the machine and its load average are printed with the figures.
// Run: node --import tsx bench/persist.bench.ts [runs]
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Rng } from '../src/core/clock/rng.ts';
import { VirtualClock } from '../src/core/clock/virtual-clock.ts';
import { EventLog } from '../src/core/log/event-log.ts';
import type { LogEntry } from '../src/core/model/events.ts';
import { makeInstrument } from '../src/core/model/instrument.ts';
import { runScenario } from '../src/runtime/backtest-run.ts';
import { prepareRun } from '../src/runtime/harness.ts';
import { parseScenario, type LoadedScenario } from '../src/scenario/load-scenario.ts';
import { parseDurationMs, parseUtcInstant } from '../src/scenario/time-fields.ts';
import { openDatabase } from '../src/store/open-database.ts';
import { RunStore, type WriterOptions } from '../src/store/run-store.ts';
import { TWAP_ONE_HOUR } from './twap.bench.ts';

/** The bench's one-hour TWAP with more slices and finer samples: about 46,000 events written
 *  (about 7,300 log entries and 39,000 market samples, which are kept beside the log). */
export const PERSIST_RUN = TWAP_ONE_HOUR.replace('slices: 120', 'slices: 600') + 'report: { sampleMs: 100 }\n';

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
  readonly commits: NonNullable<WriterOptions['commits']>;
  /** From the first write to the end of the finished run's transaction (medians). */
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly eventsPerSec: number;
  readonly eventsPerCpuSec: number;
  /** Closing the database: its WAL checkpoint (median wall ms). */
  readonly closeMs: number;
}

export interface PersistBenchResult {
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
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

const cpuMsSince = (c0: NodeJS.CpuUsage): number => {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};

/** The run's log with a null wherever the log committed. */
function record(loaded: LoadedScenario): Array<{ entry: LogEntry; line: string } | null> {
  const s = loaded.scenario;
  const instrument = makeInstrument(s.instrument);
  const start = parseUtcInstant(s.start);
  const clock = new VirtualClock(start);
  const trace: Array<{ entry: LogEntry; line: string } | null> = [];
  const run = prepareRun(s, loaded.file, clock, new Rng(s.seed), new EventLog(clock), instrument, start, [
    { write: (entry, line) => trace.push({ entry, line: line.text() }), commit: () => trace.push(null) },
  ]);
  clock.advanceTo(start + parseDurationMs(s.duration));
  run.audit();
  return trace;
}

function replay(
  loaded: LoadedScenario,
  trace: ReadonlyArray<{ entry: LogEntry; line: string } | null>,
  commits: NonNullable<WriterOptions['commits']>,
  dir: string,
): { wallMs: number; cpuMs: number; closeMs: number } {
  const file = path.join(dir, `${commits}.db`);
  rmSync(file, { force: true });
  rmSync(`${file}-wal`, { force: true });
  rmSync(`${file}-shm`, { force: true });
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
  const writer = store.writer('bench', makeInstrument(s.instrument), { commits });
  let events = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (const t of trace) {
    if (t === null) writer.commit();
    else {
      writer.write(t.entry, t.line);
      events++;
    }
  }
  store.finishRun(writer, {
    digest: 'bench',
    simEnd: 1,
    eventCount: events,
    finishedAt: new Date().toISOString(),
    reportJson: '{}',
    passed: true,
  });
  const wallMs = performance.now() - t0;
  const cpuMs = cpuMsSince(c0);
  const t1 = performance.now();
  store.db.close();
  return { wallMs, cpuMs, closeMs: performance.now() - t1 };
}

export async function main(runs = 5): Promise<PersistBenchResult> {
  const loaded = parseScenario(PERSIST_RUN, 'persist-run.yaml');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'execsim-persist-bench-'));
  try {
    const trace = record(loaded);
    const events = trace.filter((t) => t !== null).length;
    const logCommits = trace.length - events;

    const writers: WriterFigures[] = [];
    for (const commits of ['grouped', 'durable'] as const) {
      replay(loaded, trace, commits, dir); // warm-up (JIT)
      const xs = Array.from({ length: runs }, () => replay(loaded, trace, commits, dir));
      const wallMs = median(xs.map((x) => x.wallMs));
      const cpuMs = median(xs.map((x) => x.cpuMs));
      writers.push({
        commits,
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
    const cpus = os.cpus();
    return {
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
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
if (isMain) {
  const r = await main(Number(process.argv[2] ?? 5));
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  console.log(
    `node ${r.node} | ${r.cpu} | ${r.cores} cores | load average ${r.loadAverage.map((x) => x.toFixed(2)).join(' ')}`,
  );
  console.log(
    `persistence: the one-hour TWAP, 600 slices, samples every 100 ms: ${fmt(r.events)} events (log entries and market samples), ${fmt(r.logCommits)} log commits (medians of ${r.runs})`,
  );
  for (const w of r.writers) {
    console.log(
      `  writer ${w.commits.padEnd(8)} ${fmt(w.eventsPerSec).padStart(9)} events/s persisted (${w.wallMs.toFixed(0)} ms wall, ` +
        `${w.cpuMs.toFixed(0)} ms CPU: ${fmt(w.eventsPerCpuSec)} events/CPU-s); closing the file ${w.closeMs.toFixed(0)} ms`,
    );
  }
  const threads = (t: Timing, writer: boolean) =>
    t.mainCpuMs === null
      ? ''
      : ` (its thread ${t.mainCpuMs.toFixed(0)} ms${writer ? `, the writer thread ${(t.writerCpuMs ?? 0).toFixed(0)} ms` : ''}, ` +
        `other threads ${((t.otherCpuMs ?? 0) + (writer ? 0 : (t.writerCpuMs ?? 0))).toFixed(0)} ms)`;
  console.log(
    `  run unstored ${r.unstored.wallMs.toFixed(0)} ms wall, ${r.unstored.cpuMs.toFixed(0)} ms CPU${threads(r.unstored, false)}; ` +
      `stored ${r.stored.wallMs.toFixed(0)} ms wall, ${r.stored.cpuMs.toFixed(0)} ms CPU${threads(r.stored, true)}; ` +
      `stored / unstored ${r.ratioWall.toFixed(2)}x wall, ${r.ratioCpu.toFixed(2)}x CPU`,
  );
}
