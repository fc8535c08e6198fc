// The tables `execsim export` writes, read as the store holds them: a run's fills and its orders,
// their columns in the order the CSV has them, streamed (a run may have millions of rows); and
// the first stored time among them that the CSV cannot write as a date, found before anything
// is written.
import type Database from 'better-sqlite3';
import { projectRun } from './deferred-projection.ts';

/** The columns of the `execsim export` tables, in order (the CLI names them so in its header). */
export const EXPORT_FILL_COLUMNS = [
  'trade_id',
  'client_order_id',
  'parent_order_id',
  'side',
  'qty',
  'price',
  'fee',
  'liquidity',
  'venue_time',
  'seq',
] as const;

export const EXPORT_ORDER_COLUMNS = [
  'client_order_id',
  'parent_order_id',
  'venue_order_id',
  'slice_num',
  'total_slices',
  'scheduled_time',
  'symbol',
  'side',
  'type',
  'tif',
  'status',
  'qty',
  'filled_qty',
  'avg_price',
  'limit_price',
  'stop_price',
  'created_at',
  'updated_at',
] as const;

/** A run's fills (EXPORT_FILL_COLUMNS) in log order, streamed. */
export function exportFills(db: Database.Database, id: string): IterableIterator<unknown[]> {
  projectRun(db, id);
  return db
    .prepare(
      `SELECT f.trade_id, f.client_order_id, o.parent_order_id, o.side, f.qty, f.price, f.fee, f.liquidity, f.time, f.seq
       FROM fills f LEFT JOIN orders o ON o.run_id = f.run_id AND o.client_order_id = f.client_order_id
       WHERE f.run_id = ? ORDER BY f.seq, f.client_order_id, f.trade_id`,
    )
    .raw()
    .iterate(id) as IterableIterator<unknown[]>;
}

/** A run's orders (EXPORT_ORDER_COLUMNS): each parent followed by its children in slice order,
 *  streamed. */
export function exportOrders(db: Database.Database, id: string): IterableIterator<unknown[]> {
  projectRun(db, id);
  return db
    .prepare(
      `SELECT ${EXPORT_ORDER_COLUMNS.join(', ')} FROM orders WHERE run_id = ?
       ORDER BY COALESCE(parent_order_id, client_order_id), parent_order_id IS NOT NULL, slice_num, client_order_id`,
    )
    .raw()
    .iterate(id) as IterableIterator<unknown[]>;
}

/** A JavaScript Date holds epoch milliseconds within ±8.64e15 (100 million days). */
const MAX_DATE_MS = 8.64e15;

/** A stored time the CSV cannot write as a date: not a number (text, a blob), or out of a date's
 *  range (the database edited by hand); SQL NULL is an empty field, not a problem. */
const badTime = (column: string): string =>
  `${column} IS NOT NULL AND NOT (typeof(${column}) IN ('integer', 'real') AND ${column} BETWEEN -${MAX_DATE_MS} AND ${MAX_DATE_MS})`;

const shown = (value: unknown): string =>
  typeof value === 'number' ? String(value) : typeof value === 'string' ? JSON.stringify(value) : 'a blob';

const notADate = 'is not a time a date can hold (epoch milliseconds within ±8.64e15)';

/** The first stored time among a run's fills or orders that cannot be written as a date,
 *  described with its row and column; null when every one can. Asked before anything is written,
 *  so that an export is whole or not there at all. */
export function unexportableTime(db: Database.Database, id: string, table: 'fills' | 'orders'): string | null {
  projectRun(db, id);
  if (table === 'fills') {
    const fill = db
      .prepare(
        `SELECT trade_id, client_order_id, seq, time FROM fills WHERE run_id = ? AND ${badTime('time')}
         ORDER BY seq, client_order_id, trade_id LIMIT 1`,
      )
      .get(id) as { trade_id: string; client_order_id: string; seq: number; time: unknown } | undefined;
    return fill === undefined
      ? null
      : `fill ${fill.trade_id} of order ${fill.client_order_id} (seq ${fill.seq}): its time (venue_time) ${shown(fill.time)} ${notADate}`;
  }
  for (const column of ['scheduled_time', 'created_at', 'updated_at']) {
    const order = db
      .prepare(
        `SELECT client_order_id, ${column} AS value FROM orders WHERE run_id = ? AND ${badTime(column)}
         ORDER BY client_order_id LIMIT 1`,
      )
      .get(id) as { client_order_id: string; value: unknown } | undefined;
    if (order !== undefined) return `order ${order.client_order_id}: its ${column} ${shown(order.value)} ${notADate}`;
  }
  return null;
}
