// Fills inferred from full-state reports without a trade list (a venue that states only the
// cumulative filled quantity and its average price), and executions reported later with their
// own ids matched against them: the ledger's filled quantity is the venue's, and no execution is
// counted twice, whatever order the stream, the lookups and restarts come in.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectEqual, expectIs } from '../../../test/support/hot-expect.ts';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { EventLog } from '../log/event-log.ts';
import type { ExecEvent, LogEntry } from '../model/events.ts';
import { clientOrderId, parentOrderId, tradeId, venueOrderId, type ClientOrderId } from '../model/ids.ts';
import type { FillReport, OrderStatusReport, ReportedTrade } from '../model/reports.ts';
import { inferredTradeId } from './apply-event.ts';
import { OrderLedger } from './order-ledger.ts';

const T0 = Date.UTC(2024, 7, 9);
const cid = clientOrderId('c1');
const vid = venueOrderId('v1');

/** A log and a ledger folded the way the engine does: each entry, then what it derived. */
class Run {
  private readonly log = new EventLog(new VirtualClock(T0));
  /** Every entry appended, in order (what a store would hold). */
  readonly entries: LogEntry[] = [];
  ledger = new OrderLedger();
  /** Fill rows as the store writes them (ledger.appliedTrades after each entry). */
  rows: Array<{ tradeId: string; qty: number; liquidity: string }> = [];

  constructor(qty: number) {
    this.fold({
      kind: 'ParentOrderCreated',
      parentId: parentOrderId('p1'),
      symbol: 'T',
      side: 'buy',
      qty,
      type: 'limit',
      tif: 'GTC',
      limitPrice: 20_000,
      totalSlices: 1,
      route: 'single',
      arrivalBid: null,
      arrivalAsk: null,
      source: 'test',
    });
    this.fold({
      kind: 'OrderCreated',
      clientOrderId: cid,
      parentId: parentOrderId('p1'),
      sliceNum: 1,
      totalSlices: 1,
      scheduledTime: T0,
      symbol: 'T' as never,
      side: 'buy',
      type: 'limit',
      tif: 'GTC',
      qty,
      limitPrice: 20_000,
      stopPrice: null,
    });
    this.fold({ kind: 'SubmitOrder', clientOrderId: cid });
    this.fold({ kind: 'AckReport', clientOrderId: cid, venueOrderId: vid });
  }

  fold(e: ExecEvent): void {
    this.apply(this.append(e));
  }

  private append(e: ExecEvent): LogEntry {
    const entry = this.log.append(e);
    this.entries.push(entry);
    return entry;
  }

  private apply(entry: LogEntry): void {
    const derived = this.ledger.apply(entry);
    for (const t of this.ledger.appliedTrades) this.rows.push(t);
    for (const d of derived) this.apply(this.append(d));
  }

  /** A restart: a new ledger folds the whole log (derived events included, as stored). */
  restart(): void {
    const ledger = new OrderLedger();
    const rows: typeof this.rows = [];
    for (const entry of this.entries) {
      ledger.apply(entry);
      for (const t of ledger.appliedTrades) rows.push(t);
    }
    this.ledger = ledger;
    this.rows = rows;
  }

  get order() {
    const o = this.ledger.order(cid);
    if (!o) throw new Error('no order');
    return o;
  }

  events<K extends ExecEvent['kind']>(kind: K): Array<Extract<ExecEvent, { kind: K }>> {
    return this.entries.filter((e) => e.event.kind === kind).map((e) => e.event as Extract<ExecEvent, { kind: K }>);
  }
}

const exec = (id: string, qty: number, price: number, fee = 0): ReportedTrade => ({
  tradeId: tradeId(id),
  qty,
  price,
  fee,
  liquidity: 'taker',
  venueTime: T0,
});
const push = (t: ReportedTrade): FillReport => ({ kind: 'FillReport', clientOrderId: cid, venueOrderId: vid, ...t });

/** The venue's answer after `executions`, with or without its trade list. */
function lookup(qty: number, executions: readonly ReportedTrade[], listed: boolean): OrderStatusReport {
  const filledQty = executions.reduce((n, t) => n + t.qty, 0);
  const notional = executions.reduce((n, t) => n + t.qty * t.price, 0);
  return {
    kind: 'OrderStatusReport',
    clientOrderId: cid,
    venueOrderId: vid,
    status: filledQty === qty ? 'filled' : filledQty > 0 ? 'partially_filled' : 'new',
    qty,
    filledQty,
    ...(listed ? { trades: [...executions] } : filledQty > 0 ? { avgPrice: notional / filledQty } : {}),
  };
}

describe('fills inferred from a cumulative quantity', () => {
  it('records one inferred fill with a deterministic id and the price that makes our average the venue’s', () => {
    const run = new Run(10);
    const e = [exec('a', 3, 10_000), exec('b', 4, 10_010)];
    run.fold(push(e[0]!));
    run.fold(lookup(10, e, false)); // the stream lost b: the venue says 7 lots at its average
    const o = run.order;
    expect(o.filledQty).toBe(7);
    expect(o.filledNotional).toBe(3 * 10_000 + 4 * 10_010); // our average is the venue's
    expect(o.inferredQty).toBe(4);
    expect(o.status).toBe('partially_filled');
    const inferred = run.events('FillInferred');
    expect(inferred).toEqual([
      expect.objectContaining({ tradeId: inferredTradeId(cid, 7), qty: 4, cumulativeQty: 7, price: 10_010 }),
    ]);
    expect(run.events('DiscrepancyRecorded')).toEqual([]);
    expect(run.rows.map((r) => [r.tradeId, r.qty, r.liquidity])).toEqual([
      ['a', 3, 'taker'],
      [inferredTradeId(cid, 7), 4, 'inferred'],
    ]);
    expect(run.ledger.position).toBe(7);
    expect(run.ledger.cash).toBe(-(3 * 10_000 + 4 * 10_010));
  });

  it('a second lookup with the same cumulative, a replay and a restart infer nothing more', () => {
    const run = new Run(10);
    const e = [exec('a', 3, 10_000), exec('b', 4, 10_010)];
    run.fold(lookup(10, e, false));
    run.fold(lookup(10, e, false));
    expect(run.order.filledQty).toBe(7);
    expect(run.events('FillInferred')).toHaveLength(1);
    const before = { ...run.order, tradeIds: [...run.order.tradeIds] };
    run.restart();
    expect({ ...run.order, tradeIds: [...run.order.tradeIds] }).toEqual(before);
    run.fold(lookup(10, e, false)); // after the restart: still known
    expect(run.order.filledQty).toBe(7);
    expect(run.rows).toHaveLength(1);
  });

  it('executions arriving after the inference are matched against it, not counted again', () => {
    const run = new Run(10);
    const e = [exec('a', 3, 10_000, 5), exec('b', 4, 10_010, 7), exec('c', 3, 10_020, 2)];
    run.fold(lookup(10, e.slice(0, 2), false)); // 7 inferred
    run.fold(push(e[0]!));
    run.fold(push(e[1]!));
    expect(run.order).toMatchObject({ filledQty: 7, inferredQty: 0, fees: 12, fillCount: 1 });
    expect(run.events('InferredFillMatched').map((m) => [m.tradeId, m.qty])).toEqual([
      ['a', 3],
      ['b', 4],
    ]);
    run.fold(push(e[1]!)); // a duplicate of a matched execution: already known
    expect(run.events('ReportIgnored').map((r) => r.reason)).toEqual(['duplicate_trade']);
    run.fold(push(e[2]!)); // a new execution beyond the inferred lots is counted
    expect(run.order).toMatchObject({ filledQty: 10, status: 'filled', inferredQty: 0, fees: 14 });
    // the venue's full listing afterwards adds nothing
    run.fold(lookup(10, e, true));
    expect(run.order.filledQty).toBe(10);
    expect(run.events('DiscrepancyRecorded')).toEqual([]);
    expect(run.rows.reduce((n, r) => n + r.qty, 0)).toBe(10);
    expect(run.ledger.cash).toBe(-(3 * 10_000 + 4 * 10_010 + 3 * 10_020) - 14);
  });

  it('an execution matched after the order was filled by inference changes neither quantity nor status', () => {
    const run = new Run(7);
    const e = [exec('a', 3, 10_000), exec('b', 4, 10_010)];
    run.fold(lookup(7, e, false));
    expect(run.order.status).toBe('filled');
    run.fold(push(e[1]!));
    run.fold(push(e[0]!));
    expect(run.order).toMatchObject({ status: 'filled', filledQty: 7, inferredQty: 0 });
    expect(run.events('DiscrepancyRecorded')).toEqual([]);
  });

  it('an execution larger than the inferred lots left is counted for the rest only', () => {
    const run = new Run(10);
    run.fold(lookup(10, [exec('a', 2, 10_000)], false)); // 2 inferred
    run.fold(push(exec('big', 5, 10_100)));
    expect(run.order).toMatchObject({ filledQty: 5, inferredQty: 0 });
    expect(run.events('InferredFillMatched').map((m) => m.qty)).toEqual([2]);
    expect(run.rows.at(-1)).toMatchObject({ tradeId: 'big', qty: 3 });
  });

  it('executions arriving before the lookup are counted; the lookup infers only the rest', () => {
    const run = new Run(10);
    const e = [exec('a', 3, 10_000), exec('b', 4, 10_010), exec('c', 2, 10_020)];
    run.fold(push(e[0]!));
    run.fold(push(e[1]!));
    run.fold(lookup(10, e, false));
    expect(run.order).toMatchObject({ filledQty: 9, inferredQty: 2 });
    expect(run.events('FillInferred')).toEqual([expect.objectContaining({ qty: 2, price: 10_020 })]);
    run.fold(push(e[2]!));
    expect(run.order).toMatchObject({ filledQty: 9, inferredQty: 0 });
  });

  it('a listing the stream overtook (it answered before a later execution arrived) is not a discrepancy', () => {
    const run = new Run(10);
    const e = [exec('a', 3, 10_000), exec('b', 2, 10_010)];
    const stale = lookup(10, e.slice(0, 1), true); // the venue answered after a only
    run.fold(push(e[1]!)); // the stream lost a, delivered b before the answer arrived
    run.fold(stale);
    expect(run.order.filledQty).toBe(5);
    expect(run.events('DiscrepancyRecorded')).toEqual([]);
  });

  it('a report without trades or an average price for lots we have not seen is a discrepancy', () => {
    const run = new Run(10);
    const { avgPrice: _a, ...bare } = lookup(10, [exec('a', 3, 10_000)], false);
    run.fold(bare);
    expect(run.order.filledQty).toBe(0);
    expect(run.events('DiscrepancyRecorded').map((d) => d.reason)).toEqual(['invalid_report']);
  });

  it('rounds the venue’s cumulative notional to whole units', () => {
    const run = new Run(10);
    // 3 lots at an average of 10000.4 ticks: 30001.2 units, rounded to 30001
    run.fold({ ...lookup(10, [exec('a', 3, 10_000)], false), avgPrice: 10_000.4 });
    expect(run.order.filledNotional).toBe(30_001);
    expect(run.events('FillInferred')[0]?.price).toBeCloseTo(30_001 / 3, 9);
  });
});

/**
 * The venue executes our order step by step. Its stream delivers each execution in order on its
 * channel, may lose some and may deliver one twice; its lookups answer on their own channel in
 * order, with or without the trade list; the two channels race; our process may restart (refold
 * the log) at any point.
 */
type Step =
  | { k: 'exec'; qty: number; price: number }
  | { k: 'stream'; lose: boolean; dup: boolean }
  | { k: 'ask'; listed: boolean }
  | { k: 'answer' }
  | { k: 'restart' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    k: fc.constant('exec' as const),
    qty: fc.integer({ min: 1, max: 4 }),
    price: fc.integer({ min: 1, max: 30_000 }),
  }),
  fc.record({ k: fc.constant('stream' as const), lose: fc.boolean(), dup: fc.boolean() }),
  fc.record({ k: fc.constant('ask' as const), listed: fc.boolean() }),
  fc.constant({ k: 'answer' as const }),
  fc.constant({ k: 'restart' as const }),
);

describe('inference invariant (property)', () => {
  it('filled quantity equals max(latest venue cumulative applied, distinct executions seen), never above the venue’s; no execution counted twice', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.array(step, { maxLength: 60, size: 'max' }), (qty, steps) => {
        const run = new Run(qty);
        const done: ReportedTrade[] = []; // the venue's executions so far
        let streamed = 0; // executions the stream has sent (delivered or lost)
        const answers: OrderStatusReport[] = [];
        const seen = new Map<string, number>(); // executions delivered to us by id, with their lots
        let cumulative = 0; // the highest cumulative a delivered answer stated
        const check = (id: ClientOrderId): void => {
          const o = run.ledger.order(id)!;
          const venue = done.reduce((n, t) => n + t.qty, 0);
          const distinct = [...seen.values()].reduce((n, q) => n + q, 0);
          // Checked after every step of a thousand runs: expect is called only on a mismatch.
          expectIs(o.filledQty, Math.max(cumulative, distinct));
          if (!(o.filledQty <= venue)) expect(o.filledQty).toBeLessThanOrEqual(venue);
          expectIs(o.filledQty, distinct + o.inferredQty);
          // fill rows (the store's) add up to the filled quantity: nothing counted twice
          expectIs(
            run.rows.reduce((n, r) => n + r.qty, 0),
            o.filledQty,
          );
          expectIs(new Set(run.rows.map((r) => r.tradeId)).size, run.rows.length);
          expectEqual(run.events('DiscrepancyRecorded'), []);
        };
        const deliver = (t: ReportedTrade): void => {
          run.fold(push(t));
          seen.set(t.tradeId, t.qty);
        };
        for (const s of steps) {
          const venue = done.reduce((n, t) => n + t.qty, 0);
          if (s.k === 'exec') {
            const q = Math.min(s.qty, qty - venue);
            if (q > 0) done.push(exec(`e${done.length}`, q, s.price));
          } else if (s.k === 'stream') {
            const t = done[streamed];
            if (!t) continue;
            streamed++;
            if (!s.lose) deliver(t);
            if (s.dup) deliver(t);
          } else if (s.k === 'ask') answers.push(lookup(qty, done, s.listed));
          else if (s.k === 'answer') {
            const a = answers.shift();
            if (!a) continue;
            const from = run.entries.length;
            run.fold(a);
            // An answer the conflict check skipped (older than what we hold) told us nothing.
            const skipped = run.entries.slice(from).some((e) => e.event.kind === 'ReportIgnored');
            if (skipped) continue;
            cumulative = Math.max(cumulative, a.filledQty);
            for (const t of a.trades ?? []) seen.set(t.tradeId, t.qty);
          } else run.restart();
          check(cid);
        }
        // Everything arrives in the end (a final lookup without trades, then every execution):
        // the ledger holds the venue's quantity and every inferred lot is accounted for.
        run.fold(lookup(qty, done, false));
        cumulative = done.reduce((n, t) => n + t.qty, 0);
        for (const t of done) deliver(t);
        check(cid);
        expect(run.order.inferredQty).toBe(0);
        expect(run.order.filledQty).toBe(cumulative);
        run.restart();
        check(cid);
      }),
      { numRuns: 1000 },
    );
  });
});
