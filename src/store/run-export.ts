// The tables `execsim export` writes, read as the store holds them: a run's fills and its orders,
// their columns in the order the CSV has them, streamed (a run may have millions of rows).
import type Database from 'better-sqlite3';

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
  return db
    .prepare(
      `SELECT ${EXPORT_ORDER_COLUMNS.join(', ')} FROM orders WHERE run_id = ?
       ORDER BY COALESCE(parent_order_id, client_order_id), parent_order_id IS NOT NULL, slice_num, client_order_id`,
    )
    .raw()
    .iterate(id) as IterableIterator<unknown[]>;
}
