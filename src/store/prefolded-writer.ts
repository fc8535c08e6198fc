// The writer of a grouped run (a backtest without restarts): whole units of canonical lines and
// market samples and the run row's progress, one transaction per write(), and nothing else (no log
// is folded; the run's rows are built on first read). A write stays buffered until its transaction
// has committed. What it leaves out and why:
// docs/0070-store-service-and-cli-notes.md#srcstoreprefolded-writerts.
import type Database from 'better-sqlite3';
import { beatIfDue, HEARTBEAT_EVERY_MS, RunGoneError, runGoneOr } from './run-writer.ts';
import type { SealedUnits } from './block-sealer.ts';
import type { UnitCounts } from './run-counts.ts';
import { BlockCutter, EventBlockWriter } from './event-blocks.ts';
import { SAMPLE_BYTES, SampleBlockWriter, SampleBuffer } from './sample-blocks.ts';

/** Whole units: canonical lines ("seq time kind payload\n" each), their market samples (packed,
 *  `sampleCount` of them) and the counts they bring the run to. */
export interface PrefoldedUnits {
  /** The lines' UTF-8, as the log wrote them. */
  readonly lines: Uint8Array;
  readonly lineCount: number;
  readonly samples: Float64Array;
  readonly sampleCount: number;
  readonly counts: UnitCounts;
  /** The lines as blocks already cut and compressed (a writer on the run's own thread,
   *  block-sealer.ts), in place of `lines`. */
  readonly sealed?: SealedUnits;
}

/** Units as they travel to a writer (the lines' bytes, the packed samples' buffer) as
 *  PrefoldedUnits; with the lines' index when the writer is on the same thread. */
export function unitsFrom(
  bytes: Uint8Array,
  lineCount: number,
  samples: ArrayBuffer,
  counts: UnitCounts,
  sealed?: SealedUnits | null,
): PrefoldedUnits {
  return {
    lines: bytes,
    lineCount: sealed ? sealed.lines : lineCount,
    samples: new Float64Array(samples),
    sampleCount: samples.byteLength / SAMPLE_BYTES,
    counts,
    ...(sealed ? { sealed } : {}),
  };
}

const SPACE = 0x20;
const NEWLINE = 0x0a;
const ZERO = 0x30;

export class PrefoldedRunWriter {
  private pending: PrefoldedUnits[] = [];
  private pendingEvents = 0;
  /** What the buffered units hold, not yet written. */
  private readonly samples = new SampleBuffer();
  /** The lines go into blocks of the log (event-blocks.ts), cut where they are read. */
  private readonly events: BlockCutter;
  private readonly blockWriter: EventBlockWriter;
  private readonly blocks: SampleBlockWriter;
  private readonly setEventCount: Database.Statement;
  private readonly runExists: Database.Statement;
  private readonly beat: Database.Statement;
  private lastBeat = Date.now();
  /** Whether the last write's transaction is not known to have committed. */
  private written = false;
  /** Child orders and fills the stored log holds once the units written last have committed
   *  (RunStore's run ends read them inside that transaction), and as of the last commit. */
  fillCount = 0;
  orderCount = 0;
  private committedFills = 0;
  private committedOrders = 0;
  /** Kinds met so far, by their length and two of their bytes (kindAt). */
  private readonly kinds = new Map<number, string>();

  constructor(
    private readonly db: Database.Database,
    readonly runId: string,
  ) {
    // A statement journal stays in memory (see RunWriter).
    db.pragma('temp_store = MEMORY');
    // A block is written from the log's own UTF-8 bytes: no JS string is made of a line.
    this.blockWriter = new EventBlockWriter(db, runId);
    this.events = new BlockCutter(this.blockWriter);
    this.blocks = new SampleBlockWriter(db, runId);
    // The run's order, fill and orphan rows are left to the first read (projected_seq not NULL:
    // built through that seq, 0 for not yet): the mark goes with the first entries written.
    // The digest of the log stored so far goes with it (runs.log_digest: verify-run.ts checks a
    // run without a final digest against it).
    this.setEventCount = db.prepare(
      'UPDATE runs SET event_count = ?, projected_seq = COALESCE(projected_seq, 0), log_digest = ? WHERE id = ?',
    );
    this.runExists = db.prepare('SELECT 1 FROM runs WHERE id = ?');
    this.beat = db.prepare(`UPDATE runs SET heartbeat_at = ? WHERE id = ? AND status = 'running'`);
  }

  /** Buffers whole units (written by the next write, or with the run's end). */
  add(units: PrefoldedUnits): void {
    this.pending.push(units);
    this.pendingEvents += units.lineCount + units.sampleCount;
  }

  /** Writes what is buffered once `batchEvents` lines and samples wait or the heartbeat is due
   *  (a running run's stored log stays about a second behind at most): fewer, larger
   *  transactions write each B-tree page they touch fewer times. True when it wrote. */
  writeIfDue(batchEvents: number): boolean {
    if (this.pendingEvents < batchEvents && Date.now() - this.lastBeat < HEARTBEAT_EVERY_MS) return false;
    this.write();
    return true;
  }

  /** Writes what is buffered in one transaction, with the heartbeat when it is due. */
  write(): void {
    if (this.pending.length === 0) return;
    try {
      this.db.transaction(() => {
        this.flushInTransaction();
        this.lastBeat = beatIfDue(this.beat, this.runId, this.lastBeat);
      })();
      this.committed();
    } catch (err) {
      throw runGoneOr(err, this.runId);
    }
  }

  /** Writes everything buffered; the caller holds the transaction and calls committed() once it
   *  has committed (RunStore's run ends). */
  flushInTransaction(): void {
    if (this.pending.length === 0) return;
    this.written = true;
    this.events.reset();
    let lastSeq = 0;
    let logDigest: string | null = null;
    this.fillCount = this.committedFills;
    this.orderCount = this.committedOrders;
    this.samples.drop(this.samples.count);
    for (const u of this.pending) {
      this.samples.addPacked(u.samples, u.sampleCount);
      if (u.sealed) this.writeSealed(u.sealed);
      else this.writeLines(u.lines);
      if (u.counts.lastSeq > lastSeq) {
        lastSeq = u.counts.lastSeq;
        this.fillCount = u.counts.fills;
        this.orderCount = u.counts.orders;
        logDigest = u.counts.logDigest;
      }
    }
    if (this.samples.count > 0) this.blocks.write(this.samples, this.samples.count);
    // The run row's event count follows the stored log, so lists show a running run's progress.
    // It also checks the run is still there: a connection without foreign keys (the writer
    // thread's) would otherwise store rows of a run another process deleted.
    const there =
      lastSeq > 0
        ? this.setEventCount.run(lastSeq, logDigest, this.runId).changes > 0
        : this.runExists.get(this.runId) !== undefined;
    if (!there) throw new RunGoneError(`run ${this.runId} is no longer in the store: another process deleted it`);
  }

  /** The same: a grouped run hands over whole units only, so there is no tail to leave out. */
  flushUnitsInTransaction(): void {
    this.flushInTransaction();
  }

  /** The transaction that wrote the buffered units committed: they are forgotten here. */
  committed(): void {
    if (!this.written) return;
    this.written = false;
    this.committedFills = this.fillCount;
    this.committedOrders = this.orderCount;
    this.pending = [];
    this.pendingEvents = 0;
    this.samples.drop(this.samples.count);
  }

  /** Writes the lines in blocks of the log, reading each line's seq and kind from its bytes:
   *  the seq's digits directly, the kind from the few kinds a log has (no string made per line
   *  for either). */
  private writeLines(lines: Uint8Array): void {
    const bytes = Buffer.from(lines.buffer, lines.byteOffset, lines.byteLength);
    const events = this.events;
    for (let from = 0; from < bytes.length;) {
      let seq = 0;
      let a = from;
      for (let d = bytes[a] as number; d !== SPACE; d = bytes[++a] as number) seq = seq * 10 + d - ZERO;
      const b = bytes.indexOf(SPACE, a + 1);
      const c = bytes.indexOf(SPACE, b + 1);
      const end = bytes.indexOf(NEWLINE, c + 1);
      events.line(lines, seq, this.kindAt(bytes, b + 1, c), from, end + 1);
      from = end + 1;
    }
    events.end();
  }

  /** Writes blocks the run's thread cut and compressed (BlockSealer). */
  private writeSealed(sealed: SealedUnits): void {
    for (const b of sealed.blocks) this.blockWriter.insertSealed(b);
  }

  /** The kind written in bytes from..to-1, the same string each time it recurs. */
  private kindAt(bytes: Buffer, from: number, to: number): string {
    const key = ((to - from) << 16) | ((bytes[from + 1] as number) << 8) | (bytes[to - 1] as number);
    const known = this.kinds.get(key);
    if (known !== undefined && known.length === to - from) {
      let same = true;
      for (let i = 0; i < known.length && same; i++) same = known.charCodeAt(i) === bytes[from + i];
      if (same) return known;
    }
    const kind = bytes.toString('latin1', from, to);
    this.kinds.set(key, kind);
    return kind;
  }
}
