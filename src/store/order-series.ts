// Our orders of a stored run as its charts show them. Each child order (slice): when it was
// planned and how large (OrderCreated), when it was first sent (SubmitOrder), how it ended (the
// orders table) and so what became of it (SliceOutcome). Each parent (ParentOrderCreated): its
// arrival mid, which also goes to the equity series, and its planned and filled quantity over
// time as cumulative steps, in the window and decimated.
import type Database from 'better-sqlite3';
import type { EquitySeries } from './equity-series.ts';
import type { SeriesFill } from './fill-series.ts';
import type { RunSeries, SliceOutcome } from './read-model-port.ts';
import {
  isCreated,
  isParent,
  isSubmit,
  type Created,
  type PayloadRow,
  type SeriesPayloads,
} from './series-payloads.ts';
import type { Steps } from './series-steps.ts';
import type { SeriesWindow } from './series-window.ts';

interface ChildRow {
  readonly client_order_id: string;
  readonly parent_order_id: string;
  readonly slice_num: number | null;
  readonly scheduled_time: number | null;
  readonly status: string;
  readonly qty: string;
  readonly filled_qty: string;
  readonly symbol: string | null;
}

/** A child order as the slices series shows it. */
export interface SeriesSlice {
  readonly childId: string;
  readonly parentId: string;
  readonly sliceNum: number;
  readonly plannedAt: number;
  /** When it was first sent; null: never sent. */
  readonly sentAt: number | null;
  readonly plannedQty: number;
  readonly qty: number;
  readonly filledQty: number;
  readonly outcome: SliceOutcome;
}

/**
 * Every child order of a parent, in the order they were planned (then by parent and slice):
 * `planned` and `sent` are the log's OrderCreated and SubmitOrder entries (the first of each per
 * order counts); `sizeOf` turns a plan's lots into a quantity of the child's symbol (`symbol` is
 * the run's, for a row without one); a child without a plan is planned at its scheduled time,
 * else the run's start (`start`).
 */
export function sliceSeries(
  db: Database.Database,
  runId: string,
  start: number,
  log: { readonly planned: readonly PayloadRow[]; readonly sent: readonly PayloadRow[] },
  payloads: SeriesPayloads,
  sizeOf: (symbol: string) => (lots: number) => number,
  symbol: string,
): SeriesSlice[] {
  const created = new Map<string, Created>();
  for (const row of log.planned) {
    const c = payloads.of(row, 'OrderCreated', isCreated, 'an order plan (clientOrderId, scheduledTime, qty)');
    if (!created.has(c.clientOrderId)) created.set(c.clientOrderId, c);
  }
  const sentAt = new Map<string, number>();
  for (const row of log.sent) {
    const id = payloads.of(row, 'SubmitOrder', isSubmit, 'an order command (clientOrderId)').clientOrderId;
    if (!sentAt.has(id)) sentAt.set(id, row.time);
  }
  const children = db
    .prepare(
      `SELECT client_order_id, parent_order_id, slice_num, scheduled_time, status, qty, filled_qty, symbol FROM orders
       WHERE run_id = ? AND parent_order_id IS NOT NULL`,
    )
    .all(runId) as ChildRow[];
  return children
    .map((c) => {
      const plan = created.get(c.client_order_id);
      const plannedAt = plan?.scheduledTime ?? c.scheduled_time ?? start;
      const sent = sentAt.get(c.client_order_id) ?? null;
      const filledQty = Number(c.filled_qty);
      const qty = Number(c.qty);
      return {
        childId: c.client_order_id,
        parentId: c.parent_order_id,
        sliceNum: c.slice_num ?? 1,
        plannedAt,
        sentAt: sent,
        plannedQty: plan ? sizeOf(c.symbol ?? symbol)(plan.qty) : qty,
        qty,
        filledQty,
        outcome: outcomeOf(sent !== null, c.status, filledQty, qty),
      };
    })
    .sort((a, b) => a.plannedAt - b.plannedAt || a.parentId.localeCompare(b.parentId) || a.sliceNum - b.sliceNum);
}

/**
 * Each parent once (its first ParentOrderCreated in `rows`), with its arrival mid and its planned
 * (by `slices`) and filled (by `fills`, all of the run's) quantity over time, in `window`. Its
 * arrival bid and ask go to `equity`, and its figures are stated, in its symbol's steps
 * (`stepsOf`; `symbol` is the run's, for a parent that names none).
 */
export function parentSeries(
  rows: readonly PayloadRow[],
  slices: readonly SeriesSlice[],
  fills: readonly SeriesFill[],
  context: {
    readonly symbol: string;
    readonly stepsOf: (symbol: string) => Steps;
    readonly payloads: SeriesPayloads;
    readonly window: SeriesWindow;
    readonly equity: EquitySeries;
  },
): RunSeries['parents'][number][] {
  const { stepsOf, payloads, window, equity } = context;
  const parents: RunSeries['parents'][number][] = [];
  for (const row of rows) {
    const p = payloads.of(
      row,
      'ParentOrderCreated',
      isParent,
      'a parent order (parentId, side, qty, arrivalBid, arrivalAsk)',
    );
    if (parents.some((x) => x.id === p.parentId)) continue;
    const symbol = typeof p.symbol === 'string' ? p.symbol : context.symbol;
    const at = stepsOf(symbol).price;
    equity.arrival(
      row.time,
      row.seq,
      symbol,
      p.arrivalBid === null ? null : at(p.arrivalBid),
      p.arrivalAsk === null ? null : at(p.arrivalAsk),
    );
    const arrival =
      p.arrivalBid !== null && p.arrivalAsk !== null
        ? (p.arrivalBid + p.arrivalAsk) / 2
        : (p.arrivalBid ?? p.arrivalAsk ?? null);
    const planned = cumulative(
      row.time,
      slices.filter((s) => s.parentId === p.parentId).map((s) => ({ t: s.plannedAt, qty: s.plannedQty })),
    );
    const filled = cumulative(
      row.time,
      fills.filter((f) => f.parentId === p.parentId).map((f) => ({ t: f.t, qty: f.qty })),
    );
    const own = stepsOf(symbol);
    parents.push({
      id: p.parentId,
      symbol,
      side: p.side,
      qty: own.size(p.qty),
      createdAt: row.time,
      arrivalPrice: arrival === null ? null : own.price(arrival),
      planned: window.keepSteps(`planned:${p.parentId}`, planned),
      filled: window.keepSteps(`filled:${p.parentId}`, filled),
    });
  }
  return parents;
}

/** Cumulative quantity as steps: 0 at `origin`, then the running total at each time it changed
 *  (one point per time: the total after everything at that time). */
function cumulative(origin: number, points: readonly { t: number; qty: number }[]): { t: number[]; qty: number[] } {
  const sorted = [...points].sort((a, b) => a.t - b.t);
  const t: number[] = [origin];
  const qty: number[] = [0];
  let total = 0;
  for (const p of sorted) {
    total += p.qty;
    if (t[t.length - 1] === p.t || (t.length > 0 && (t[t.length - 1] as number) > p.t)) qty[qty.length - 1] = total;
    else {
      t.push(p.t);
      qty.push(total);
    }
  }
  return { t, qty };
}

/** What became of a child, from whether it was sent and how it ended (SliceOutcome). */
export function outcomeOf(sent: boolean, status: string, filledQty: number, qty: number): SliceOutcome {
  if (!sent) return 'unsent';
  if (status === 'filled' || (filledQty > 0 && filledQty >= qty)) return 'filled';
  if (filledQty > 0) return 'partial';
  if (status === 'rejected') return 'rejected';
  if (status === 'failed') return 'failed';
  if (status === 'canceled') return 'cancelled';
  return 'unfilled';
}
