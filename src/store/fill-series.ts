// Our fills of a stored run as its charts show them: each fill row (the fills table, with its
// order's parent, side and symbol) at the time its report was logged, and each fill handed to the
// equity series in its symbol's own steps. A fill whose entry is not stored is left out. The time
// of an entry that is a row of the log (runs stored before blocks) is joined here; that of an
// entry in a block is read by the caller's pass over the log (untimedSeqs names which).
import type Database from 'better-sqlite3';
import type { EquitySeries } from './equity-series.ts';

export interface FillSeriesRow {
  readonly seq: number;
  /** The time of its entry when that is a row (null in a block). */
  readonly time: number | null;
  readonly qty: string;
  readonly price: string;
  readonly client_order_id: string;
  readonly parent_order_id: string | null;
  readonly side: 'buy' | 'sell' | null;
  readonly fee: string;
  readonly symbol: string | null;
}

/** A fill as the series use it: figures as the store wrote them (the run's symbol's steps). */
export interface SeriesFill {
  readonly t: number;
  readonly price: number;
  readonly qty: number;
  readonly side: 'buy' | 'sell';
  readonly childId: string;
  readonly parentId: string;
  readonly seq: number;
  readonly fee: number;
  readonly symbol: string;
}

/** The run's fill rows, in log order. */
export function fillRows(db: Database.Database, runId: string): FillSeriesRow[] {
  return db
    .prepare(
      `SELECT f.seq, e.time, f.qty, f.price, f.fee, f.client_order_id, o.parent_order_id, o.side, o.symbol
       FROM fills f
       LEFT JOIN events e ON e.run_id = f.run_id AND e.seq = f.seq
       LEFT JOIN orders o ON o.run_id = f.run_id AND o.client_order_id = f.client_order_id
       WHERE f.run_id = ? ORDER BY f.seq, f.trade_id`,
    )
    .all(runId) as FillSeriesRow[];
}

/** The seqs of the rows whose entry is in a block: their times are read from the log. */
export function untimedSeqs(rows: readonly FillSeriesRow[]): Set<number> {
  return new Set(rows.flatMap((r) => (r.time === null ? [r.seq] : [])));
}

/** The fills whose time is known: their row's, else `loggedAt` by seq. `symbol`: the run's. */
export function timedFills(
  rows: readonly FillSeriesRow[],
  loggedAt: ReadonlyMap<number, number>,
  symbol: string,
): SeriesFill[] {
  return rows.flatMap((r) => {
    const t = r.time ?? loggedAt.get(r.seq);
    return t === undefined
      ? []
      : [
          {
            t,
            price: Number(r.price),
            qty: Number(r.qty),
            side: r.side ?? 'buy',
            childId: r.client_order_id,
            parentId: r.parent_order_id ?? '',
            seq: r.seq,
            fee: Number(r.fee),
            symbol: r.symbol ?? symbol,
          },
        ];
  });
}

/** Hands each fill to the equity series: the store writes every fill row in its own symbol's
 *  decimals (a further symbol's too: deferred-projection.ts), so each is read as it stands. */
export function addFills(equity: EquitySeries, fills: readonly SeriesFill[]): void {
  for (const f of fills) {
    const fee = Number.isFinite(f.fee) ? f.fee : 0;
    equity.fill(f.t, f.seq, f.symbol, f.side === 'buy' ? f.qty : -f.qty, f.price, fee);
  }
}
