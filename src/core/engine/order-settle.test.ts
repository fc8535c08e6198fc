// OrderSettle against the scripted venue, answered by hand: when it looks an order up, how it
// backs off while lookups fail, and which answers settle the order (only one to a lookup asked no
// earlier than ours). The engine stamps lookups with its last log sequence number; the venue is
// told to stand in for that stamp.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { clientOrderId, parentOrderId, symbol } from '../model/ids.ts';
import type { LogEntry } from '../model/events.ts';
import type { VenueMessage } from '../model/reports.ts';
import { OrderLedger } from '../order/order-ledger.ts';
import { BINANCE_SPOT } from '../venues/binance-spot.ts';
import { DEFAULT_RETRY } from './order-retry.ts';
import { OrderSettle } from './order-settle.ts';
import { ScriptedVenue } from '../../../test/support/scripted-venue/scripted-venue.ts';

const id = clientOrderId('c1');

/** A ledger holding one order, sent and acknowledged by the venue, which answers by hand. */
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
  const venue = new ScriptedVenue({
    clock,
    rules: BINANCE_SPOT,
    symbol: 'BTCUSDT',
    byHand: true,
    lookupStamp: () => seq,
  });
  fold(venue.seed(ledger.order(id)!.request));
  /** The lookups asked, when and with which stamp. */
  const asked = () => venue.calls.filter((c) => c.call === 'query').map((c) => ({ at: c.at, seq: c.askedAfterSeq }));
  const settle = new OrderSettle({
    clock,
    ledger,
    broker: venue,
    policy: { ...DEFAULT_RETRY, lookupFirstDelayMs: 1_000, lookupMaxDelayMs: 4_000 },
    seq: () => seq,
  });
  /** A venue message as the engine hands it on: logged, then shown to the settler. */
  const tell = (msg: VenueMessage) => {
    seq++;
    settle.onMessage(msg);
  };
  venue.setReportHandler(tell);
  return { clock, settle, venue, asked, tell, seqNow: () => seq };
}

describe('OrderSettle', () => {
  it('asks until the venue answers, backing off to the cap while lookups fail', () => {
    const { clock, settle, venue, asked } = setup();
    settle.settle(id);
    clock.advanceBy(999);
    expect(asked()).toHaveLength(0);
    const failed = (): void =>
      void expect(venue.reply({ call: 'query' }, 'fail')).toMatchObject({
        kind: 'QueryFailedReport',
        askedAfterSeq: asked().at(-1)?.seq,
      });
    // Each lookup fails as soon as it is asked: the next one follows 1, 2, 4, then 4 s later.
    for (let i = 0; i < 5; i++) {
      const n = asked().length;
      while (asked().length === n) clock.advanceBy(1);
      failed();
    }
    const times = asked().map((a) => a.at);
    expect(times.slice(1).map((t, i) => t - (times[i] as number))).toEqual([1_000, 2_000, 4_000, 4_000]);
    expect(times[0]).toBe(1_000);
    expect(settle.pending).toBe(1);
    clock.advanceBy(4_000);
    expect(asked()).toHaveLength(6);
    venue.fill(id, 10, 100);
    expect(venue.reply({ call: 'query' })).toMatchObject({
      kind: 'OrderStatusReport',
      status: 'filled',
      askedAfterSeq: asked().at(-1)?.seq,
    });
    expect(settle.pending).toBe(0);
    const n = asked().length;
    clock.advanceBy(60_000);
    expect(asked()).toHaveLength(n);
  });

  it('only an answer to a lookup asked no earlier than ours settles the order', () => {
    const { clock, settle, venue, asked, tell, seqNow } = setup();
    const before = seqNow();
    settle.settle(id);
    // Another reader's answer while ours waits for its time: ours still goes out.
    tell({ kind: 'OrderNotFoundReport', clientOrderId: id, askedAfterSeq: before });
    clock.advanceBy(1_000);
    expect(asked()).toHaveLength(1);
    // An answer to a lookup asked before ours (another reader's, arriving late) settles nothing...
    tell({ kind: 'OrderNotFoundReport', clientOrderId: id, askedAfterSeq: (asked()[0]?.seq ?? 0) - 1 });
    expect(settle.pending).toBe(1);
    // ...the venue's answer to ours does.
    expect(venue.reply({ call: 'query' }, 'not_found')).toMatchObject({ askedAfterSeq: asked()[0]?.seq });
    expect(settle.pending).toBe(0);
  });

  it('a refused cancel of an order the venue has shown is followed by a lookup', () => {
    const { clock, settle, venue, asked } = setup();
    // Filled meanwhile: Binance refuses the cancel as an unknown order (-2011).
    venue.fill(id, 10, 100);
    venue.cancel(id);
    expect(venue.reply({ call: 'cancel' })).toMatchObject({ kind: 'CancelRejectReport', failure: 'not_found' });
    expect(settle.pending).toBe(1);
    clock.advanceBy(1);
    expect(asked()).toHaveLength(1);
  });
});
