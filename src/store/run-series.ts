// A stored run's chart series (RunSeries), read from its log (once, for every kind needed) and
// projections and put together from the per-series modules; every series is cut to the window
// asked for and decimated on the server to at most maxPoints. Which module gives which series, and
// damaged payloads:
// docs/0070-store-service-and-cli-notes.md#srcstorerun-seriests.
import type Database from 'better-sqlite3';
import { EquitySeries } from './equity-series.ts';
import { pick, sumInto } from './decimate.ts';
import { addFills, fillRows, timedFills, untimedSeqs } from './fill-series.ts';
import { marketSeries } from './market-series.ts';
import { parentSeries, sliceSeries } from './order-series.ts';
import type { RunSeries, SeriesQuery } from './read-model-port.ts';
import { endMarks, inventoryKind, isInventory, SeriesPayloads, type PayloadRow } from './series-payloads.ts';
import { otherSteps, stepOf, type Steps } from './series-steps.ts';
import { SeriesWindow } from './series-window.ts';
import { misshapenColumn } from './stored-data.ts';
import { storedEventLines } from './stored-events.ts';
import { storedInstrument } from './stored-values.ts';
import { projectRun } from './deferred-projection.ts';
import { declaredSpans, observedSpans, SPAN_EVENT_KINDS, spansIn } from './window-series.ts';

interface RunRow {
  readonly scenario_json: string;
  readonly sim_start: number;
  readonly sim_end: number | null;
  /** The finished report's P&L per symbol (JSON), for its last mark; null without one. */
  readonly pnl_symbols: string | null;
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
  // The fills and slices below are read from the order and fill rows.
  projectRun(db, runId);
  const instrument = storedInstrument(run.scenario_json);
  if (typeof instrument === 'string') throw misshapenColumn(db, `run ${runId}`, 'scenario_json', instrument);
  const spec = instrument.spec;
  const payloads = new SeriesPayloads(db, runId);
  const own: Steps = { price: stepOf(spec.tickSize), size: stepOf(spec.lotSize) };
  // Prices and quantities of the other symbols a node trades, in their own steps.
  const others = otherSteps(run.scenario_json);
  const stepsOf = (symbol: string): Steps => others.get(symbol) ?? own;
  const window = new SeriesWindow(run.sim_start, q);
  const inWindow = (t: number): boolean => window.has(t);
  const equity = new EquitySeries(spec.symbol);

  const market = marketSeries(db, runId, window, payloads, own, equity);
  const bookKept = window.keep('book', market.bt, [market.bid, market.ask]);
  const tradesKept = window.keep('trades', market.tt, [market.vwap]);

  // The log, read once: the entries of the kinds below, and those of fills in blocks (their time).
  const rows = fillRows(db, runId);
  const untimed = untimedSeqs(rows);
  const loggedAt = new Map<number, number>();
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
  const spanKinds = new Set<string>(SPAN_EVENT_KINDS);
  const spanRows: (PayloadRow & { kind: string })[] = [];
  let lastTime = run.sim_start;
  for (const [seq, time, kind, payload] of storedEventLines(db, runId, {
    kinds: [...Object.keys(byKind), ...SPAN_EVENT_KINDS],
    alsoSeqs: untimed,
  })) {
    if (untimed.has(seq)) loggedAt.set(seq, time);
    if (time > lastTime) lastTime = time;
    if (spanKinds.has(kind)) spanRows.push({ seq, time, payload, kind });
    else byKind[kind]?.push({ seq, time, payload });
  }

  const allFills = timedFills(rows, loggedAt, spec.symbol);
  addFills(equity, allFills);
  // The fills drawn on the run's price axis: its own symbol's (a further symbol's price would
  // squash it, and a bucket's quantities would add one symbol's units to another's).
  const fills = allFills.filter((f) => f.symbol === spec.symbol && inWindow(f.t));
  const ft = fills.map((f) => f.t);
  const fillPrice = fills.map((f) => f.price);
  const fillsKept = window.keep('fills', ft, [fillPrice]);

  const slices = sliceSeries(
    db,
    runId,
    run.sim_start,
    { planned, sent },
    payloads,
    (symbol) => stepsOf(symbol).size,
    spec.symbol,
  );
  const sliceWindow = slices.filter((s) => inWindow(s.plannedAt));
  const shownSlices = pick(sliceWindow, window.keepEvenly('slices', sliceWindow.length));

  const parents = parentSeries(parentRows, slices, allFills, {
    symbol: spec.symbol,
    stepsOf,
    payloads,
    window,
    equity,
  });

  // The account's baseline (once per symbol) and reconciliation's corrections.
  const baselines = new Set<string>();
  for (const row of inventoryRows) {
    const e = payloads.of(row, inventoryKind(row.payload), isInventory, 'a position (symbol, position or adjustment)');
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
  const equityKept = window.keep('equity', equityPoints.t, [equityPoints.net, equityPoints.position]);

  const { from, to } = window;
  const end = run.sim_end ?? Math.max(lastTime, market.bt.at(-1) ?? lastTime);
  const spans = spansIn(
    [...declaredSpans(run.scenario_json, run.sim_start), ...observedSpans(spanRows, end)],
    from,
    Math.min(to, end),
  );
  return {
    runId,
    symbol: spec.symbol,
    start: run.sim_start,
    end: run.sim_end,
    from,
    // A run without an end (stopped, or still running) ends, for its window, at the last event
    // or sample it stored.
    to: Math.min(to, end),
    maxPoints: window.maxPoints,
    book: { t: pick(market.bt, bookKept), bid: pick(market.bid, bookKept), ask: pick(market.ask, bookKept) },
    trades: {
      t: pick(market.tt, tradesKept),
      vwap: pick(market.vwap, tradesKept),
      volume: sumInto(market.volume, tradesKept),
    },
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
    spans,
    decimated: window.decimated,
    counts: window.counts,
  };
}
