// A stored run's chart series (RunSeries, read-model-port.ts), read from its log and
// projections: the top of book and the public trades from the market samples (MarketSampled),
// our fills from the fills table at the time their report was logged, the slices from the
// orders table with their planned time and size (OrderCreated) and first send (SubmitOrder), and
// per parent its arrival mid (ParentOrderCreated) and planned and filled quantity over time, and
// the run's net P&L and position over time (equity-series.ts, from the same samples, fills and
// arrivals, the account's baseline and corrections, and the finished report's last mark).
// Decimated here, on the server, to at most maxPoints per series (decimate.ts). A scenario or a
// payload read here that is not JSON, or not of the shape execsim writes (the database edited by
// hand or damaged), is a StoredDataError naming the run and the column or event.
import type Database from 'better-sqlite3';
import { parseDecimal } from '../core/model/decimal.ts';
import { evenIndices, minMaxIndices, pick, sumInto } from './decimate.ts';
import type { RunSeries, SeriesCount, SeriesQuery, SliceOutcome } from './read-model-port.ts';
import { storedInstrument } from './stored-values.ts';
import { sampleBlocks } from './sample-blocks.ts';
import { storedEventLines } from './stored-events.ts';
import { EquitySeries } from './equity-series.ts';
import { damagedSample, damagedSampleBlock, misshapenColumn, misshapenPayload, storedPayload } from './stored-data.ts';

interface RunRow {
  readonly scenario_json: string;
  readonly sim_start: number;
  readonly sim_end: number | null;
  /** The finished report's P&L per symbol (JSON), for its last mark; null without one. */
  readonly pnl_symbols: string | null;
}

/** A stored event as the series read it (its seq names it when its payload is damaged). */
interface PayloadRow {
  readonly seq: number;
  readonly time: number;
  readonly payload: string;
}

interface Sample {
  readonly bid: number | null;
  readonly ask: number | null;
  readonly volume: number;
  readonly vwap: number | null;
}

interface FillRow {
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

interface ChildRow {
  readonly client_order_id: string;
  readonly parent_order_id: string;
  readonly slice_num: number | null;
  readonly scheduled_time: number | null;
  readonly status: string;
  readonly qty: string;
  readonly filled_qty: string;
}

interface Created {
  readonly clientOrderId: string;
  readonly parentId: string;
  readonly scheduledTime: number;
  readonly qty: number;
}

interface ParentCreated {
  readonly parentId: string;
  readonly symbol?: unknown;
  readonly side: 'buy' | 'sell';
  readonly qty: number;
  readonly arrivalBid: number | null;
  readonly arrivalAsk: number | null;
}

/** A grid step (tick or lot size) as a multiplier: steps x mantissa / 10^scale. */
function stepOf(size: string): (steps: number) => number {
  const { mantissa, scale } = parseDecimal(size);
  const m = Number(mantissa);
  const d = 10 ** scale;
  return (steps) => (steps * m) / d;
}

/**
 * The series of run `runId` (null: no such run). `q.from` / `q.to` are simulated ms from the
 * run's start; `q.maxPoints` (at least 2) bounds every series, absent: everything in the window.
 */
export function runSeries(db: Database.Database, runId: string, q: SeriesQuery = {}): RunSeries | null {
  const run = db
    .prepare(
      `SELECT scenario_json, sim_start, sim_end,
         CASE WHEN json_valid(report_json) THEN json_extract(report_json, '$.pnl.symbols') END AS pnl_symbols
       FROM runs WHERE id = ?`,
    )
    .get(runId) as RunRow | undefined;
  if (!run) return null;
  const instrument = storedInstrument(run.scenario_json);
  if (typeof instrument === 'string') throw misshapenColumn(db, `run ${runId}`, 'scenario_json', instrument);
  const spec = instrument.spec;
  /** A stored payload of `kind` parsed and checked by `fits`; `what` names what it must be. */
  const payloadOf = <T>(row: PayloadRow, kind: string, fits: (p: unknown) => p is T, what: string): T => {
    const p = storedPayload(db, runId, row.seq, kind, row.payload);
    if (!fits(p)) throw misshapenPayload(db, runId, row.seq, kind, what);
    return p;
  };
  const SAMPLE = 'a market sample (bid, ask, volume, vwap)';
  /** A sample kept beside the log, parsed and checked (named by its time and the entry before it). */
  const sampleOf = (row: PayloadRow): Sample => {
    let p: unknown;
    try {
      p = JSON.parse(row.payload);
    } catch {
      throw damagedSample(db, runId, row.seq, row.time, 'JSON');
    }
    if (!isSample(p)) throw damagedSample(db, runId, row.seq, row.time, SAMPLE);
    return p;
  };
  const price = stepOf(spec.tickSize);
  const size = stepOf(spec.lotSize);
  const tick = price(1);
  const lot = size(1);
  const from = run.sim_start + (q.from ?? 0);
  const to = q.to === undefined ? Number.MAX_SAFE_INTEGER : run.sim_start + q.to;
  const inWindow = (t: number): boolean => t >= from && t <= to;
  const maxPoints = q.maxPoints ?? null;
  const counts: Record<string, SeriesCount> = {};
  const equity = new EquitySeries(spec.symbol);
  // Prices and quantities of the other symbols a node trades, in their own steps.
  const steps = otherSteps(run.scenario_json);
  const stepsOf = (symbol: string) => steps.get(symbol) ?? { price, size };

  // Top of book and trades, from the samples in the window.
  const bt: number[] = [];
  const bid: (number | null)[] = [];
  const ask: (number | null)[] = [];
  const tt: number[] = [];
  const vwap: number[] = [];
  const volume: number[] = [];
  const addSample = (time: number, seq: number, s: Sample): void => {
    equity.sample(time, seq, s.bid === null ? null : price(s.bid), s.ask === null ? null : price(s.ask));
    bt.push(time);
    bid.push(s.bid === null ? null : price(s.bid));
    ask.push(s.ask === null ? null : price(s.ask));
    if (s.volume > 0 && s.vwap !== null) {
      tt.push(time);
      vwap.push(price(s.vwap));
      volume.push(size(s.volume));
    }
  };
  // Samples are kept beside the log in blocks, in the order taken (the time index's order: no
  // sort). Runs stored before hold them in rows of their own (schema version 10) or in the log
  // itself, as entries. A run resumed by a newer execsim has its earlier samples in an older
  // place and its later ones in a newer: read oldest first, the reads one after the other are in
  // time order.
  const logged = db
    .prepare(
      `SELECT seq, time, payload FROM events WHERE run_id = ? AND kind = 'MarketSampled' AND time >= ? AND time <= ?
       ORDER BY seq`,
    )
    .iterate(runId, from, to) as IterableIterator<PayloadRow>;
  for (const row of logged) addSample(row.time, row.seq, payloadOf(row, 'MarketSampled', isSample, SAMPLE));
  const beside = db
    .prepare(
      'SELECT seq, time, payload FROM market_samples WHERE run_id = ? AND time >= ? AND time <= ? ORDER BY time, rowid',
    )
    .iterate(runId, from, to) as IterableIterator<PayloadRow>;
  for (const row of beside) addSample(row.time, row.seq, sampleOf(row));
  for (const { firstTime, lastTime, samples } of sampleBlocks(db, runId, from, to)) {
    if (typeof samples === 'string') throw damagedSampleBlock(db, runId, firstTime, lastTime, samples);
    for (const sample of samples) if (inWindow(sample.time)) addSample(sample.time, sample.seq, sample);
  }
  const bookKept = keep('book', bt, [bid, ask]);
  const tradesKept = keep('trades', tt, [vwap]);

  // Our fills, at the time their report was logged (a fill whose entry is not stored is left
  // out): the time of a row of the log (runs stored before blocks) joined here, of an entry in
  // a block read with the kinds below.
  const fillRows = db
    .prepare(
      `SELECT f.seq, e.time, f.qty, f.price, f.fee, f.client_order_id, o.parent_order_id, o.side, o.symbol
       FROM fills f
       LEFT JOIN events e ON e.run_id = f.run_id AND e.seq = f.seq
       LEFT JOIN orders o ON o.run_id = f.run_id AND o.client_order_id = f.client_order_id
       WHERE f.run_id = ? ORDER BY f.seq, f.trade_id`,
    )
    .all(runId) as FillRow[];
  const loggedAt = new Map<number, number>();
  for (const r of fillRows) if (r.time === null) loggedAt.set(r.seq, Number.NaN);

  // Children: planned (OrderCreated), first sent (SubmitOrder), as they ended (orders table);
  // parents (ParentOrderCreated) below. The three kinds and the fills' entries are read from the
  // log in one pass.
  const planned: PayloadRow[] = [];
  const sent: PayloadRow[] = [];
  const parentRows: PayloadRow[] = [];
  const inventoryRows: PayloadRow[] = [];
  const byKind: Record<string, PayloadRow[]> = {
    OrderCreated: planned,
    SubmitOrder: sent,
    ParentOrderCreated: parentRows,
    AccountBaseline: inventoryRows,
    PositionCorrected: inventoryRows,
  };
  for (const [seq, time, kind, payload] of storedEventLines(db, runId, {
    kinds: Object.keys(byKind),
    alsoSeqs: new Set(loggedAt.keys()),
  })) {
    if (loggedAt.has(seq)) loggedAt.set(seq, time);
    byKind[kind]?.push({ seq, time, payload });
  }
  const allFills = fillRows.flatMap((r) => {
    const t = r.time ?? loggedAt.get(r.seq);
    return t === undefined || Number.isNaN(t)
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
            symbol: r.symbol ?? spec.symbol,
          },
        ];
  });
  for (const f of allFills) {
    // The store writes every fill row in the run's symbol's steps (its projections are formatted
    // with the run's instrument): another symbol's row is read back in lots, ticks and notional
    // units, then in that symbol's own steps.
    const k = f.symbol === spec.symbol ? null : steps.get(f.symbol);
    const qty = k ? k.size(f.qty / lot) : f.qty;
    const fillPrice = k ? k.price(f.price / tick) : f.price;
    const fee = Number.isFinite(f.fee) ? (k ? k.size(k.price(f.fee / (tick * lot))) : f.fee) : 0;
    equity.fill(f.t, f.seq, f.symbol, f.side === 'buy' ? qty : -qty, fillPrice, fee);
  }
  const fills = allFills.filter((f) => inWindow(f.t));
  const ft = fills.map((f) => f.t);
  const fillPrice = fills.map((f) => f.price);
  const fillsKept = keep('fills', ft, [fillPrice]);

  const created = new Map<string, Created>();
  for (const row of planned) {
    const c = payloadOf(row, 'OrderCreated', isCreated, 'an order plan (clientOrderId, scheduledTime, qty)');
    if (!created.has(c.clientOrderId)) created.set(c.clientOrderId, c);
  }
  const sentAt = new Map<string, number>();
  for (const row of sent) {
    const id = payloadOf(row, 'SubmitOrder', isSubmit, 'an order command (clientOrderId)').clientOrderId;
    if (!sentAt.has(id)) sentAt.set(id, row.time);
  }
  const children = db
    .prepare(
      `SELECT client_order_id, parent_order_id, slice_num, scheduled_time, status, qty, filled_qty FROM orders
       WHERE run_id = ? AND parent_order_id IS NOT NULL`,
    )
    .all(runId) as ChildRow[];
  const slices = children
    .map((c) => {
      const plan = created.get(c.client_order_id);
      const plannedAt = plan?.scheduledTime ?? c.scheduled_time ?? run.sim_start;
      const sent = sentAt.get(c.client_order_id) ?? null;
      const filledQty = Number(c.filled_qty);
      const qty = Number(c.qty);
      return {
        childId: c.client_order_id,
        parentId: c.parent_order_id,
        sliceNum: c.slice_num ?? 1,
        plannedAt,
        sentAt: sent,
        plannedQty: plan ? size(plan.qty) : qty,
        qty,
        filledQty,
        outcome: outcomeOf(sent !== null, c.status, filledQty, qty),
      };
    })
    .sort((a, b) => a.plannedAt - b.plannedAt || a.parentId.localeCompare(b.parentId) || a.sliceNum - b.sliceNum);
  const sliceWindow = slices.filter((s) => inWindow(s.plannedAt));
  const slicesKept = keepEvenly('slices', sliceWindow.length);
  const shownSlices = pick(sliceWindow, slicesKept);

  // Parents: arrival mid, planned and filled quantity over time.
  const parents: RunSeries['parents'][number][] = [];
  for (const row of parentRows) {
    const p = payloadOf(
      row,
      'ParentOrderCreated',
      isParent,
      'a parent order (parentId, side, qty, arrivalBid, arrivalAsk)',
    );
    if (parents.some((x) => x.id === p.parentId)) continue;
    const symbol = typeof p.symbol === 'string' ? p.symbol : spec.symbol;
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
      allFills.filter((f) => f.parentId === p.parentId).map((f) => ({ t: f.t, qty: f.qty })),
    );
    parents.push({
      id: p.parentId,
      side: p.side,
      qty: size(p.qty),
      createdAt: row.time,
      arrivalPrice: arrival === null ? null : price(arrival),
      planned: keepSteps(`planned:${p.parentId}`, planned),
      filled: keepSteps(`filled:${p.parentId}`, filled),
    });
  }

  // The account's baseline (once per symbol) and reconciliation's corrections.
  const baselines = new Set<string>();
  for (const row of inventoryRows) {
    const e = payloadOf(row, inventoryKind(row.payload), isInventory, 'a position (symbol, position or adjustment)');
    const symbol = typeof e['symbol'] === 'string' ? e['symbol'] : spec.symbol;
    const lots = typeof e['adjustment'] === 'number' ? e['adjustment'] : (e['position'] as number);
    if (typeof e['adjustment'] !== 'number') {
      if (baselines.has(symbol)) continue;
      baselines.add(symbol);
    }
    equity.inventory(row.time, row.seq, symbol, stepsOf(symbol).size(lots));
  }
  // The report's last marks, at the run's end: the chart ends at the report's net P&L.
  if (run.sim_end !== null && run.pnl_symbols !== null)
    for (const m of endMarks(run.pnl_symbols)) equity.end(run.sim_end, m.symbol, Number(m.mark));
  const equityPoints = equity.points(run.sim_start, inWindow);
  const equityKept = keep('equity', equityPoints.t, [equityPoints.net, equityPoints.position]);

  return {
    runId,
    symbol: spec.symbol,
    start: run.sim_start,
    end: run.sim_end,
    from,
    to: Math.min(to, run.sim_end ?? to),
    maxPoints,
    book: { t: pick(bt, bookKept), bid: pick(bid, bookKept), ask: pick(ask, bookKept) },
    trades: { t: pick(tt, tradesKept), vwap: pick(vwap, tradesKept), volume: sumInto(volume, tradesKept) },
    fills: {
      t: pick(ft, fillsKept),
      price: pick(fillPrice, fillsKept),
      qty:
        fillsKept.length === fills.length
          ? fills.map((f) => f.qty)
          : sumInto(
              fills.map((f) => f.qty),
              fillsKept,
            ),
      side: pick(
        fills.map((f) => f.side),
        fillsKept,
      ),
      childId: pick(
        fills.map((f) => f.childId),
        fillsKept,
      ),
      parentId: pick(
        fills.map((f) => f.parentId),
        fillsKept,
      ),
    },
    slices: {
      childId: shownSlices.map((s) => s.childId),
      parentId: shownSlices.map((s) => s.parentId),
      sliceNum: shownSlices.map((s) => s.sliceNum),
      plannedAt: shownSlices.map((s) => s.plannedAt),
      sentAt: shownSlices.map((s) => s.sentAt),
      plannedQty: shownSlices.map((s) => s.plannedQty),
      qty: shownSlices.map((s) => s.qty),
      filledQty: shownSlices.map((s) => s.filledQty),
      outcome: shownSlices.map((s) => s.outcome),
    },
    parents,
    equity: {
      t: pick(equityPoints.t, equityKept),
      net: pick(equityPoints.net, equityKept),
      position: pick(equityPoints.position, equityKept),
    },
    decimated: Object.values(counts).some((c) => c.after < c.before),
    counts,
  };

  function keep(name: string, t: readonly number[], columns: readonly (readonly (number | null)[])[]): number[] {
    const kept = maxPoints === null ? t.map((_, i) => i) : minMaxIndices(t, columns, maxPoints);
    counts[name] = { before: t.length, after: kept.length };
    return kept;
  }

  function keepEvenly(name: string, n: number): number[] {
    const kept = evenIndices(n, maxPoints ?? n);
    counts[name] = { before: n, after: kept.length };
    return kept;
  }

  function keepSteps(name: string, steps: { t: number[]; qty: number[] }): { t: number[]; qty: number[] } {
    const windowed = steps.t.flatMap((t, i) => (inWindow(t) ? [i] : []));
    const t = pick(steps.t, windowed);
    const qty = pick(steps.qty, windowed);
    const kept = keep(name, t, [qty]);
    return { t: pick(t, kept), qty: pick(qty, kept) };
  }
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

// What the series read of each payload, checked before use: a field of another type would
// otherwise become NaN in a chart, or a TypeError (a payload of null).
type Fields = Record<string, unknown>;
const isFields = (p: unknown): p is Fields => typeof p === 'object' && p !== null && !Array.isArray(p);
const numberOrNull = (v: unknown): boolean => v === null || typeof v === 'number';

const isSample = (p: unknown): p is Sample =>
  isFields(p) &&
  numberOrNull(p['bid']) &&
  numberOrNull(p['ask']) &&
  typeof p['volume'] === 'number' &&
  numberOrNull(p['vwap']);

const isCreated = (p: unknown): p is Created =>
  isFields(p) &&
  typeof p['clientOrderId'] === 'string' &&
  typeof p['scheduledTime'] === 'number' &&
  typeof p['qty'] === 'number';

const isSubmit = (p: unknown): p is { clientOrderId: string } => isFields(p) && typeof p['clientOrderId'] === 'string';

const isParent = (p: unknown): p is ParentCreated =>
  isFields(p) &&
  typeof p['parentId'] === 'string' &&
  (p['side'] === 'buy' || p['side'] === 'sell') &&
  typeof p['qty'] === 'number' &&
  numberOrNull(p['arrivalBid']) &&
  numberOrNull(p['arrivalAsk']);

const isInventory = (p: unknown): p is Fields =>
  isFields(p) &&
  (typeof p['position'] === 'number' || typeof p['adjustment'] === 'number') &&
  (p['symbol'] === undefined || typeof p['symbol'] === 'string');

/** Which of the two inventory kinds a payload is (they are read together), by its fields. */
function inventoryKind(payload: string): string {
  return payload.includes('"adjustment"') ? 'PositionCorrected' : 'AccountBaseline';
}

/** The marks of a finished report's P&L per symbol (its JSON), those with one. */
function endMarks(json: string): Array<{ symbol: string; mark: string }> {
  let list: unknown;
  try {
    list = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(list)) return [];
  return list.flatMap((x) =>
    isFields(x) &&
    typeof x['symbol'] === 'string' &&
    typeof x['mark'] === 'string' &&
    Number.isFinite(Number(x['mark']))
      ? [{ symbol: x['symbol'], mark: x['mark'] }]
      : [],
  );
}

/** The price and quantity steps of a node's other symbols (otherInstruments), by symbol; a
 *  scenario without them, or not of the shape execsim writes, has none. */
function otherSteps(json: string): Map<string, { price: (ticks: number) => number; size: (lots: number) => number }> {
  const out = new Map<string, { price: (ticks: number) => number; size: (lots: number) => number }>();
  let scenario: unknown;
  try {
    scenario = JSON.parse(json);
  } catch {
    return out;
  }
  const others = isFields(scenario) ? scenario['otherInstruments'] : undefined;
  if (!Array.isArray(others)) return out;
  for (const o of others) {
    if (!isFields(o) || typeof o['symbol'] !== 'string') continue;
    const { tickSize, lotSize } = o;
    if (typeof tickSize !== 'string' || typeof lotSize !== 'string') continue;
    try {
      out.set(o['symbol'], { price: stepOf(tickSize), size: stepOf(lotSize) });
    } catch {
      continue; // a step that does not read: its symbol's figures use the run's steps
    }
  }
  return out;
}
