// The writer of one run's event log and its projections (orders, fills, the parent rows' totals)
// into SQLite: it buffers what the log appends and writes whole commit units, one transaction per
// commit for a run that is continued from the store (write-ahead) or several commits grouped for
// one that is run again, and refreshes the run's heartbeat. The run row's life (create, finish,
// interrupt, fail) is RunStore's (run-store.ts).
import type Database from 'better-sqlite3';
import type { LogEntry } from '../core/model/events.ts';
import type { EventSink, LogLine } from '../core/ports/event-sink.ts';
import { OrderLedger } from '../core/order/order-ledger.ts';
import type { AppliedTrade } from '../core/order/order-ledger.ts';
import type { Instrument } from '../core/model/instrument.ts';
import type { ParentOrderId } from '../core/model/ids.ts';
import {
  childOrderRow,
  fillRow,
  INSERT_FILL,
  INSERT_ORPHAN,
  orphanRow,
  parentOrderRow,
  RESOLVE_ORPHAN,
  resolutionRow,
  UPSERT_ORDER,
  ParentTotals,
} from './projection-rows.ts';
import { BlockCutter, EventBlockWriter } from './event-blocks.ts';
import { SampleBlockWriter, SampleBuffer } from './sample-blocks.ts';
import { storedEventLines } from './stored-events.ts';

/** The writer refreshes its run's heartbeat at most this often (wall time). */
export const HEARTBEAT_EVERY_MS = 1_000;

/** A store that cannot go on with a run: its row was deleted or closed by another process. */
export class RunGoneError extends Error {}

/** A write's failure as the caller should see it: events of a run whose row is gone break the
 *  foreign key, which says that the run was deleted. */
export function runGoneOr(err: unknown, runId: string): unknown {
  if ((err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY')
    return new RunGoneError(`run ${runId} is no longer in the store: another process deleted it`);
  return err;
}

/** Updates the run row's heartbeat when HEARTBEAT_EVERY_MS has passed since `lastBeat` (the
 *  caller holds the transaction) and returns the time of the latest beat; a run no longer
 *  running in the store is a RunGoneError. */
export function beatIfDue(beat: Database.Statement, runId: string, lastBeat: number): number {
  const now = Date.now();
  if (now - lastBeat < HEARTBEAT_EVERY_MS) return lastBeat;
  if (beat.run(new Date(now).toISOString(), runId).changes === 0)
    throw new RunGoneError(`run ${runId} is no longer running in the store: another process deleted or closed it`);
  return now;
}

/** How a writer turns the log's commits into transactions. */
export interface WriterOptions {
  /**
   * 'durable' (the default): every commit() is a transaction of its own, written before commit()
   * returns, so what the log committed before an order left is on disk before it leaves
   * (write-ahead); the ends of pieces of work (unitEnd) are grouped. For runs that are
   * continued from the store: paper runs, and backtests with restarts.
   * 'grouped': commits only mark where whole units end; units are written together, in
   * transactions of at least GROUP_COMMIT_EVENTS events, or when the heartbeat is due, and at the
   * end of the run. A crash loses the units not yet written, never part of one: for runs that
   * are run again rather than continued (backtests without restarts).
   */
  readonly commits?: 'durable' | 'grouped';
  /** Whole units are written once this many events are buffered (default GROUP_COMMIT_EVENTS). */
  readonly batchEvents?: number;
  /** The run's further instruments (otherInstruments): an order, fill or parent of one of them
   *  is written in its own symbol's decimals. */
  readonly others?: readonly Instrument[];
}

const NEWLINE = 0x0a;

/** A grouped writer writes its whole units once this many events are buffered. */
export const GROUP_COMMIT_EVENTS = 16_384;

/**
 * The event sink of one run: buffers log entries and writes them with the projection rows they
 * change in transactions that hold whole commit units only (never part of one, so never a parent
 * without all its children): when the log commits (WriterOptions says whether each commit is a
 * transaction or commits are grouped), when the heartbeat is due, and at the end of the run.
 * Nothing appended after the last commit is written until a later commit, or the end of the run:
 * a crash, simulated (rollback) or real, loses at most the units not yet written and the
 * uncommitted tail, never part of a unit. Entries are folded into the projections when they are
 * written, so the order rows always match the written log.
 */
export class RunWriter implements EventSink {
  private ledger = new OrderLedger();
  /** Buffered entries and their canonical lines, not yet written (reused: emptied, not replaced). */
  private readonly entries: LogEntry[] = [];
  private readonly lines: string[] = [];
  /** How many of the buffered entries are whole units (the log committed after them). */
  private unitsEnd = 0;
  /** Market samples not yet written, kept beside the log in blocks (sample-blocks.ts); the first
   *  `samplesEnd` belong to whole units. */
  private readonly samples = new SampleBuffer();
  private samplesEnd = 0;
  private readonly blocks: SampleBlockWriter;
  private readonly dirtyParents = new Set<ParentOrderId>();
  /** Each parent's children as the orders table holds them, kept up to date by delta so that a
   *  flush costs what it changed, not the size of its parents (a TWAP may have 100,000 children). */
  private readonly totals = new ParentTotals();
  /** The entries go into blocks of the log (event-blocks.ts). */
  private readonly events: BlockCutter;
  private readonly insertFill: Database.Statement;
  private readonly insertOrphan: Database.Statement;
  private readonly resolveOrphan: Database.Statement;
  private readonly upsertOrder: Database.Statement;
  private readonly beat: Database.Statement;
  private readonly setEventCount: Database.Statement;
  private readonly grouped: boolean;
  private readonly batchEvents: number;
  private lastBeat = Date.now();
  fillCount = 0;
  /** Rows written in a transaction not yet known to have committed: the entries and samples
   *  stay buffered, and the fold holds them, until `committed()`. A next write that finds this
   *  set knows that transaction rolled back: it rebuilds the fold from the store first. */
  private uncommitted: { readonly entries: number; readonly samples: number } | null = null;
  /** The further instruments by symbol (the run's own is `instrument`). */
  private readonly bySymbol = new Map<string, Instrument>();

  constructor(
    private readonly db: Database.Database,
    readonly runId: string,
    private readonly instrument: Instrument,
    options: WriterOptions = {},
  ) {
    this.grouped = options.commits === 'grouped';
    for (const other of options.others ?? []) this.bySymbol.set(other.symbol, other);
    // A statement inside a transaction keeps a statement journal (to undo that statement alone
    // if it fails part-way); past 64 KiB SQLite spills it to a temporary file, a write() per page
    // touched. In memory it costs a copy. Crash recovery does not use it (the WAL does), so
    // durability is unchanged.
    db.pragma('temp_store = MEMORY');
    this.batchEvents = options.batchEvents ?? GROUP_COMMIT_EVENTS;
    this.events = new BlockCutter(new EventBlockWriter(db, runId));
    this.blocks = new SampleBlockWriter(db, runId);
    this.insertFill = db.prepare(INSERT_FILL);
    this.insertOrphan = db.prepare(INSERT_ORPHAN);
    this.resolveOrphan = db.prepare(RESOLVE_ORPHAN);
    this.upsertOrder = db.prepare(UPSERT_ORDER);
    this.beat = db.prepare(`UPDATE runs SET heartbeat_at = ? WHERE id = ? AND status = 'running'`);
    this.setEventCount = db.prepare('UPDATE runs SET event_count = ? WHERE id = ?');
  }

  /**
   * Shows the run is alive: refreshes its heartbeat when the last one is HEARTBEAT_EVERY_MS old
   * (a cheap one-row update at most once a second), with the whole units buffered so far, so a
   * running run's stored log is never more than about a second behind. Called at commits and
   * while the clock advances. Throws RunGoneError when the row is no longer a running run
   * (another process deleted it or marked it), so the run stops instead of writing events
   * nobody can use.
   */
  heartbeat(): void {
    if (Date.now() - this.lastBeat < HEARTBEAT_EVERY_MS) return;
    const entries = this.unitsEnd;
    const samples = this.samplesEnd;
    this.transaction(() => {
      this.writeUnits(entries, samples);
      this.beatIfDue();
    });
  }

  /** The heartbeat's update when it is due; the caller holds the transaction. */
  private beatIfDue(): void {
    this.lastBeat = beatIfDue(this.beat, this.runId, this.lastBeat);
  }

  get orderCount(): number {
    return this.ledger.orders.size;
  }

  /** Buffers one entry; nothing reaches the database before the log commits. A market sample is
   *  kept as numbers: its line is never written. */
  write(entry: LogEntry, line: LogLine | string): void {
    if (entry.event.kind === 'MarketSampled') this.samples.add(entry.seq, entry.time, entry.event);
    else {
      this.entries.push(entry);
      this.lines.push(typeof line === 'string' ? line : line.text());
    }
  }

  /** Buffers `count` market samples packed as the store keeps them (a writer thread gets them so
   *  from the run's thread); they belong to the unit that ends next, like written entries. */
  writeSamples(packed: Float64Array, count: number): void {
    this.samples.addPacked(packed, count);
  }

  /** The log committed: a durable writer writes everything buffered (one or more whole commit
   *  units) in one transaction now; a grouped one marks the end of a unit (see unitEnd). */
  commit(): void {
    if (this.grouped) this.unitEnd();
    else this.flush(this.entries.length, this.samples.count);
  }

  /**
   * A piece of work ended and what it logged is one whole unit, which need not be on disk before
   * anything else happens (nothing left the process on its strength): marked, and written with
   * the units around it once GROUP_COMMIT_EVENTS are buffered or the heartbeat is due, before the
   * next commit of a durable writer, at a crash (rollback), and at the end of the run.
   */
  unitEnd(): void {
    this.unitsEnd = this.entries.length;
    this.samplesEnd = this.samples.count;
    if (this.unitsEnd + this.samplesEnd >= this.batchEvents) this.flush(this.unitsEnd, this.samplesEnd);
    else this.heartbeat();
  }

  /** A crash, or a resume in a new process: the whole units buffered are written (they are
   *  durable: the log committed them), what was not committed is dropped (never written), and
   *  the projections' fold is rebuilt from the durable log, which is what the store now holds. */
  rollback(durable: readonly LogEntry[]): void {
    this.flush(this.unitsEnd, this.samplesEnd);
    this.entries.length = 0;
    this.lines.length = 0;
    this.unitsEnd = 0;
    this.samples.drop(this.samples.count);
    this.samplesEnd = 0;
    this.refold(durable);
  }

  /** The projections' fold rebuilt from `stored`, which is what the store holds. */
  private refold(stored: readonly LogEntry[]): void {
    this.dirtyParents.clear();
    this.ledger = new OrderLedger();
    this.fillCount = 0;
    for (const entry of stored) {
      this.ledger.apply(entry);
      this.fillCount += this.ledger.appliedTrades.length;
    }
    this.ledger.takeChanged();
    // The rows written so far are the durable log's: each parent's totals are its children's as
    // folded from it (a writer in a new process, resuming a run, starts from these too).
    this.totals.clear();
    for (const [id, order] of this.ledger.orders)
      this.totals.child(id, order.request.parentId, order.filledQty, order.filledNotional, order.updatedAt);
  }

  /** Writes the whole units buffered (a signal stopped the run); the caller holds the transaction
   *  and calls `committed()` once it has committed. */
  flushUnitsInTransaction(): void {
    this.writeUnits(this.unitsEnd, this.samplesEnd);
  }

  /** Writes everything buffered, the uncommitted tail too (the run finished or failed); the
   *  caller holds the transaction and calls `committed()` once it has committed. */
  flushInTransaction(): void {
    this.writeUnits(this.entries.length, this.samples.count);
  }

  /** The first `count` buffered entries and `sampleCount` samples in one transaction. */
  private flush(count: number, sampleCount: number): void {
    if (count === 0 && sampleCount === 0) return;
    this.transaction(() => {
      this.writeUnits(count, sampleCount);
      this.beatIfDue();
    });
  }

  /** The transaction that wrote the last rows committed: they are forgotten here. */
  committed(): void {
    const written = this.uncommitted;
    if (!written) return;
    this.uncommitted = null;
    const { entries, lines } = this;
    if (written.entries === entries.length) {
      entries.length = 0;
      lines.length = 0;
    } else {
      entries.splice(0, written.entries);
      lines.splice(0, written.entries);
    }
    this.unitsEnd = Math.max(0, this.unitsEnd - written.entries);
    this.samples.drop(written.samples);
    this.samplesEnd = Math.max(0, this.samplesEnd - written.samples);
  }

  private transaction(work: () => void): void {
    try {
      this.db.transaction(work)();
      this.committed();
    } catch (err) {
      throw runGoneOr(err, this.runId);
    }
  }

  /** Writes the first `count` buffered entries with the projection rows they change, and the
   *  first `sampleCount` samples; the caller holds the transaction. */
  private writeUnits(count: number, sampleCount: number): void {
    // The transaction of the last write rolled back (a statement or its commit failed): its
    // entries and samples are still buffered, but the fold took its entries in. It is rebuilt
    // from what the store holds, so they are folded (and their fills and orders written) once.
    if (this.uncommitted) this.refoldFromStore();
    if (count === 0 && sampleCount === 0) return;
    this.uncommitted = { entries: count, samples: sampleCount };
    if (sampleCount > 0) this.blocks.write(this.samples, sampleCount);
    if (count > 0) this.writeEntries(count);
  }

  /** The fold rebuilt from the run's stored log (after a write that did not commit). */
  private refoldFromStore(): void {
    this.uncommitted = null;
    this.refold(
      [...storedEventLines(this.db, this.runId)].map(([seq, time, kind, payload]) => ({
        seq,
        time,
        event: { kind, ...(JSON.parse(payload) as object) } as LogEntry['event'],
      })),
    );
  }

  /** Writes the first `count` buffered entries with the projection rows they change. */
  private writeEntries(count: number): void {
    const { entries, lines, ledger, runId, events } = this;
    const of = (symbol: string | undefined): Instrument =>
      (symbol === undefined ? undefined : this.bySymbol.get(symbol)) ?? this.instrument;
    events.reset();
    // The lines as UTF-8, one buffer for the transaction, cut into blocks line by line.
    const bytes = Buffer.from(count === lines.length ? lines.join('') : lines.slice(0, count).join(''), 'utf8');
    let from = 0;
    for (let i = 0; i < count; i++) {
      const entry = entries[i] as LogEntry;
      const end = bytes.indexOf(NEWLINE, from) + 1;
      const event = entry.event;
      events.line(bytes, entry.seq, event.kind, from, end);
      from = end;
      ledger.apply(entry);
      if (event.kind === 'ParentOrderCreated' || event.kind === 'ParentOrderCompleted')
        this.dirtyParents.add(event.parentId);
      if (event.kind === 'OrphanDetected') this.insertOrphan.run(orphanRow(runId, of(event.symbol), event, entry.time));
      else if (event.kind === 'OrphanResolved') this.resolveOrphan.run(resolutionRow(runId, event, entry.time));
      const trades = ledger.appliedTrades;
      for (let t = 0; t < trades.length; t++) {
        this.fillCount++;
        const trade = trades[t] as AppliedTrade;
        this.insertFill.run(fillRow(runId, of(ledger.order(trade.clientOrderId)?.request.symbol), trade, entry.seq));
      }
    }
    events.end();
    const lastSeq = (entries[count - 1] as LogEntry).seq;
    // The run row's event count follows the stored log, so lists show a running run's progress
    // without counting its events.
    this.setEventCount.run(lastSeq, runId);
    for (const id of ledger.takeChanged()) {
      const order = ledger.order(id);
      if (!order) continue;
      this.upsertOrder.run(childOrderRow(runId, of(order.request.symbol), order));
      const parentId = order.request.parentId;
      this.totals.child(id, parentId, order.filledQty, order.filledNotional, order.updatedAt);
      this.dirtyParents.add(parentId);
    }
    for (const parentId of this.dirtyParents) {
      const parent = ledger.parents.get(parentId);
      if (parent)
        this.upsertOrder.run(parentOrderRow(runId, of(parent.spec.symbol), parentId, parent, this.totals.of(parentId)));
    }
    this.dirtyParents.clear();
  }
}
