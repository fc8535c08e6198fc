// The reconciliation metrics on logs made here: each venue message is folded by the real order
// ledger, which adds what it derives (a duplicate trade ignored, an inferred fill, an execution
// matched to it) as the engine logs it. A missed fill the stream delivers after the finding is a
// late fill, on a venue that lists executions and on one that states only cumulative quantities;
// one the stream never delivers, or delivers only part of, stays missed. Properties: over any
// interleaving of executions, stream deliveries (some lost) and passes, every missed-fill finding
// is counted once, as missed or late, and a stream that loses nothing leaves no missed fill.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExecEvent, LogEntry } from '../model/events.ts';
import { clientOrderId, parentOrderId, symbol, tradeId, venueOrderId } from '../model/ids.ts';
import type { ReportedTrade } from '../model/reports.ts';
import { OrderLedger } from '../order/order-ledger.ts';
import { ReconMetricsFold, type ReconMetrics } from './recon-metrics.ts';

const ID = clientOrderId('c1');
const VID = venueOrderId('v1');
const PRICE = 100;

/** A log built as the engine builds it: each event appended and folded, then what it derived. */
class Log {
  readonly entries: LogEntry[] = [];
  private readonly ledger = new OrderLedger();
  private time = 1_000;

  constructor() {
    const parentId = parentOrderId('p1');
    this.add({
      kind: 'ParentOrderCreated',
      parentId,
      symbol: 'BTCUSDT',
      side: 'buy',
      qty: 1_000,
      type: 'market',
      tif: 'GTC',
      limitPrice: null,
      totalSlices: 1,
      route: 'single',
      arrivalBid: null,
      arrivalAsk: null,
      source: 'test',
    });
    this.add({
      kind: 'OrderCreated',
      clientOrderId: ID,
      parentId,
      sliceNum: 1,
      totalSlices: 1,
      scheduledTime: 1_000,
      symbol: symbol('BTCUSDT'),
      side: 'buy',
      type: 'limit',
      tif: 'GTC',
      qty: 1_000,
      limitPrice: PRICE,
      stopPrice: null,
    });
    this.add({ kind: 'SubmitOrder', clientOrderId: ID });
    this.add({ kind: 'AckReport', clientOrderId: ID, venueOrderId: VID });
  }

  add(event: ExecEvent): this {
    this.time += 10;
    const entry = { seq: this.entries.length + 1, time: this.time, event };
    this.entries.push(entry);
    for (const d of this.ledger.apply(entry)) {
      const derived = { seq: this.entries.length + 1, time: this.time, event: d };
      this.entries.push(derived);
      this.ledger.apply(derived);
    }
    return this;
  }

  /** The stream's report of one execution. */
  fill(id: string, qty: number): this {
    return this.add({ kind: 'FillReport', clientOrderId: ID, venueOrderId: VID, ...trade(id, qty) });
  }

  /** A lookup's answer with nothing to find (the fill monitor's, or a pass's that agrees). */
  lookup(filledQty: number, trades: readonly ReportedTrade[]): this {
    return this.add(statusReport(filledQty, this.time, trades));
  }

  /** A pass's finding: a listing row, recorded then applied; a lookup's answer, applied then
   *  compared. `trades` absent: the venue states only the cumulative (Alpaca). */
  found(path: 'listing' | 'lookup', filledQty: number, trades?: readonly ReportedTrade[]): this {
    const mismatch: ExecEvent = {
      kind: 'ReconciliationMismatch',
      mismatch: 'missed_fill',
      clientOrderId: ID,
      detail: `venue filled ${filledQty}`,
    };
    const report = statusReport(filledQty, this.time, trades, path === 'listing' ? 'reconciliation' : undefined);
    return path === 'listing' ? this.add(mismatch).add(report) : this.add(report).add(mismatch);
  }

  kinds(): string[] {
    return this.entries.map((e) => e.event.kind);
  }

  metrics(): ReconMetrics {
    const fold = new ReconMetricsFold();
    for (const e of this.entries) fold.add(e);
    return fold.summary();
  }
}

const statusReport = (
  filledQty: number,
  updatedAt: number,
  trades: readonly ReportedTrade[] | undefined,
  source?: 'reconciliation',
): ExecEvent => ({
  kind: 'OrderStatusReport',
  clientOrderId: ID,
  venueOrderId: VID,
  status: 'partially_filled',
  qty: 1_000,
  filledQty,
  ...(trades === undefined ? { avgPrice: PRICE } : { trades }),
  updatedAt,
  ...(source === undefined ? {} : { source }),
});

const trade = (id: string, qty: number): ReportedTrade => ({
  tradeId: tradeId(id),
  qty,
  price: PRICE,
  fee: 0,
  liquidity: 'maker',
  venueTime: 0,
});

const counts = (m: ReconMetrics) => ({ mismatches: m.mismatches, missed: m.missedFills, late: m.lateFills });

describe('late fills: a missed fill the stream delivered after reconciliation had', () => {
  it('a venue that lists executions: the stream repeats the trade the listing applied', () => {
    const log = new Log().found('listing', 4, [trade('t1', 4)]);
    expect(counts(log.metrics())).toEqual({ mismatches: 1, missed: 1, late: 0 });
    log.fill('t1', 4);
    expect(log.kinds().at(-1)).toBe('ReportIgnored');
    expect(counts(log.metrics())).toEqual({ mismatches: 1, missed: 0, late: 1 });
  });

  it('a venue that states cumulative quantities: the stream execution matches the inferred fill', () => {
    const log = new Log().found('listing', 4);
    expect(log.kinds()).toContain('FillInferred');
    log.fill('t1', 4);
    expect(log.kinds().at(-1)).toBe('InferredFillMatched');
    expect(counts(log.metrics())).toEqual({ mismatches: 1, missed: 0, late: 1 });
  });

  it('a lookup answer (applied before its finding) the stream confirms, both venue styles', () => {
    const listed = new Log().found('lookup', 4, [trade('t1', 4)]).fill('t1', 4);
    expect(counts(listed.metrics())).toEqual({ mismatches: 1, missed: 0, late: 1 });
    const cumulative = new Log().found('lookup', 4).fill('t1', 4);
    expect(counts(cumulative.metrics())).toEqual({ mismatches: 1, missed: 0, late: 1 });
  });

  it('a fill the stream never delivers stays missed, whatever else it delivers', () => {
    const log = new Log().found('listing', 4, [trade('t1', 4)]).fill('t2', 3);
    expect(counts(log.metrics())).toEqual({ mismatches: 1, missed: 1, late: 0 });
    const cumulative = new Log().found('listing', 4).fill('t2', 4).fill('t3', 3);
    // t2 matched the inferred lots: the stream delivered them after all (the cumulative venue
    // does not say which execution); t3 is a new fill.
    expect(counts(cumulative.metrics())).toEqual({ mismatches: 1, missed: 0, late: 1 });
  });

  it('a finding of two fills with one delivered late is still a missed fill', () => {
    const log = new Log().found('listing', 5, [trade('t1', 3), trade('t2', 2)]).fill('t1', 3);
    expect(counts(log.metrics())).toEqual({ mismatches: 1, missed: 1, late: 0 });
    log.fill('t2', 2);
    expect(counts(log.metrics())).toEqual({ mismatches: 1, missed: 0, late: 1 });

    const cumulative = new Log().found('listing', 5).fill('t1', 3);
    expect(counts(cumulative.metrics())).toEqual({ mismatches: 1, missed: 1, late: 0 });
  });

  it('a repeat of a trade the stream had delivered before the finding proves nothing', () => {
    const log = new Log()
      .fill('t1', 3)
      .found('listing', 5, [trade('t1', 3), trade('t2', 2)])
      .fill('t1', 3);
    expect(counts(log.metrics())).toEqual({ mismatches: 1, missed: 1, late: 0 });
  });

  it('an execution a later lookup matched to the finding counts when the stream repeats it', () => {
    const log = new Log().found('listing', 4).lookup(4, [trade('t1', 4)]);
    expect(log.kinds().at(-1)).toBe('InferredFillMatched');
    expect(counts(log.metrics())).toEqual({ mismatches: 1, missed: 1, late: 0 });
    log.fill('t1', 4);
    expect(counts(log.metrics())).toEqual({ mismatches: 1, missed: 0, late: 1 });
  });

  it('each finding of one order is judged on its own lots', () => {
    const log = new Log().found('listing', 2, [trade('t1', 2)]).found('listing', 5, [trade('t1', 2), trade('t2', 3)]);
    log.fill('t2', 3);
    expect(counts(log.metrics())).toEqual({ mismatches: 2, missed: 1, late: 1 });
  });
});

type Op =
  | { readonly kind: 'exec'; readonly qty: number }
  | { readonly kind: 'deliver'; readonly lost: boolean }
  | {
      readonly kind: 'pass';
      readonly path: 'listing' | 'lookup';
    };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('exec' as const), qty: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('deliver' as const), lost: fc.boolean() }),
  fc.record({ kind: fc.constant('pass' as const), path: fc.constantFrom('listing' as const, 'lookup' as const) }),
);

/**
 * Runs a venue against the log: executions happen at the venue, the stream delivers them in order
 * (or loses one), a pass finds what we have not heard of. Returns the log, the findings and, per
 * finding, whether the stream delivered every trade it counted afterwards.
 */
function simulate(ops: readonly Op[], listsTrades: boolean, loses: boolean) {
  const log = new Log();
  const executed: { id: string; qty: number }[] = [];
  const known = new Set<string>();
  const findings: { trades: Set<string> }[] = [];
  let cursor = 0;
  for (const o of ops) {
    if (o.kind === 'exec') executed.push({ id: `t${executed.length + 1}`, qty: o.qty });
    else if (o.kind === 'deliver') {
      const t = executed[cursor++];
      if (t === undefined) cursor--;
      else if (!(loses && o.lost)) {
        log.fill(t.id, t.qty);
        known.add(t.id);
        for (const f of findings) f.trades.delete(t.id);
      }
    } else {
      const fresh = executed.filter((t) => !known.has(t.id));
      if (fresh.length === 0) continue;
      const filled = executed.reduce((n, t) => n + t.qty, 0);
      log.found(o.path, filled, listsTrades ? executed.map((t) => trade(t.id, t.qty)) : undefined);
      for (const t of fresh) known.add(t.id);
      findings.push({ trades: new Set(fresh.map((t) => t.id)) });
    }
  }
  return {
    metrics: log.metrics(),
    findings: findings.length,
    late: findings.filter((f) => f.trades.size === 0).length,
  };
}

describe('late fills, over any interleaving of executions, deliveries and passes', () => {
  const ops = fc.array(op, { maxLength: 30, size: 'max' });

  it('every missed-fill finding is missed or late, once; none is negative', () => {
    fc.assert(
      fc.property(ops, fc.boolean(), fc.boolean(), (list, listsTrades, loses) => {
        const { metrics: m, findings } = simulate(list, listsTrades, loses);
        expect(m.missedFills + m.lateFills).toBe(findings);
        expect(m.missedFills).toBeGreaterThanOrEqual(0);
        expect(m.lateFills).toBeGreaterThanOrEqual(0);
        expect(m.missedFills + m.lateFills + m.statusMismatches).toBe(m.mismatches);
      }),
      { numRuns: 200 },
    );
  });

  it('a stream that loses nothing leaves no missed fill once it has delivered everything', () => {
    fc.assert(
      fc.property(ops, fc.boolean(), (list, listsTrades) => {
        // As many deliveries at the end as there can be executions: the stream catches up.
        const rest = list.map((): Op => ({ kind: 'deliver', lost: false }));
        const { metrics: m, findings } = simulate([...list, ...rest], listsTrades, false);
        expect(m.missedFills).toBe(0);
        expect(m.lateFills).toBe(findings);
      }),
      { numRuns: 200 },
    );
  });

  it('on a venue that lists executions, a finding is late exactly when the stream delivered each of its trades', () => {
    fc.assert(
      fc.property(ops, (list) => {
        const { metrics: m, late } = simulate(list, true, true);
        expect(m.lateFills).toBe(late);
      }),
      { numRuns: 200 },
    );
  });
});
