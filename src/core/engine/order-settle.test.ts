import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { clientOrderId, parentOrderId, symbol, venueOrderId } from '../model/ids.ts';
import type { LogEntry } from '../model/events.ts';
import type { VenueMessage } from '../model/reports.ts';
import { OrderLedger } from '../order/order-ledger.ts';
import type { Broker } from '../ports/broker.ts';
import { DEFAULT_RETRY } from './order-retry.ts';
import { OrderSettle } from './order-settle.ts';

const id = clientOrderId('c1');

/** A ledger holding one order, sent and acknowledged; a broker that records the lookups. */
function setup() {
  const clock = new VirtualClock(0);
  const ledger = new OrderLedger();
  let seq = 0;
  const fold = (event: LogEntry['event']) => ledger.apply({ seq: ++seq, time: clock.now(), event } as LogEntry);
  fold({
    kind: 'ParentOrderCreated',
    parentId: parentOrderId('p'),
    symbol: 'BTCUSDT',
    side: 'buy',
    qty: 10,
    type: 'limit',
    tif: 'GTC',
    limitPrice: 100,
    totalSlices: 1,
    route: 'single',
    arrivalBid: null,
    arrivalAsk: null,
    source: 'test',
  });
  fold({
    kind: 'OrderCreated',
    clientOrderId: id,
    parentId: parentOrderId('p'),
    sliceNum: 1,
    totalSlices: 1,
    scheduledTime: 0,
    symbol: symbol('BTCUSDT'),
    side: 'buy',
    type: 'limit',
    tif: 'GTC',
    qty: 10,
    limitPrice: 100,
    stopPrice: null,
  } as LogEntry['event']);
  fold({ kind: 'SubmitOrder', clientOrderId: id });
  fold({ kind: 'AckReport', clientOrderId: id, venueOrderId: venueOrderId('v1') });
  const asked: Array<{ at: number; seq: number | undefined }> = [];
  const broker = {
    queryOrder: (_id: unknown, askedAfterSeq?: number) => asked.push({ at: clock.now(), seq: askedAfterSeq }),
  } as unknown as Broker;
  const settle = new OrderSettle({
    clock,
    ledger,
    broker: { ...broker, queryOrder: (cid) => broker.queryOrder(cid, seq) },
    policy: { ...DEFAULT_RETRY, lookupFirstDelayMs: 1_000, lookupMaxDelayMs: 4_000 },
    seq: () => seq,
  });
  const tell = (msg: VenueMessage) => {
    seq++;
    settle.onMessage(msg);
  };
  return { clock, settle, asked, tell, seqNow: () => seq };
}

describe('OrderSettle', () => {
  it('asks until the venue answers, backing off to the cap while lookups fail', () => {
    const { clock, settle, asked, tell } = setup();
    settle.settle(id);
    clock.advanceBy(999);
    expect(asked).toHaveLength(0);
    const failed = (): void =>
      tell({
        kind: 'QueryFailedReport',
        clientOrderId: id,
        query: 'order',
        failure: 'transient',
        category: 'timeout',
        reason: 'timeout',
        askedAfterSeq: asked.at(-1)?.seq ?? 0,
      });
    // Each lookup fails as soon as it is asked: the next one follows 1, 2, 4, then 4 s later.
    for (let i = 0; i < 5; i++) {
      const n = asked.length;
      while (asked.length === n) clock.advanceBy(1);
      failed();
    }
    const times = asked.map((a) => a.at);
    expect(times.slice(1).map((t, i) => t - (times[i] as number))).toEqual([1_000, 2_000, 4_000, 4_000]);
    expect(times[0]).toBe(1_000);
    expect(settle.pending).toBe(1);
    clock.advanceBy(4_000);
    expect(asked).toHaveLength(6);
    tell({
      kind: 'OrderStatusReport',
      clientOrderId: id,
      venueOrderId: venueOrderId('v1'),
      status: 'filled',
      filledQty: 10,
      qty: 10,
      side: 'buy',
      trades: [],
      askedAfterSeq: asked.at(-1)?.seq ?? 0,
    } as VenueMessage);
    expect(settle.pending).toBe(0);
    const n = asked.length;
    clock.advanceBy(60_000);
    expect(asked).toHaveLength(n);
  });

  it('only an answer to a lookup asked no earlier than ours settles the order', () => {
    const { clock, settle, asked, tell, seqNow } = setup();
    const before = seqNow();
    settle.settle(id);
    // Another reader's answer while ours waits for its time: ours still goes out.
    tell({ kind: 'OrderNotFoundReport', clientOrderId: id, askedAfterSeq: before });
    clock.advanceBy(1_000);
    expect(asked).toHaveLength(1);
    tell({ kind: 'OrderNotFoundReport', clientOrderId: id, askedAfterSeq: (asked[0]?.seq ?? 0) - 1 });
    expect(settle.pending).toBe(1);
    tell({ kind: 'OrderNotFoundReport', clientOrderId: id, askedAfterSeq: asked[0]?.seq ?? 0 });
    expect(settle.pending).toBe(0);
  });

  it('a refused cancel of an order the venue has shown is followed by a lookup', () => {
    const { clock, settle, asked, tell } = setup();
    tell({ kind: 'CancelRejectReport', clientOrderId: id, code: '-2011', reason: 'unknown', failure: 'not_found' });
    expect(settle.pending).toBe(1);
    clock.advanceBy(1);
    expect(asked).toHaveLength(1);
  });
});
