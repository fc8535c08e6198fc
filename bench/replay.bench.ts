// Replay benchmark: end-to-end throughput of the bundled Binance BTCUSDT recording, from the two
// .gz files to a synced book. Run: node --import tsx bench/replay.bench.ts (npm run bench:replay)
// Three ways, interleaved round by round in this one process: raw (below), cached (the parsed-replay
// cache as a replay opens it: hashing the files, reading and checking the cache file, handing out
// messages, into the same DepthSync and L2Book), and plain JSON.parse of the same lines (read and
// gunzipped the same way, no book) as the floor a text parser cannot beat; each as messages per
// CPU-second of this process, median over the rounds.
// One run = ReplayFileReader (readSync + fflate streaming gunzip + line split) -> BinanceLineParser
// (every line: depth, bookTicker, trade, snapshot) -> DepthSync applying diffs to an L2Book.
// The figure is lines (messages) / wall time of the whole run; beside it, messages per CPU-second
// of this process (process.cpuUsage), which time slicing by other processes on a shared VM does
// not dilute. Stage figures repeat the run with later stages left out, to show where the time
// goes: gunzip only (fflate on the same reads), read + split lines, and + parse. A last figure
// runs the same pipeline on the files decompressed once to a temporary directory (the reader
// takes plain text too): the replay without the gunzip.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Gunzip, gunzipSync } from 'fflate';
import { ReplayFileReader } from '../src/scenario/replay-file.ts';
import { L2Book } from '../src/sim/book/l2-book.ts';
import { BinanceLineParser, type BinanceMessage } from '../src/sim/replay/binance-messages.ts';
import { DepthSync } from '../src/sim/replay/depth-sync.ts';
import { openReplaySource } from '../src/scenario/build-replay.ts';

export interface ReplayBenchResult {
  node: string;
  cpu: string;
  cores: number;
  files: string[];
  messages: number;
  decompressedBytes: number;
  /** The first run in this process (cold JIT), messages/s. */
  coldMsgsPerSec: number;
  runs: number;
  runsMsgsPerSec: number[];
  medianMsgsPerSec: number;
  /** Messages per CPU-second of this process, median over the same runs. */
  medianMsgsPerCpuSec: number;
  /** The same end-to-end run on the decompressed files (median), messages/s. */
  plainTextMsgsPerSec: number;
  /** Median ms per run of each stage alone (cumulative stages). */
  stagesMs: { gunzip: number; readAndSplit: number; parse: number; endToEnd: number };
  applied: number;
  gaps: number;
  /** The three ways, messages per CPU-second (median over the same interleaved rounds). */
  ways: { raw: number; cached: number; jsonParse: number };
  /** Size of the cache file, bytes. */
  cacheBytes: number;
  /** Load average (1 min) before and after the measured rounds. */
  load: [number, number];
}

const here = path.dirname(fileURLToPath(import.meta.url));
const DATA_DIR = process.env.EXECSIM_REPLAY_DATA ?? path.resolve(here, '../scenarios/data/binance-spot');
const FILES = ['btcusdt_20240808.gz', 'btcusdt_20240809.gz'].map((f) => path.join(DATA_DIR, f));
const GRID = { tickSize: '0.01', lotSize: '0.00000001' };
const RUNS = 9;
const CHUNK = 65_536;

function endToEnd(files = FILES): { ms: number; cpuMs: number; messages: number; applied: number; gaps: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const reader = new ReplayFileReader(files, { chunkBytes: CHUNK });
  const parser = new BinanceLineParser(GRID);
  return synced(
    () => (reader.next() ? parser.parseBytes(reader.bytes, reader.start, reader.end, reader.lineNo) : null),
    c0,
    t0,
  );
}

/** The cached way: what a replay does on every run after the first, into the same book. */
function cached(cacheDir: string): { ms: number; cpuMs: number; messages: number; applied: number; gaps: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const opened = openReplaySource(FILES, { ...GRID, symbol: 'BTCUSDT' }, { cacheDir });
  if (opened.kind !== 'cache-read') throw new Error(`expected to read the cache, got ${opened.kind}`);
  const source = opened.source;
  return synced(() => source.next(), c0, t0);
}

/** Every message `next` gives, into one synced book; what it cost since `c0` and `t0`. */
function synced(
  next: () => BinanceMessage | null,
  c0: NodeJS.CpuUsage,
  t0: number,
): { ms: number; cpuMs: number; messages: number; applied: number; gaps: number } {
  const sync = new DepthSync(new L2Book());
  let messages = 0;
  for (let m = next(); m !== null; m = next()) {
    messages++;
    if (m.kind === 'depth') sync.onDepth(m);
    else if (m.kind === 'snapshot') sync.onSnapshot(m);
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, messages, applied: sync.counts.applied, gaps: sync.counts.gaps };
}

const decoder = new TextDecoder();

/** The floor: the same lines read the same way, each decoded and handed to JSON.parse. */
function jsonParse(): { cpuMs: number; messages: number } {
  const c0 = process.cpuUsage();
  const reader = new ReplayFileReader(FILES, { chunkBytes: CHUNK });
  let messages = 0;
  let keep = 0;
  while (reader.next()) {
    const b = reader.bytes;
    let i = reader.start;
    while (b[i] !== 32) i++;
    const v = JSON.parse(decoder.decode(b.subarray(i + 1, reader.end))) as object;
    if (v !== null) keep++;
    messages++;
  }
  const cpu = process.cpuUsage(c0);
  if (keep !== messages) throw new Error('JSON.parse returned null');
  return { cpuMs: (cpu.user + cpu.system) / 1000, messages };
}

function parseOnly(): number {
  const t0 = performance.now();
  const reader = new ReplayFileReader(FILES, { chunkBytes: CHUNK });
  const parser = new BinanceLineParser(GRID);
  while (reader.next()) parser.parseBytes(reader.bytes, reader.start, reader.end, reader.lineNo);
  return performance.now() - t0;
}

function readAndSplit(): { ms: number; lines: number } {
  const t0 = performance.now();
  const reader = new ReplayFileReader(FILES, { chunkBytes: CHUNK });
  let lines = 0;
  while (reader.next()) lines++;
  return { ms: performance.now() - t0, lines };
}

function gunzipOnly(): { ms: number; bytes: number } {
  const t0 = performance.now();
  let bytes = 0;
  for (const file of FILES) {
    const fd = fs.openSync(file, 'r');
    const gunzip = new Gunzip((out) => {
      bytes += out.length;
    });
    while (true) {
      const buf = new Uint8Array(CHUNK);
      const n = fs.readSync(fd, buf, 0, CHUNK, null);
      gunzip.push(buf.subarray(0, n), n === 0);
      if (n === 0) break;
    }
    fs.closeSync(fd);
  }
  return { ms: performance.now() - t0, bytes };
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export async function main(): Promise<ReplayBenchResult> {
  for (const file of FILES) {
    if (!fs.existsSync(file))
      throw new Error(
        `${file} is missing: the replay bench needs the bundled BTCUSDT recording (set EXECSIM_REPLAY_DATA)`,
      );
  }
  const cpus = os.cpus();
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-replay-cache-bench-'));
  const first = openReplaySource(FILES, { ...GRID, symbol: 'BTCUSDT' }, { cacheDir });
  if (first.kind !== 'cache-written' || first.cacheFile === null) throw new Error(`cache not written: ${first.kind}`);
  const cacheBytes = fs.statSync(first.cacheFile).size;
  const load0 = os.loadavg()[0] as number;
  const ways = { raw: [] as number[], cached: [] as number[], jsonParse: [] as number[] };
  try {
    for (let i = 0; i < 2; i++) {
      endToEnd();
      cached(cacheDir);
      jsonParse();
    }
    for (let run = 0; run < RUNS; run++) {
      const r = endToEnd();
      const c = cached(cacheDir);
      const j = jsonParse();
      if (c.messages !== r.messages || c.applied !== r.applied || c.gaps !== r.gaps || j.messages !== r.messages)
        throw new Error('the cached replay differs from the raw one');
      ways.raw.push((r.messages / r.cpuMs) * 1000);
      ways.cached.push((c.messages / c.cpuMs) * 1000);
      ways.jsonParse.push((j.messages / j.cpuMs) * 1000);
    }
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
  const load1 = os.loadavg()[0] as number;
  const cold = endToEnd();
  for (let i = 0; i < 2; i++) endToEnd(); // warm-up (JIT)
  const e2e: number[] = [];
  const e2eCpu: number[] = [];
  let last = cold;
  for (let run = 0; run < RUNS; run++) {
    last = endToEnd();
    e2e.push(last.ms);
    e2eCpu.push(last.cpuMs);
  }
  const gz: number[] = [];
  const split: number[] = [];
  const parse: number[] = [];
  let decompressedBytes = 0;
  for (let run = 0; run < RUNS; run++) {
    const g = gunzipOnly();
    decompressedBytes = g.bytes;
    gz.push(g.ms);
    split.push(readAndSplit().ms);
    parse.push(parseOnly());
  }
  const messages = last.messages;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-replay-bench-'));
  const plain: number[] = [];
  try {
    const plainFiles = FILES.map((f, i) => {
      const out = path.join(tmp, `${i}.txt`);
      fs.writeFileSync(out, gunzipSync(fs.readFileSync(f)));
      return out;
    });
    endToEnd(plainFiles);
    for (let run = 0; run < RUNS; run++) plain.push(endToEnd(plainFiles).ms);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return {
    node: process.version,
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    files: FILES.map((f) => path.basename(f)),
    messages,
    decompressedBytes,
    coldMsgsPerSec: (cold.messages / cold.ms) * 1000,
    runs: RUNS,
    runsMsgsPerSec: e2e.map((ms) => (messages / ms) * 1000),
    medianMsgsPerSec: (messages / median(e2e)) * 1000,
    medianMsgsPerCpuSec: (messages / median(e2eCpu)) * 1000,
    plainTextMsgsPerSec: (messages / median(plain)) * 1000,
    stagesMs: { gunzip: median(gz), readAndSplit: median(split), parse: median(parse), endToEnd: median(e2e) },
    applied: last.applied,
    gaps: last.gaps,
    ways: { raw: median(ways.raw), cached: median(ways.cached), jsonParse: median(ways.jsonParse) },
    cacheBytes,
    load: [load0, load1],
  };
}

function fmt(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
if (isMain) {
  const r = await main();
  console.log(`node ${r.node} | ${r.cpu} | ${r.cores} cores`);
  console.log(
    `replay ${r.files.join(' + ')}: ${fmt(r.messages)} messages, ${(r.decompressedBytes / 1e6).toFixed(1)} MB decompressed, ` +
      `${fmt(r.applied)} diffs applied, ${r.gaps} gaps`,
  );
  console.log(
    `end to end: ${fmt(r.medianMsgsPerSec)} messages/s (median of ${r.runs} runs: ${r.runsMsgsPerSec.map(fmt).join(', ')}); ` +
      `first (cold) run ${fmt(r.coldMsgsPerSec)}/s; per CPU-second ${fmt(r.medianMsgsPerCpuSec)}`,
  );
  const s = r.stagesMs;
  console.log(
    `stages, median ms per run: gunzip ${s.gunzip.toFixed(1)} | read+gunzip+split ${s.readAndSplit.toFixed(1)} | ` +
      `+ parse ${s.parse.toFixed(1)} | + sync/book (end to end) ${s.endToEnd.toFixed(1)}`,
  );
  console.log(
    `three ways, messages per CPU-second (median of ${r.runs} interleaved rounds, load ${r.load[0].toFixed(1)}-${r.load[1].toFixed(1)}): ` +
      `raw ${fmt(r.ways.raw)} | cached ${fmt(r.ways.cached)} | JSON.parse alone ${fmt(r.ways.jsonParse)} ` +
      `(cache file ${(r.cacheBytes / 1e6).toFixed(1)} MB)`,
  );
  console.log(
    `same pipeline on the decompressed files (no gunzip): ${fmt(r.plainTextMsgsPerSec)} messages/s (median of ${r.runs})`,
  );
}
