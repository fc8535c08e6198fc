// The rows of the order and fill projections for a fold of a run's log: what RunWriter writes as
// it folds, what ProjectionDelta reads from a running process's ledger, and what verify-run.ts
// expects the store to hold when it folds the stored log again; with the statements that write
// them, shared by both writers.
import type { OrderState } from '../core/order/apply-event.ts';
import type { AppliedTrade, ParentState } from '../core/order/order-ledger.ts';
import {
  fractionalTicksToPrice,
  lotsToQty,
  ticksToPrice,
  unitsToQuote,
  type Instrument,
} from '../core/model/instrument.ts';
import type { ParentOrderId } from '../core/model/ids.ts';
import type { LogEntry } from '../core/model/events.ts';

/** What an order row reads of an order's state. */
export type OrderRowSource = Pick<
  OrderState,
  'request' | 'venueOrderId' | 'status' | 'filledQty' | 'filledNotional' | 'createdAt' | 'updatedAt'
>;

export function childOrderRow(runId: string, i: Instrument, o: OrderRowSource): Record<string, unknown> {
  const r = o.request;
  return {
    runId,
    clientOrderId: r.clientOrderId,
    venueOrderId: o.venueOrderId,
    parentOrderId: r.parentId,
    sliceNum: r.sliceNum,
    totalSlices: r.totalSlices,
    scheduledTime: r.scheduledTime,
    symbol: r.symbol,
    side: r.side,
    type: r.type,
    tif: r.tif,
    status: o.status,
    qty: lotsToQty(i, r.qty),
    filledQty: lotsToQty(i, o.filledQty),
    avgPrice: o.filledQty > 0 ? fractionalTicksToPrice(i, o.filledNotional / o.filledQty) : null,
    limitPrice: r.limitPrice === undefined ? null : ticksToPrice(i, r.limitPrice),
    stopPrice: r.stopPrice === undefined ? null : ticksToPrice(i, r.stopPrice),
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
  };
}

/** A parent's children summed: filled lots, filled notional (ticks x lots), last update. */
export interface ParentFillTotals {
  filled: number;
  notional: number;
  updatedAt: number;
}

/** Each parent's children summed as their rows were written: a child written again moves its
 *  parent's totals by what changed in it since it was last written. */
export class ParentTotals {
  private readonly parents = new Map<string, ParentFillTotals>();
  private readonly written = new Map<string, { filled: number; notional: number }>();

  /** A parent's totals (zero until a child of it is written). */
  of(parentId: string): ParentFillTotals {
    let t = this.parents.get(parentId);
    if (!t) {
      t = { filled: 0, notional: 0, updatedAt: 0 };
      this.parents.set(parentId, t);
    }
    return t;
  }

  /** A child's row written with these figures. */
  child(id: string, parentId: string, filled: number, notional: number, updatedAt: number): void {
    const totals = this.of(parentId);
    const before = this.written.get(id) ?? { filled: 0, notional: 0 };
    totals.filled += filled - before.filled;
    totals.notional += notional - before.notional;
    totals.updatedAt = Math.max(totals.updatedAt, updatedAt);
    this.written.set(id, { filled, notional });
  }

  clear(): void {
    this.parents.clear();
    this.written.clear();
  }
}

/** Parents live in the orders table too (no parent_order_id), with their children's totals. */
export function parentOrderRow(
  runId: string,
  i: Instrument,
  parentId: ParentOrderId,
  parent: Pick<ParentState, 'spec' | 'createdAt' | 'completed'>,
  totals: ParentFillTotals,
): Record<string, unknown> {
  const spec = parent.spec;
  return {
    runId,
    clientOrderId: parentId,
    venueOrderId: null,
    parentOrderId: null,
    sliceNum: null,
    totalSlices: spec.totalSlices,
    scheduledTime: parent.createdAt,
    symbol: spec.symbol,
    side: spec.side,
    type: spec.type,
    tif: spec.tif,
    status: parent.completed?.status ?? 'working',
    qty: lotsToQty(i, spec.qty),
    filledQty: lotsToQty(i, totals.filled),
    avgPrice: totals.filled > 0 ? fractionalTicksToPrice(i, totals.notional / totals.filled) : null,
    limitPrice: spec.limitPrice === null ? null : ticksToPrice(i, spec.limitPrice),
    stopPrice: null,
    createdAt: parent.createdAt,
    updatedAt: Math.max(parent.createdAt, parent.completed?.at ?? 0, totals.updatedAt),
  };
}

/** What the fills table holds for a trade applied to one of our orders at log entry `seq`. */
export function fillRow(
  runId: string,
  i: Instrument,
  t: Pick<AppliedTrade, 'tradeId' | 'clientOrderId' | 'qty' | 'price' | 'fee' | 'liquidity' | 'venueTime'>,
  seq: number,
): unknown[] {
  return [
    runId,
    t.tradeId,
    t.clientOrderId,
    lotsToQty(i, t.qty),
    // An inferred fill's price is fractional (it makes the order's average the venue's).
    Number.isInteger(t.price) ? ticksToPrice(i, t.price) : fractionalTicksToPrice(i, t.price),
    unitsToQuote(i, t.fee),
    t.liquidity,
    t.venueTime,
    seq,
  ];
}

/** The orders table's columns as childOrderRow and parentOrderRow name them, in the order of
 *  UPSERT_ORDER_VALUES's parameters. */
export const ORDER_FIELDS = [
  'runId',
  'clientOrderId',
  'venueOrderId',
  'parentOrderId',
  'sliceNum',
  'totalSlices',
  'scheduledTime',
  'symbol',
  'side',
  'type',
  'tif',
  'status',
  'qty',
  'filledQty',
  'avgPrice',
  'limitPrice',
  'stopPrice',
  'createdAt',
  'updatedAt',
] as const;

/** An order row's values in ORDER_FIELDS order (a row passed by position binds faster than by
 *  name, and travels to a writer thread as a plain array). */
export const orderValues = (row: Record<string, unknown>): unknown[] => ORDER_FIELDS.map((f) => row[f]);

const ORDER_COLUMNS = `run_id, client_order_id, venue_order_id, parent_order_id, slice_num, total_slices,
  scheduled_time, symbol, side, type, tif, status, qty, filled_qty, avg_price, limit_price, stop_price, created_at, updated_at`;

/** Everything an order's events can change is updated: status and fills, and the quantity and
 *  prices a ChildAmended (carry re-sizing, limit re-pricing) gives a slice before it goes. */
const ORDER_CONFLICT = `ON CONFLICT (run_id, client_order_id) DO UPDATE SET venue_order_id = excluded.venue_order_id,
  status = excluded.status, qty = excluded.qty, filled_qty = excluded.filled_qty, avg_price = excluded.avg_price,
  limit_price = excluded.limit_price, stop_price = excluded.stop_price, updated_at = excluded.updated_at`;

/** Inserts or updates an order row given by name (childOrderRow, parentOrderRow). */
export const UPSERT_ORDER = `INSERT INTO orders (${ORDER_COLUMNS})
  VALUES (${ORDER_FIELDS.map((f) => `@${f}`).join(', ')}) ${ORDER_CONFLICT}`;

/** The same, given by position (orderValues). */
export const UPSERT_ORDER_VALUES = `INSERT INTO orders (${ORDER_COLUMNS})
  VALUES (${ORDER_FIELDS.map(() => '?').join(', ')}) ${ORDER_CONFLICT}`;

/** Inserts a fill (fillRow's values). */
export const INSERT_FILL = `INSERT INTO fills (run_id, trade_id, client_order_id, qty, price, fee, liquidity, time, seq)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** Inserts an orphan order (orphanRow's values); one already known is left as it is. */
export const INSERT_ORPHAN = `INSERT INTO orphan_orders (run_id, client_order_id, venue_order_id, symbol, side, open_qty,
  filled_qty, venue_status, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, client_order_id) DO NOTHING`;

/** Marks an orphan order resolved (resolutionRow's values). */
export const RESOLVE_ORPHAN = `UPDATE orphan_orders SET status = 'resolved', resolution = ?, resolved_by = ?, resolved_at = ?
  WHERE run_id = ? AND client_order_id = ?`;

type OrphanDetected = Extract<LogEntry['event'], { kind: 'OrphanDetected' }>;
type OrphanResolved = Extract<LogEntry['event'], { kind: 'OrphanResolved' }>;

/** INSERT_ORPHAN's values for an orphan detected at `time`. */
export const orphanRow = (runId: string, i: Instrument, e: OrphanDetected, time: number): unknown[] => [
  runId,
  e.clientOrderId,
  e.venueOrderId,
  i.symbol,
  e.side,
  lotsToQty(i, e.openQty),
  lotsToQty(i, e.filledQty),
  e.status,
  time,
];

/** RESOLVE_ORPHAN's values for an orphan resolved at `time`. */
export const resolutionRow = (runId: string, e: OrphanResolved, time: number): unknown[] => [
  e.resolution,
  e.actor,
  time,
  runId,
  e.clientOrderId,
];
