// The feed's fills and fees as the context's book counts them: an execution the venue first stated
// only as a cumulative quantity (a fill inferred without a fee) and later reported with its own id
// and fee (matched, not counted again) ends with the book's fees the executions' fees and its
// position their quantity, whatever order the stream and the lookups came in.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/clock/virtual-clock.ts';
import { EventLog } from '../core/log/event-log.ts';
import type { ExecEvent, LogEntry } from '../core/model/events.ts';
import { clientOrderId, parentOrderId, tradeId, venueOrderId } from '../core/model/ids.ts';
import { makeInstrument } from '../core/model/instrument.ts';
import type { ReportedTrade } from '../core/model/reports.ts';
import { OrderLedger } from '../core/order/order-ledger.ts';
import { isFeesSettled, OwnOrdersFeed, quoteOf } from './own-orders-feed.ts';
import { StrategyBook } from './strategy-book.ts';

const T0 = Date.UTC(2024, 7, 9);
const INST = makeInstrument({ symbol: 'T', tickSize: '0.01', lotSize: '0.001', minNotional: '1' });
const cid = clientOrderId('c1');
const vid = venueOrderId('v1');

/** A log folded the way the engine does (each entry, then what the ledger derived from it), with
 *  the feed as a sink of the log and the book taking what the feed hands over, as the host does. */
class Hosted {
  readonly clock = new VirtualClock(T0);
  private readonly log = new EventLog(this.clock);
  readonly ledger = new OrderLedger();
  readonly book = new StrategyBook([INST], this.ledger);
  readonly fills: number[] = [];
  private readonly feed = new OwnOrdersFeed(
    { clock: this.clock, ledger: this.ledger },
    () => INST,
    (updates) => {
      for (const u of updates) {
        if (isFeesSettled(u)) this.book.feesSettled(u.symbol, u.clientOrderId, u.feesSoFar);
        else if ('clientOrderId' in u) {
          this.book.fill(u);
          this.fills.push(u.fee);
        } else this.book.parent(u);
      }
    },
  );

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
    this.apply(this.log.append(e));
    this.clock.advanceBy(1); // the feed's flush runs on the clock
  }

  private apply(entry: LogEntry): void {
    // The feed is a sink of the log: it sees the entry as it is written, before the ledger applies it.
    this.feed.write(entry);
    const derived = this.ledger.apply(entry);
    for (const d of derived) this.apply(this.log.append(d));
  }
}

const exec = (id: string, qty: number, price: number, fee: number): ReportedTrade => ({
  tradeId: tradeId(id),
  qty,
  price,
  fee,
  liquidity: 'taker',
  venueTime: T0,
});

/** The venue's state after `executions`, without their trade list: core infers what it has not seen. */
function stated(qty: number, executions: readonly ReportedTrade[]): ExecEvent {
  const filledQty = executions.reduce((n, t) => n + t.qty, 0);
  const notional = executions.reduce((n, t) => n + t.qty * t.price, 0);
  return {
    kind: 'OrderStatusReport',
    clientOrderId: cid,
    venueOrderId: vid,
    status: filledQty === qty ? 'filled' : 'partially_filled',
    qty,
    filledQty,
    avgPrice: notional / filledQty,
  };
}

describe('OwnOrdersFeed fees', () => {
  it('a fee that comes with an execution matched to an inferred fill reaches the book, once', () => {
    const run = new Hosted(10);
    const e = [exec('a', 3, 10_000, 500), exec('b', 4, 10_010, 700)];
    run.fold(stated(10, e)); // 7 lots inferred, no fee known
    expect(run.book.pnl('T').fees).toBe(0);
    run.fold({ kind: 'FillReport', clientOrderId: cid, venueOrderId: vid, ...e[0]! });
    run.fold({ kind: 'FillReport', clientOrderId: cid, venueOrderId: vid, ...e[1]! });
    const pnl = run.book.pnl('T');
    expect(pnl.fees).toBeCloseTo(quoteOf(INST, 1200), 12);
    expect(pnl.position).toBeCloseTo(0.007, 12);
    expect(pnl.net).toBe(pnl.realized + pnl.unrealized - pnl.fees);
    // The strategy was handed one fill (the inferred one), not the two it matched.
    expect(run.fills).toEqual([0]);
    // The same execution again adds nothing.
    run.fold({ kind: 'FillReport', clientOrderId: cid, venueOrderId: vid, ...e[1]! });
    expect(run.book.pnl('T').fees).toBeCloseTo(quoteOf(INST, 1200), 12);
  });

  it('ends with the executions’ fees and quantity, each execution seen first stated or pushed', () => {
    const execArb = fc.record({
      qty: fc.integer({ min: 1, max: 5 }),
      price: fc.integer({ min: 9_000, max: 11_000 }),
      fee: fc.integer({ min: 0, max: 900 }),
      // Stated first (in a cumulative quantity), then pushed; or pushed only.
      statedFirst: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(execArb, { minLength: 1, maxLength: 8 }), (arbs) => {
        const total = arbs.reduce((n, a) => n + a.qty, 0);
        const run = new Hosted(total);
        const executions = arbs.map((a, i) => exec(`x${i}`, a.qty, a.price, a.fee));
        const seen: ReportedTrade[] = [];
        executions.forEach((x, i) => {
          seen.push(x);
          if (arbs[i]!.statedFirst) run.fold(stated(total, seen));
        });
        for (const x of executions) run.fold({ kind: 'FillReport', clientOrderId: cid, venueOrderId: vid, ...x });
        const pnl = run.book.pnl('T');
        const fees = executions.reduce((n, x) => n + x.fee, 0);
        expect(pnl.fees).toBeCloseTo(quoteOf(INST, fees), 9);
        expect(pnl.position).toBeCloseTo(total / 1000, 12);
        expect(run.ledger.order(cid)?.fees).toBe(fees);
      }),
    );
  });
});
