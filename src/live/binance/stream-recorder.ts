// Records a Binance-compatible venue's public market streams for one symbol into the replay's
// file format: text lines `<receive time, ns since epoch> <message as received>`, the combined
// streams' depth diffs (100 ms), bookTicker and trades, and a REST depth snapshot (a line without
// a "stream" key) at the start, after every reconnect and after every gap in the depth diffs'
// update ids, so the replay can rebuild the book wherever the stream broke.
//
// Files rotate daily (by the receive time's UTC date): the day being recorded is a plain text file
// `<symbol>_<YYYYMMDD>.rec` written line by line (a SIGKILL loses at most the line being written),
// and it is compressed to `<symbol>_<YYYYMMDD>.gz` when the day ends or the recorder stops, written
// under a temporary name, flushed and renamed, the plain file removed only then. A recorder
// started where an earlier one was killed compresses what that one left of its symbol first
// (dropping a partial last line). A recorder holds `<symbol>.recording` in its folder while it
// runs, so recorders of several symbols share a folder and a second one of the same symbol is
// refused. Memory is bounded: each message is written when it arrives, nothing is queued but the
// one snapshot request in flight. The folder's files and locks: recording-folder.ts. Why this
// layout: docs/0082-recording-market-streams.md.
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { compressDay, compressLeftovers, takeRecordingLock } from './recording-folder.ts';

export interface StreamRecorderOptions {
  /** REST base, e.g. https://api.binance.com (GET /api/v3/depth is read from it). */
  readonly restUrl: string;
  /** Market streams base, e.g. wss://stream.binance.com:9443 (/stream?streams=... is opened on it). */
  readonly streamUrl: string;
  /** The symbol as the venue names it, e.g. BTCUSDT. */
  readonly symbol: string;
  /** Folder the day files go to (created when missing). */
  readonly outDir: string;
  /** Whether a process is alive: a lock of the symbol in the folder held by one that is not is
   *  taken over (the store's pidAlive; handed in, as this layer does not reach the store). */
  readonly processAlive: (pid: number) => boolean;
  /** Levels of each REST snapshot (default 1000, Binance's most for one request weight band). */
  readonly depthLimit?: number;
  /** First wait before a reconnect, doubled per failed attempt up to maxReconnectMs. */
  readonly reconnectMs?: number;
  readonly maxReconnectMs?: number;
  /** A snapshot this often besides those at the start and after gaps (0: none; default an hour):
   *  points a replay can start from, and a check that the diffs kept the book. */
  readonly snapshotEveryMs?: number;
  /** Deadline of a snapshot request, ms (default 10,000). */
  readonly requestTimeoutMs?: number;
  /** The wall clock, epoch ms (tests move it across midnight). */
  readonly now?: () => number;
  /** What happens, one line each (connects, gaps, snapshots, rotations, failures). */
  readonly log?: (line: string) => void;
}

export interface RecorderStats {
  /** Stream messages written, by stream. */
  readonly depth: number;
  readonly bookTicker: number;
  readonly trade: number;
  readonly snapshots: number;
  /** Breaks in the depth diffs' update ids seen (each followed by a snapshot). */
  readonly gaps: number;
  /** Times the stream was opened again after it closed. */
  readonly reconnects: number;
  /** Day files compressed, oldest first. */
  readonly files: readonly string[];
}

const DAY_MS = 86_400_000;

/** The day file's name stem for a receive time: `<symbol lower>_<YYYYMMDD>`. */
export function dayStem(symbol: string, ms: number): string {
  const d = new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString();
  return `${symbol.toLowerCase()}_${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}`;
}

/** A message as one line: JSON carries no newline outside its strings, and the venue's strings
 *  (symbols, decimals) none inside them; a CR or LF is dropped all the same. */
function oneLine(text: string): string {
  return text.includes('\n') || text.includes('\r') ? text.replace(/[\r\n]/g, '') : text;
}

export class StreamRecorder {
  private readonly o: Required<Omit<StreamRecorderOptions, 'log'>> & { log: (line: string) => void };
  private ws: WebSocket | null = null;
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private snapshotTimer: NodeJS.Timeout | null = null;
  private attempt = 0;
  /** The depth diffs' last update id seen on this connection, or null before the first. */
  private lastU: number | null = null;
  private snapshotInFlight: Promise<void> | null = null;
  /** The connection the snapshot in flight was asked on. */
  private snapshotFor: WebSocket | null = null;
  /** Why a snapshot is owed once the one in flight settles: a connection opened (or had a gap)
   *  while the snapshot in flight had been asked on an earlier one. */
  private snapshotOwed: string | null = null;
  private fd: number | null = null;
  private stem: string | null = null;
  private readonly compressing: Promise<void>[] = [];
  /** The monotonic clock at construction and the wall clock then: receive times in ns. */
  private readonly hr0 = process.hrtime.bigint();
  private readonly wall0: bigint;
  private readonly counts = { depth: 0, bookTicker: 0, trade: 0, snapshots: 0, gaps: 0, reconnects: 0 };
  private readonly files: string[] = [];
  private opened: (() => void) | null = null;
  /** Rejects start() when the first connection fails: a wrong address is said at once. */
  private failedFirst: ((err: Error) => void) | null = null;
  /** Settles start() with the first snapshot: a symbol the venue does not trade, or a REST base
   *  that does not answer, is said at once instead of recording diffs no replay can sync. */
  private firstSnapshot: { resolve: () => void; reject: (err: Error) => void } | null = null;
  /** The folder's `<symbol>.recording` while this recorder holds it. */
  private lock: string | null = null;
  /** The compressed day files of what this recorder recorded (not of what an earlier one left). */
  private readonly ownFiles: string[] = [];

  constructor(options: StreamRecorderOptions) {
    this.o = {
      depthLimit: 1000,
      reconnectMs: 250,
      maxReconnectMs: 10_000,
      requestTimeoutMs: 10_000,
      snapshotEveryMs: 3_600_000,
      now: () => Date.now(),
      log: () => {},
      ...options,
    };
    this.wall0 = BigInt(Math.round(this.o.now())) * 1_000_000n;
  }

  get stats(): RecorderStats {
    return { ...this.counts, files: [...this.files] };
  }

  /** Takes the folder's lock of the symbol, compresses what an earlier, killed recorder of it
   *  left, then connects; resolves once the stream is open and its first snapshot written (or the
   *  recorder is stopped before). When it fails, whatever it recorded is removed (abort). */
  async start(): Promise<void> {
    this.lock = takeRecordingLock(this.o.outDir, this.o.symbol, this.o.processAlive, this.o.log);
    try {
      this.files.push(...(await compressLeftovers(this.o.outDir, this.o.symbol, this.o.log)));
      if (this.o.snapshotEveryMs > 0)
        this.snapshotTimer = setInterval(() => this.snapshot('periodic'), this.o.snapshotEveryMs);
      const open = new Promise<void>((resolve, reject) => {
        this.opened = resolve;
        this.failedFirst = reject;
      });
      const first = new Promise<void>((resolve, reject) => {
        this.firstSnapshot = { resolve, reject };
      });
      this.connect();
      await open;
      await first;
    } catch (err) {
      await this.abort();
      throw err;
    }
  }

  /** Stops without keeping what this recorder recorded: its plain day files are removed, not
   *  compressed (a start that failed leaves nothing half-written). What an earlier recorder left
   *  and this one compressed at its start is kept. */
  async abort(): Promise<void> {
    await this.halt();
    if (this.fd !== null && this.stem !== null) {
      fs.closeSync(this.fd);
      fs.rmSync(path.join(this.o.outDir, `${this.stem}.rec`), { force: true });
      this.fd = null;
      this.stem = null;
    }
    await Promise.all(this.compressing);
    for (const gz of this.ownFiles.splice(0)) {
      fs.rmSync(gz, { force: true });
      this.files.splice(this.files.indexOf(gz), 1);
    }
    this.releaseLock();
  }

  private releaseLock(): void {
    if (this.lock === null) return;
    fs.rmSync(this.lock, { force: true });
    this.lock = null;
  }

  /** Closes the stream, compresses the day being recorded, and resolves with what was recorded. */
  async stop(): Promise<RecorderStats> {
    await this.halt();
    this.closeDay();
    await Promise.all(this.compressing);
    this.releaseLock();
    return this.stats;
  }

  /** Closes the stream and its timers and waits for a snapshot in flight. */
  private async halt(): Promise<void> {
    this.stopped = true;
    this.opened?.();
    this.opened = null;
    this.firstSnapshot?.resolve();
    this.firstSnapshot = null;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    if (this.snapshotTimer !== null) clearInterval(this.snapshotTimer);
    const ws = this.ws;
    this.ws = null;
    if (ws !== null && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((done) => {
        ws.once('close', () => done());
        ws.terminate();
      });
    }
    await this.snapshotInFlight?.catch(() => {});
  }

  // ---- the stream ------------------------------------------------------------------------

  private connect(): void {
    if (this.stopped) return;
    const s = this.o.symbol.toLowerCase();
    const url = `${this.o.streamUrl.replace(/\/+$/, '')}/stream?streams=${s}@depth@100ms/${s}@bookTicker/${s}@trade`;
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.on('open', () => {
      if (this.attempt > 0 || this.counts.snapshots > 0) this.counts.reconnects++;
      this.attempt = 0;
      this.lastU = null;
      this.o.log(`connected to ${url}`);
      this.opened?.();
      this.opened = null;
      this.failedFirst = null;
      this.snapshot('start of the stream');
    });
    ws.on('message', (data) => this.onMessage(data.toString()));
    ws.on('error', (err) => {
      this.o.log(`stream error: ${err.message}`);
      const fail = this.failedFirst;
      if (fail === null) return;
      this.failedFirst = null;
      this.opened = null;
      fail(new Error(`cannot open the market streams at ${url}: ${err.message}`));
    });
    ws.on('close', () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) return;
      const wait = Math.min(this.o.maxReconnectMs, this.o.reconnectMs * 2 ** this.attempt);
      this.attempt++;
      this.o.log(`stream closed; reconnecting in ${wait} ms`);
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = null;
        this.connect();
      }, wait);
    });
  }

  private onMessage(text: string): void {
    if (this.stopped) return;
    const at = this.receivedNs();
    let stream: string;
    let firstId: number | null = null;
    let lastId: number | null = null;
    try {
      const msg = JSON.parse(text) as { stream?: unknown; data?: { U?: unknown; u?: unknown } };
      if (typeof msg.stream !== 'string') return; // a control answer ({"result":null,"id":1})
      stream = msg.stream;
      if (typeof msg.data?.U === 'number' && typeof msg.data.u === 'number') {
        firstId = msg.data.U;
        lastId = msg.data.u;
      }
    } catch {
      this.o.log(`not JSON, not recorded: ${text.slice(0, 80)}`);
      return;
    }
    this.write(at, text);
    if (stream.endsWith('@bookTicker')) this.counts.bookTicker++;
    else if (stream.endsWith('@trade')) this.counts.trade++;
    else if (stream.includes('@depth')) {
      this.counts.depth++;
      if (firstId !== null && lastId !== null) {
        const broke = this.lastU !== null && firstId !== this.lastU + 1;
        this.lastU = lastId;
        if (broke) {
          this.counts.gaps++;
          this.snapshot(`gap in the depth diffs' update ids before ${firstId}`);
        }
      }
    }
  }

  /**
   * Reads a REST snapshot and writes it. One at a time: a gap while one is in flight on the same
   * connection is covered by it, as it was asked after the diffs before it. One asked on a
   * connection that closed before its answer came covers nothing of the next connection (the
   * diffs between were lost with the old one): its answer is not written, and the connection
   * open by then gets its own snapshot as soon as it settles.
   */
  private snapshot(why: string): void {
    if (this.stopped || this.ws?.readyState !== WebSocket.OPEN) return;
    if (this.snapshotInFlight !== null) {
      if (this.snapshotFor !== this.ws) this.snapshotOwed = why;
      return;
    }
    const asked = this.ws;
    this.snapshotFor = asked;
    const url = `${this.o.restUrl.replace(/\/+$/, '')}/api/v3/depth?symbol=${encodeURIComponent(this.o.symbol)}&limit=${this.o.depthLimit}`;
    this.snapshotInFlight = (async () => {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(this.o.requestTimeoutMs) });
        const body = await res.text();
        if (!res.ok) throw new Error(`HTTP ${res.status}: ${body.slice(0, 120)}`);
        const parsed = JSON.parse(body) as { lastUpdateId?: unknown };
        if (typeof parsed.lastUpdateId !== 'number') throw new Error('the answer has no lastUpdateId');
        if (this.stopped) return;
        if (this.ws !== asked) {
          this.o.log(
            `snapshot at update id ${parsed.lastUpdateId} (${why}) not written: its stream closed before the answer came`,
          );
          return;
        }
        this.write(this.receivedNs(), body);
        this.counts.snapshots++;
        this.o.log(`snapshot at update id ${parsed.lastUpdateId} (${why})`);
        this.firstSnapshot?.resolve();
        this.firstSnapshot = null;
      } catch (err) {
        const first = this.firstSnapshot;
        this.firstSnapshot = null;
        if (first !== null) first.reject(this.snapshotRefused(url, err as Error));
        // The stream goes on; the next gap or reconnect asks again.
        else this.o.log(`snapshot failed (${why}): ${(err as Error).message}`);
      } finally {
        this.snapshotInFlight = null;
        this.snapshotFor = null;
        const owed = this.snapshotOwed;
        this.snapshotOwed = null;
        if (owed !== null) this.snapshot(owed);
      }
    })();
  }

  /** The first snapshot's failure as the recorder's: Binance's -1121 says the symbol is not
   *  traded there. */
  private snapshotRefused(url: string, err: Error): Error {
    if (/"code":\s*-1121\b/.test(err.message))
      return new Error(`the venue at ${this.o.restUrl} does not trade ${this.o.symbol} (${err.message})`);
    return new Error(`cannot read a depth snapshot of ${this.o.symbol} at ${url}: ${err.message}`);
  }

  private receivedNs(): bigint {
    return this.wall0 + (process.hrtime.bigint() - this.hr0);
  }

  // ---- the files -------------------------------------------------------------------------

  private write(ns: bigint, text: string): void {
    const stem = dayStem(this.o.symbol, Number(ns / 1_000_000n));
    if (stem !== this.stem) {
      this.closeDay();
      this.stem = stem;
      this.fd = fs.openSync(path.join(this.o.outDir, `${stem}.rec`), 'a');
      this.o.log(`recording ${stem}.rec`);
    }
    fs.writeSync(this.fd as number, `${ns} ${oneLine(text)}\n`);
  }

  /** Ends the day being recorded: its plain file is compressed in the background. */
  private closeDay(): void {
    if (this.fd === null || this.stem === null) return;
    fs.closeSync(this.fd);
    this.fd = null;
    const base = path.join(this.o.outDir, this.stem);
    this.stem = null;
    this.compressing.push(
      compressDay(base, this.o.log).then((gz) => {
        this.files.push(gz);
        this.ownFiles.push(gz);
      }),
    );
  }
}
