// Chart series of a stored run (src/store/run-series.ts) and their decimation (decimate.ts).
// Decimation, for any series and any maxPoints: never more points than asked, in time order,
// and every time bucket keeps each column's lowest and highest value (a spike survives); summed
// columns keep their total. Series of real stored runs of bundled scenarios agree with the
// run's report: per parent, the fills add up to its filled quantity and the cumulative filled
// line ends at it, the plan ends at the parent's quantity, every child is one slice with the
// report's outcome; decimation keeps those totals and bounds. The equity series (net P&L and
// position) starts at 0 at the run's start, ends at the report's net P&L and position at its end,
// never falls further from its peak than the report's drawdown, and keeps its extremes when
// decimated.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalLine } from '../../src/core/log/event-log.ts';
import type { RunReport } from '../../src/runtime/backtest-run.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { bucketOf, evenIndices, minMaxIndices, sumInto } from '../../src/store/decimate.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import type { RunSeries } from '../../src/store/read-model-port.ts';
import { runSeries } from '../../src/store/run-series.ts';
import { RunStore } from '../../src/store/run-store.ts';
import {
  SampleBlockWriter,
  SampleBuffer,
  storedSampleBlocks,
  type StoredSample,
} from '../../src/store/sample-blocks.ts';

const series = fc
  .tuple(
    fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 0, maxLength: 400, size: 'max' }),
    fc.integer({ min: 1, max: 3 }),
    fc.integer({ min: 2, max: 120 }),
  )
  .chain(([gaps, k, maxPoints]) => {
    const t: number[] = [];
    let now = 1_700_000_000_000;
    for (const g of gaps) t.push((now += g));
    const col = fc.array(fc.option(fc.integer({ min: -1_000, max: 1_000 }), { nil: null, freq: 10 }), {
      minLength: t.length,
      maxLength: t.length,
    });
    return fc.tuple(fc.constant(t), fc.array(col, { minLength: k, maxLength: k }), fc.constant(maxPoints));
  });

describe('minMaxIndices', () => {
  it('keeps at most maxPoints points in time order, and each bucket its lowest and highest of every column', () => {
    fc.assert(
      fc.property(series, ([t, columns, maxPoints]) => {
        const kept = minMaxIndices(t, columns, maxPoints);
        expect(kept.length).toBeLessThanOrEqual(maxPoints);
        for (let j = 1; j < kept.length; j++) expect(kept[j] as number).toBeGreaterThan(kept[j - 1] as number);
        for (let j = 1; j < kept.length; j++)
          expect(t[kept[j] as number] as number).toBeGreaterThanOrEqual(t[kept[j - 1] as number] as number);
        if (t.length <= maxPoints) {
          expect(kept).toEqual(t.map((_, i) => i));
          return;
        }
        const values = (c: number, idx: readonly number[]): number[] =>
          idx.flatMap((i) => {
            const v = columns[c]?.[i];
            return v === null || v === undefined ? [] : [v];
          });
        const buckets = Math.floor(maxPoints / (2 * columns.length));
        const all = t.map((_, i) => i);
        if (buckets === 0) {
          // One bucket: the lowest and the highest value of any column survive.
          const every = columns.flatMap((_, c) => values(c, all));
          const keptValues = columns.flatMap((_, c) => values(c, kept));
          if (every.length > 0) {
            expect(keptValues).toContain(Math.min(...every));
            expect(keptValues).toContain(Math.max(...every));
          }
          return;
        }
        const t0 = t[0] as number;
        const span = (t.at(-1) as number) - t0;
        for (let b = 0; b < buckets; b++) {
          const inB = all.filter((i) => bucketOf(t[i] as number, t0, span, buckets) === b);
          const keptB = kept.filter((i) => bucketOf(t[i] as number, t0, span, buckets) === b);
          for (let c = 0; c < columns.length; c++) {
            const v = values(c, inB);
            if (v.length === 0) continue;
            const kv = values(c, keptB);
            expect(kv, `bucket ${b} column ${c}`).toContain(Math.min(...v));
            expect(kv, `bucket ${b} column ${c}`).toContain(Math.max(...v));
          }
        }
      }),
    );
  });

  it('keeps the last point of a series that only grows (a cumulative quantity ends at its total)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 50 }), { minLength: 1, maxLength: 300, size: 'max' }),
        fc.integer({ min: 2, max: 40 }),
        (steps, maxPoints) => {
          const t = steps.map((_, i) => i * 10);
          let total = 0;
          const qty = steps.map((s) => (total += s));
          const kept = minMaxIndices(t, [qty], maxPoints);
          expect(kept.at(-1)).toBe(t.length - 1);
          expect(kept[0]).toBe(0);
        },
      ),
    );
  });

  it('sumInto keeps the total, and evenIndices the first and last of at most limit points', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1_000 }), { minLength: 1, maxLength: 200, size: 'max' }),
        fc.integer({ min: 2, max: 50 }),
        (values, limit) => {
          const t = values.map((_, i) => i);
          const kept = minMaxIndices(t, [values], limit);
          const summed = sumInto(values, kept);
          expect(summed.reduce((a, b) => a + b, 0)).toBe(values.reduce((a, b) => a + b, 0));
          const even = evenIndices(values.length, limit);
          expect(even.length).toBeLessThanOrEqual(limit);
          expect(even[0]).toBe(0);
          expect(even.at(-1)).toBe(values.length - 1);
        },
      ),
    );
  });
});

describe('runSeries over stored runs of bundled scenarios', () => {
  const store = new RunStore(openDatabase(':memory:'));
  afterAll(() => store.db.close());
  const stored = new Map<string, RunReport>();
  const run = (name: string): RunReport => {
    let report = stored.get(name);
    if (!report) {
      report = runScenario(loadScenarioFile(`scenarios/${name}.yaml`), { store });
      stored.set(name, report);
    }
    return report;
  };
  const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

  const agreesWithReport = (s: RunSeries, report: RunReport): void => {
    expect(s.parents.map((p) => p.id).sort()).toEqual(report.parents.map((p) => p.id).sort());
    for (const p of report.parents) {
      const sp = s.parents.find((x) => x.id === p.id);
      const mine = s.fills.qty.filter((_, i) => s.fills.parentId[i] === p.id);
      expect(sum(mine), `${p.id}: fills add up to its filled quantity`).toBeCloseTo(Number(p.filledQty), 8);
      expect(sp?.filled.qty.at(-1), `${p.id}: cumulative filled ends at it`).toBeCloseTo(Number(p.filledQty), 8);
      if (p.arrivalPrice !== null) expect(sp?.arrivalPrice).toBeCloseTo(Number(p.arrivalPrice), 4);
      // The plan: every slice as created, adding up to the parent's quantity.
      const slices = s.slices.childId.flatMap((_, i) => (s.slices.parentId[i] === p.id ? [i] : []));
      expect(slices.length, `${p.id}: one slice per child order`).toBe(p.childOrders);
      expect(sp?.planned.qty.at(-1)).toBeCloseTo(Number(p.qty), 8);
      for (const child of p.children) {
        const i = slices.find((j) => s.slices.childId[j] === child.clientOrderId);
        expect(i, `${child.clientOrderId} is a slice`).toBeDefined();
        const outcome = s.slices.outcome[i as number];
        expect(s.slices.filledQty[i as number]).toBeCloseTo(Number(child.filledQty), 8);
        expect(s.slices.sentAt[i as number] === null, `${child.clientOrderId} sent`).toBe(child.sentAt === null);
        if (child.status === 'filled') expect(outcome).toBe('filled');
        if (child.outcome === 'not_sent') expect(outcome).toBe('unsent');
        if (Number(child.filledQty) > 0 && child.status !== 'filled') expect(outcome).toBe('partial');
      }
      // Cumulative lines only grow.
      for (const line of [sp?.filled, sp?.planned]) {
        const q = line?.qty ?? [];
        for (let j = 1; j < q.length; j++) expect(q[j] as number).toBeGreaterThanOrEqual(q[j - 1] as number);
      }
    }
    expect(s.fills.t.length).toBe(report.fills);
  };

  for (const name of ['twap-calm', 'twap-limit-partial', 'restart-mid-twap', 'replay-btcusdt', 'walkthrough']) {
    it(`${name}: the series agrees with the run's fills and report, whole and decimated`, () => {
      const report = run(name);
      const whole = runSeries(store.db, report.runId, {});
      expect(whole).not.toBeNull();
      const s = whole as RunSeries;
      expect(s.decimated).toBe(false);
      agreesWithReport(s, report);
      const samples = storedSampleBlocks(store.db, report.runId).length;
      expect(samples).toBeGreaterThan(0);
      expect(s.book.t.length).toBe(samples);
      for (const line of [s.book.t, s.trades.t, s.fills.t])
        for (let j = 1; j < line.length; j++) expect(line[j] as number).toBeGreaterThanOrEqual(line[j - 1] as number);

      const maxPoints = 40;
      const small = runSeries(store.db, report.runId, { maxPoints }) as RunSeries;
      for (const n of [small.book.t.length, small.trades.t.length, small.fills.t.length, small.slices.childId.length])
        expect(n).toBeLessThanOrEqual(maxPoints);
      for (const p of small.parents) {
        expect(p.filled.t.length).toBeLessThanOrEqual(maxPoints);
        expect(p.filled.qty.at(-1)).toBe(s.parents.find((x) => x.id === p.id)?.filled.qty.at(-1));
      }
      expect(sum(small.trades.volume)).toBeCloseTo(sum(s.trades.volume), 6);
      expect(sum(small.fills.qty)).toBeCloseTo(sum(s.fills.qty), 8);
      expect(small.decimated).toBe(Object.values(small.counts).some((c) => c.after < c.before));
      expect(small.counts['book']).toEqual({ before: s.book.t.length, after: small.book.t.length });
      if (s.fills.t.length <= maxPoints) expect(small.fills).toEqual(s.fills);
      // The extremes of the book survive.
      const finite = (xs: readonly (number | null)[]): number[] => xs.filter((x): x is number => x !== null);
      if (finite(s.book.bid).length > 0) {
        expect(Math.min(...finite(small.book.bid))).toBe(Math.min(...finite(s.book.bid)));
        expect(Math.max(...finite(small.book.bid))).toBe(Math.max(...finite(s.book.bid)));
        expect(Math.max(...finite(small.book.ask))).toBe(Math.max(...finite(s.book.ask)));
      }
    });
  }

  it("two-symbols: each parent in its own symbol's units; the price axis has the run's symbol's fills", () => {
    const report = run('two-symbols');
    const s = runSeries(store.db, report.runId, {}) as RunSeries;
    const symbolOf = (p: RunReport['parents'][number]): string => p.symbol ?? s.symbol;
    expect(new Set(report.parents.map(symbolOf))).toEqual(new Set(['BTCUSDT', 'ETHUSDT']));
    for (const p of report.parents) {
      const sp = s.parents.find((x) => x.id === p.id);
      expect(sp?.symbol).toBe(symbolOf(p));
      expect(sp?.qty, `${p.id} qty`).toBeCloseTo(Number(p.qty), 8);
      expect(sp?.planned.qty.at(-1), `${p.id} planned`).toBeCloseTo(Number(p.qty), 8);
      expect(sp?.filled.qty.at(-1), `${p.id} filled`).toBeCloseTo(Number(p.filledQty), 8);
      if (p.arrivalPrice !== null) expect(sp?.arrivalPrice).toBeCloseTo(Number(p.arrivalPrice), 4);
      const slices = s.slices.childId.flatMap((_, i) => (s.slices.parentId[i] === p.id ? [i] : []));
      expect(sum(slices.map((i) => s.slices.plannedQty[i] as number)), `${p.id} slices`).toBeCloseTo(Number(p.qty), 8);
    }
    const own = report.parents.filter((p) => symbolOf(p) === s.symbol);
    expect(new Set(s.fills.parentId)).toEqual(new Set(own.filter((p) => Number(p.filledQty) > 0).map((p) => p.id)));
    expect(sum(s.fills.qty)).toBeCloseTo(sum(own.map((p) => Number(p.filledQty))), 8);
  });

  for (const name of ['walkthrough', 'twap-calm', 'two-symbols', 'restart-orphan-at-startup', 'replay-btcusdt']) {
    it(`${name}: the equity series runs from 0 at the start to the report's net P&L and position at the end`, () => {
      const report = run(name);
      const s = runSeries(store.db, report.runId, {}) as RunSeries;
      const e = s.equity;
      expect(e.t.length).toBeGreaterThan(2);
      expect([e.t[0], e.net[0], e.position[0]]).toEqual([s.start, 0, 0]);
      for (let j = 1; j < e.t.length; j++) expect(e.t[j] as number).toBeGreaterThan(e.t[j - 1] as number);
      expect(e.t.at(-1)).toBe(s.end);
      expect(e.net.at(-1)).toBeCloseTo(Number(report.pnl.total.net), 6);
      // As the report states them, without floating-point dust.
      expect(e.position.at(-1)).toBe(Number(report.pnl.symbols[0]?.position));
      for (const x of e.position) expect(Number(x.toFixed(12))).toBe(x);
      for (const x of e.net) expect(Number(x.toFixed(8))).toBe(x);
      // Its drawdown is the report's, or less: the report's curve also has the points between
      // changes at one instant, which the series keeps one of.
      let peak = -Infinity;
      let fall = 0;
      for (const x of e.net) {
        peak = Math.max(peak, x);
        fall = Math.max(fall, peak - x);
      }
      expect(fall).toBeLessThanOrEqual(Number(report.pnl.total.maxDrawdown) + 1e-6);
      const small = runSeries(store.db, report.runId, { maxPoints: 20 }) as RunSeries;
      expect(small.equity.t.length).toBeLessThanOrEqual(20);
      expect(Math.min(...small.equity.net)).toBe(Math.min(...e.net));
      expect(Math.max(...small.equity.net)).toBe(Math.max(...e.net));
      expect(small.counts['equity']).toEqual({ before: e.t.length, after: small.equity.t.length });
    });
  }

  /** The same run as an older version stored it (a copy of its row and entries under `old`),
   *  its samples written by `put` from the stored ones, each with its canonical JSON payload. */
  const storedBefore = (
    runId: string,
    old: string,
    put: (sample: StoredSample, payload: string, k: number) => void,
  ): void => {
    const db = store.db;
    db.transaction(() => {
      db.prepare(
        `INSERT INTO runs (id, scenario_name, scenario_hash, scenario_json, seed, code_version, status, started_at, sim_start)
         SELECT ?, scenario_name, scenario_hash, scenario_json, seed, code_version, status, started_at, sim_start
         FROM runs WHERE id = ?`,
      ).run(old, runId);
      db.prepare(
        `INSERT INTO events (run_id, seq, time, kind, payload) SELECT ?, seq, time, kind, payload FROM events WHERE run_id = ?`,
      ).run(old, runId);
      storedSampleBlocks(db, runId).forEach((sample, k) => {
        const { seq, time, ...fields } = sample;
        const line = canonicalLine({ seq, time, event: { kind: 'MarketSampled', ...fields } });
        put(sample, line.slice(line.indexOf(' MarketSampled ') + ' MarketSampled '.length, -1), k);
      });
    })();
    expect(db.prepare('SELECT COUNT(*) FROM market_sample_blocks WHERE run_id = ?').pluck().get(old)).toBe(0);
  };

  it('reads the samples of a run stored before they were kept beside the log, where they were entries', () => {
    const report = run('twap-calm');
    const now = runSeries(store.db, report.runId, {}) as RunSeries;
    // Its samples in the log, with seqs of their own (after the entries here; in order of time,
    // as they were taken).
    const old = `${report.runId}-old`;
    const insert = store.db.prepare(
      `INSERT INTO events (run_id, seq, time, kind, payload) VALUES (?, ?, ?, 'MarketSampled', ?)`,
    );
    storedBefore(report.runId, old, (sample, payload, k) => insert.run(old, 1_000_000 + k, sample.time, payload));
    const before = runSeries(store.db, old, {}) as RunSeries;
    expect(before.book.t.length).toBeGreaterThan(100);
    expect(before.book).toEqual(now.book);
    expect(before.trades).toEqual(now.trades);
  });

  it('reads the samples of a run stored with a row per sample (schema version 10)', () => {
    const report = run('twap-calm');
    const now = runSeries(store.db, report.runId, { from: 30_000, to: 200_000 }) as RunSeries;
    const old = `${report.runId}-v10`;
    const insert = store.db.prepare(`INSERT INTO market_samples (run_id, seq, time, payload) VALUES (?, ?, ?, ?)`);
    storedBefore(report.runId, old, (sample, payload) => insert.run(old, sample.seq, sample.time, payload));
    const before = runSeries(store.db, old, { from: 30_000, to: 200_000 }) as RunSeries;
    expect(before.book.t.length).toBeGreaterThan(100);
    expect(before.book).toEqual(now.book);
    expect(before.trades).toEqual(now.trades);
  });

  it('reads a run resumed by newer versions in time order: samples in the log, then in rows, then in blocks', () => {
    const report = run('twap-calm');
    const now = runSeries(store.db, report.runId, {}) as RunSeries;
    const old = `${report.runId}-mixed`;
    const count = storedSampleBlocks(store.db, report.runId).length;
    const asEntry = store.db.prepare(
      `INSERT INTO events (run_id, seq, time, kind, payload) VALUES (?, ?, ?, 'MarketSampled', ?)`,
    );
    const asRow = store.db.prepare(`INSERT INTO market_samples (run_id, seq, time, payload) VALUES (?, ?, ?, ?)`);
    const later = new SampleBuffer();
    storedBefore(report.runId, old, (sample, payload, k) => {
      if (k < count / 3) asEntry.run(old, 1_000_000 + k, sample.time, payload);
      else if (k < (2 * count) / 3) asRow.run(old, sample.seq, sample.time, payload);
      else {
        const { seq, time, ...fields } = sample;
        later.add(seq, time, { kind: 'MarketSampled', ...fields });
      }
    });
    new SampleBlockWriter(store.db, old).write(later, later.count);
    expect(later.count).toBeGreaterThan(100);
    const mixed = runSeries(store.db, old, {}) as RunSeries;
    expect(mixed.book).toEqual(now.book);
    expect(mixed.trades).toEqual(now.trades);
    const window = { from: 100_000, to: 800_000 };
    expect((runSeries(store.db, old, window) as RunSeries).book).toEqual(
      (runSeries(store.db, report.runId, window) as RunSeries).book,
    );
  });

  it('serves a window of the run, relative to its start, and null for a run it does not have', () => {
    const report = run('twap-calm');
    const s = runSeries(store.db, report.runId, { from: 60_000, to: 120_000 }) as RunSeries;
    expect(s.from).toBe(s.start + 60_000);
    for (const t of [...s.book.t, ...s.trades.t, ...s.fills.t]) {
      expect(t).toBeGreaterThanOrEqual(s.start + 60_000);
      expect(t).toBeLessThanOrEqual(s.start + 120_000);
    }
    expect(s.book.t.length).toBeGreaterThan(0);
    expect(runSeries(store.db, 'run-nope', {})).toBeNull();
  });

  it("ends the window of a run without an end (stopped, or running) at its last event, not at the clock's limit", () => {
    const report = run('twap-calm');
    store.db.prepare("UPDATE runs SET sim_end = NULL, status = 'interrupted' WHERE id = ?").run(report.runId);
    const s = runSeries(store.db, report.runId, {}) as RunSeries;
    let last = 0;
    for (const e of store.entries(report.runId)) last = e.time;
    expect(s.end).toBeNull();
    expect(s.to).toBeLessThanOrEqual(last);
    expect(s.to).toBeGreaterThanOrEqual(Math.max(...s.book.t, ...s.fills.t));
    expect(s.to).toBeLessThan(Number.MAX_SAFE_INTEGER);
  });
});
