// A run's order, fill and orphan rows built from its stored log by the first reader that needs
// them, and kept: a grouped run writes only its log, samples and run row while it runs.
// runs.projected_seq says how far they are built; a run still being written is built again when its
// log has grown. The states of projected_seq and the fold used:
// docs/0070-store-service-and-cli-notes.md#srcstoredeferred-projectionts.
import type Database from 'better-sqlite3';
import type { LogEntry } from '../core/model/events.ts';
import { lotsToQty, type Instrument } from '../core/model/instrument.ts';
import { LEDGER_KINDS, OrderLedger } from '../core/order/order-ledger.ts';
import type { ParentOrderId } from '../core/model/ids.ts';
import { StoreError } from './open-database.ts';
import {
  childOrderRow,
  fillRow,
  INSERT_FILL,
  orderValues,
  parentOrderRow,
  UPSERT_ORDER_VALUES,
} from './projection-rows.ts';
import { misshapenColumn, StoredDataError } from './stored-data.ts';
import { storedEventLines } from './stored-events.ts';
import { parsedPayload, storedInstrument, storedOtherInstruments } from './stored-values.ts';

type Row = Record<string, unknown>;

/** An orphan order's row as the orphan_orders table holds it (its columns by name). */
export interface OrphanRow extends Row {
  readonly clientOrderId: string;
}

/** The projections of a log folded from its first entry: the ledger (its orders and parents),
 *  the fill rows in log order (fillRow's values) and the orphan rows by client order id. */
export class ProjectionFold {
  readonly ledger = new OrderLedger();
  readonly fills: unknown[][] = [];
  readonly orphans = new Map<string, OrphanRow>();

  /** The run's further instruments by symbol (otherInstruments): their rows are in their decimals. */
  private readonly bySymbol = new Map<string, Instrument>();

  constructor(
    private readonly runId: string,
    private readonly instrument: Instrument,
    others: readonly Instrument[] = [],
  ) {
    for (const o of others) if (o.symbol !== instrument.symbol) this.bySymbol.set(o.symbol, o);
  }

  /** The instrument of `symbol`: one of the run's further ones, else the run's own. */
  private of(symbol: string | undefined): Instrument {
    return (symbol === undefined ? undefined : this.bySymbol.get(symbol)) ?? this.instrument;
  }

  /** Folds the next entry of the log; throws what the ledger throws for one that does not fold. */
  apply(entry: LogEntry): void {
    const { ledger, runId } = this;
    ledger.apply(entry);
    for (const t of ledger.appliedTrades)
      this.fills.push(fillRow(runId, this.of(ledger.order(t.clientOrderId)?.request.symbol), t, entry.seq));
    const { event } = entry;
    if (event.kind === 'OrphanDetected' && !this.orphans.has(event.clientOrderId)) {
      const i = this.of(event.symbol ?? undefined);
      this.orphans.set(event.clientOrderId, {
        clientOrderId: event.clientOrderId,
        venueOrderId: event.venueOrderId,
        symbol: i.symbol,
        side: event.side,
        openQty: lotsToQty(i, event.openQty),
        filledQty: lotsToQty(i, event.filledQty),
        venueStatus: event.status,
        status: 'untracked',
        detectedAt: entry.time,
        resolvedAt: null,
        resolvedBy: null,
        resolution: null,
      });
    } else if (event.kind === 'OrphanResolved') {
      const o = this.orphans.get(event.clientOrderId);
      if (o)
        this.orphans.set(event.clientOrderId, {
          ...o,
          status: 'resolved',
          resolution: event.resolution,
          resolvedBy: event.actor,
          resolvedAt: entry.time,
        });
    }
  }

  /** The orders table's rows (childOrderRow, parentOrderRow) by client order id: each child, and
   *  each parent with its children's totals. */
  orderRows(): Map<string, Row> {
    const rows = new Map<string, Row>();
    for (const order of this.ledger.orders.values())
      rows.set(order.request.clientOrderId, childOrderRow(this.runId, this.of(order.request.symbol), order));
    for (const parentId of this.ledger.parents.keys()) rows.set(parentId, this.parentRow(parentId));
    return rows;
  }

  /** A parent's row, with its children's totals. */
  parentRow(parentId: ParentOrderId): Row {
    const { ledger, runId } = this;
    const parent = ledger.parents.get(parentId);
    if (!parent) throw new Error(`no parent ${parentId}`);
    const i = this.of(parent.spec.symbol);
    const totals = { filled: 0, notional: 0, updatedAt: 0 };
    for (const c of ledger.childrenOf(parentId)) {
      totals.filled += c.filledQty;
      totals.notional += c.filledNotional;
      totals.updatedAt = Math.max(totals.updatedAt, c.updatedAt);
    }
    return parentOrderRow(runId, i, parentId, parent, totals);
  }

  /** Whether the order or parent `entry` (its creation, just folded) makes a row: a creation whose
   *  fields are not what execsim writes (edited by hand) does not. */
  makesRow(entry: LogEntry): boolean {
    const e = entry.event;
    try {
      if (e.kind === 'ParentOrderCreated') this.parentRow(e.parentId);
      else if (e.kind === 'OrderCreated') {
        const order = this.ledger.orders.get(e.clientOrderId);
        if (!order) return false;
        childOrderRow(this.runId, this.of(order.request.symbol), order);
      }
      return true;
    } catch {
      return false;
    }
  }
}

/** The kinds ProjectionFold looks at: the ledger's and an orphan's resolution. */
const FOLDED_KINDS: readonly string[] = [...LEDGER_KINDS, 'OrphanResolved'];

interface ProjectionState {
  readonly projected: number | null;
  readonly events: number;
}

const STATE = 'SELECT projected_seq AS projected, event_count AS events FROM runs WHERE id = ?';

const behind = (s: ProjectionState | undefined): s is ProjectionState & { projected: number } =>
  s !== undefined && s.projected !== null && s.projected < s.events;

/** Whether run `runId`'s order, fill and orphan rows wait for a read to build them (false for an
 *  unknown run). */
export function projectionPending(db: Database.Database, runId: string): boolean {
  return behind(db.prepare(STATE).get(runId) as ProjectionState | undefined);
}

/**
 * Makes run `runId`'s order, fill and orphan rows hold the fold of its stored log, building them
 * when its writer left them to the first read and they are not built yet (or the log has grown
 * since); nothing to do otherwise (a cheap lookup of the run row). Called by every reader of those
 * tables before it reads them, outside any transaction of its own.
 *
 * The log is folded in a read transaction (a snapshot of it as stored then), without the write
 * lock, so a run still being written goes on meanwhile; the rows are then written in one IMMEDIATE
 * transaction that looks again first: of several readers (a server and a CLI command) that built
 * as far or further, the first one's rows stay. A reader's connection that refuses changes
 * (query_only, openExistingDatabase's 'read') is let write for that transaction only. A database
 * this process may not write (a read-only file or folder) is a StoreError saying so. A log that
 * stops being readable or folding part-way (a file edited by hand, which verify names) gives the
 * rows of what is before that point.
 */
export function projectRun(db: Database.Database, runId: string): void {
  if (!projectionPending(db, runId)) return;
  if (db.readonly)
    throw new StoreError(
      `database ${db.name}: run ${runId}'s orders and fills are built from its log when first read, ` +
        'and this database cannot be written here: read it once where it can be written',
    );
  // A write inside a read transaction of the caller's would fail once another connection has
  // committed since it began.
  if (db.inTransaction) throw new Error(`store: run ${runId}'s rows are built outside a transaction`);
  const built = db.transaction(() => foldStored(db, runId))();
  if (built === null) return;
  const queryOnly = db.pragma('query_only', { simple: true }) === 1;
  if (queryOnly) db.pragma('query_only = OFF');
  try {
    db.transaction(() => writeRows(db, runId, built)).immediate();
  } finally {
    if (queryOnly) db.pragma('query_only = ON');
  }
}

/** A run's rows as the fold of its stored log gives them, through entry `events`. */
interface BuiltRows {
  readonly events: number;
  readonly fills: readonly unknown[][];
  readonly orders: ReadonlyMap<string, Row>;
  readonly orphans: ReadonlyMap<string, OrphanRow>;
}

/** The fold of the run's stored log (null: nothing to build, or the run is gone). */
function foldStored(db: Database.Database, runId: string): BuiltRows | null {
  const state = db.prepare(STATE).get(runId) as ProjectionState | undefined;
  if (!behind(state)) return null;
  const scenario = db.prepare('SELECT scenario_json FROM runs WHERE id = ?').pluck().get(runId) as string;
  const instrument = storedInstrument(scenario);
  if (typeof instrument === 'string') throw misshapenColumn(db, `run ${runId}`, 'scenario_json', instrument);
  const fold = new ProjectionFold(runId, instrument, storedOtherInstruments(scenario));
  // A damaged block, a payload that is not JSON, an entry that does not fold: the rows are those
  // of the log before it (verify-run.ts names the problem). Only the kinds the fold looks at are
  // parsed: about half of an order-heavy run's entries are of others (fill monitoring, account
  // and position checks).
  let noRow: string | null = null;
  try {
    for (const [seq, time, kind, payload] of storedEventLines(db, runId, { to: state.events, kinds: FOLDED_KINDS })) {
      const parsed = parsedPayload(payload);
      if (parsed === undefined) break;
      const entry = { seq, time, event: { kind, ...(parsed as object) } as LogEntry['event'] };
      try {
        fold.apply(entry);
      } catch {
        break;
      }
      if (!fold.makesRow(entry)) {
        noRow = `event seq ${seq} (${kind}): the payload is not ${kind === 'OrderCreated' ? 'an order' : 'a parent order'}`;
        break;
      }
    }
  } catch (err) {
    if (!(err instanceof StoredDataError)) throw err;
  }
  // An order or parent whose stored fields are not what execsim writes cannot be a row.
  if (noRow !== null) throw new StoredDataError(db.name, `run ${runId}`, noRow);
  let orders: Map<string, Row>;
  try {
    orders = fold.orderRows();
  } catch (err) {
    // An order or parent whose stored fields are not what execsim writes (edited by hand).
    throw new StoredDataError(
      db.name,
      `run ${runId}`,
      `its orders cannot be built from its stored log: ${(err as Error).message}`,
    );
  }
  return { events: state.events, fills: fold.fills, orders, orphans: fold.orphans };
}

/** Writes the rows built, unless another reader has built as far or further since, or the run is
 *  gone; the caller holds the write transaction. */
function writeRows(db: Database.Database, runId: string, built: BuiltRows): void {
  const now = db.prepare(STATE).get(runId) as ProjectionState | undefined;
  if (now === undefined || now.projected === null || now.projected >= built.events) return;
  for (const table of ['fills', 'orders', 'orphan_orders'])
    db.prepare(`DELETE FROM ${table} WHERE run_id = ?`).run(runId);
  const insertFill = db.prepare(INSERT_FILL);
  for (const f of built.fills) insertFill.run(f);
  const upsertOrder = db.prepare(UPSERT_ORDER_VALUES);
  for (const row of built.orders.values()) upsertOrder.run(orderValues(row));
  const insertOrphan = db.prepare(
    `INSERT INTO orphan_orders (run_id, client_order_id, venue_order_id, symbol, side, open_qty, filled_qty,
       venue_status, status, detected_at, resolved_at, resolved_by, resolution)
     VALUES (@runId, @clientOrderId, @venueOrderId, @symbol, @side, @openQty, @filledQty,
       @venueStatus, @status, @detectedAt, @resolvedAt, @resolvedBy, @resolution)`,
  );
  for (const o of built.orphans.values()) insertOrphan.run({ ...o, runId });
  db.prepare('UPDATE runs SET projected_seq = ? WHERE id = ?').run(built.events, runId);
}
