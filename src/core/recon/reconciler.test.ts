// The reconciler against the scripted venue, answered by hand: what it asks, how it reads each
// answer, and what it records. Where an answer is the venue's plain truth the venue gives it
// (reply); where a case is about an answer's shape (a page's cursor, a stale or unstamped
// snapshot, a connection report) the test hands the reconciler that message itself. Pages are
// followed to the last one, failed queries asked again, a position mismatch confirmed before it
// is corrected, orphans quarantine the symbol until resolved.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { EventLog } from '../log/event-log.ts';
import type { ExecEvent } from '../model/events.ts';
import { clientOrderId, parentOrderId, symbol, venueOrderId, type ClientOrderId } from '../model/ids.ts';
import type { VenueMessage } from '../model/reports.ts';
import { OrderLedger } from '../order/order-ledger.ts';
import { BINANCE_SPOT } from '../venues/binance-spot.ts';
import { parseReconConfig } from './recon-config.ts';
import { Reconciler } from './reconciler.ts';
import { ScriptedVenue, type Call } from '../../../test/support/scripted-venue/scripted-venue.ts';

const T0 = Date.UTC(2024, 7, 9);

/** A request as the cases name it. */
function callText(c: Call): string {
  switch (c.call) {
    case 'cancel':
      return `cancel ${c.id}`;
    case 'query':
      return `order ${c.id}`;
    case 'since':
      return `since ${c.since} ${c.limit}${c.after ? ` after ${c.after.venueOrderId}` : ''}`;
    default:
      return c.call;
  }
}

/** `position`: what the venue's account holds besides our orders' fills. */
function setup(by: 'updated' | 'submitted' = 'updated', position = 0) {
  const clock = new VirtualClock(T0);
  const log = new EventLog(clock);
  const ledger = new OrderLedger();
  const events: ExecEvent[] = [];
  const record = (e: ExecEvent): void => {
    events.push(e);
    for (const d of ledger.apply(log.append(e))) ledger.apply(log.append(d));
  };
  const adopted: string[] = [];
  const venue = new ScriptedVenue({
    clock,
    rules: BINANCE_SPOT,
    symbol: 'T',
    byHand: true,
    ordersSinceBy: by,
    position,
  });
  const recon = new Reconciler({
    clock,
    ledger,
    broker: venue,
    config: parseReconConfig({ pageLimit: 2 }),
    record,
    apply: (r) => record(r),
    fail: (id, reason) => record({ kind: 'OrderAbandoned', clientOrderId: id, reason }),
    adopt: (o) => adopted.push(o.clientOrderId),
  });
  /** A venue message: logged and folded, then shown to the reconciler (the engine's order). */
  const deliver = (m: VenueMessage): void => {
    record(m);
    recon.onMessage(m);
  };
  venue.setReportHandler(deliver);
  /** The venue answers the oldest waiting request of a kind (about an order when given); 'silent':
   *  that request's answer is lost. */
  const reply = (call: Call['call'], id?: ClientOrderId, how: 'answer' | 'fail' | 'silent' = 'answer') =>
    venue.reply(id === undefined ? { call } : { call, id }, how);
  /** Our order (a limit buy of 10 at 100), sent and acknowledged by the venue when `sent`; the
   *  venue holds it when `atVenue` (else the venue never got it, or lost it). */
  const order = (name: string, sent: boolean, atVenue = false): ClientOrderId => {
    const id = clientOrderId(name);
    const parentId = parentOrderId(`p-${name}`);
    record({
      kind: 'ParentOrderCreated',
      parentId,
      symbol: symbol('T'),
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
    record({
      kind: 'OrderCreated',
      clientOrderId: id,
      parentId,
      sliceNum: 1,
      totalSlices: 1,
      scheduledTime: T0,
      symbol: symbol('T'),
      side: 'buy',
      type: 'limit',
      tif: 'GTC',
      qty: 10,
      limitPrice: 100,
      stopPrice: null,
    });
    const ack = atVenue ? venue.seed(ledger.order(id)!.request) : null;
    if (sent) {
      record({ kind: 'SubmitOrder', clientOrderId: id });
      record(ack ?? { kind: 'AckReport', clientOrderId: id, venueOrderId: venueOrderId(`v-${name}`) });
    }
    return id;
  };
  const of = <K extends ExecEvent['kind']>(k: K) =>
    events.filter((e): e is Extract<ExecEvent, { kind: K }> => e.kind === k);
  /** The snapshot reads' request ids, by read. */
  const idsOf = (call: Call['call']) =>
    venue.calls.flatMap((c) => (c.call === call && c.requestId ? [c.requestId] : []));
  return {
    clock,
    ledger,
    recon,
    venue,
    reply,
    /** What the reconciler asked the venue, in order. */
    get calls() {
      return venue.calls.map(callText);
    },
    get ids() {
      return { open: idsOf('open'), account: idsOf('account'), page: idsOf('since') };
    },
    deliver,
    order,
    of,
    adopted,
    record,
  };
}

const trade = (id: string, qty: number) => ({
  tradeId: id as never,
  qty,
  price: 100,
  fee: 0,
  liquidity: 'maker' as const,
  venueTime: T0,
});

describe('Reconciler', () => {
  it('periodic: follows every page, applies a missed fill, looks up what the venue did not show, and finds nothing the second time', () => {
    const s = setup();
    const a = s.order('a', true);
    const b = s.order('b', true);
    s.clock.advanceBy(600_000);
    s.recon.run('periodic');
    expect(s.calls).toEqual(['open', 'account', `since ${T0 - 60_000} 2`]); // no high-water mark yet: since our first order, minus the overlap
    s.deliver({
      kind: 'OpenOrdersReport',
      orders: [
        {
          clientOrderId: a,
          venueOrderId: venueOrderId('v-a'),
          status: 'partially_filled',
          qty: 10,
          filledQty: 4,
          trades: [trade('t1', 4)],
        },
      ],
    });
    expect(s.ledger.order(a)?.filledQty).toBe(4);
    expect(s.calls.at(-1)).toBe(`order ${b}`); // b was not among the open orders: asked for by id
    s.deliver({
      kind: 'OrdersPageReport',
      since: T0 - 60_000,
      orders: [],
      next: { at: T0 + 5, venueOrderId: 'v-a' },
    });
    expect(s.calls.at(-1)).toBe(`since ${T0 - 60_000} 2 after v-a`);
    s.deliver({ kind: 'OrdersPageReport', since: T0, orders: [], next: null });
    s.deliver({ kind: 'AccountReport', symbol: symbol('T'), position: 14, quote: 0 });
    s.deliver({
      kind: 'OrderStatusReport',
      clientOrderId: b,
      venueOrderId: venueOrderId('v-b'),
      status: 'filled',
      qty: 10,
      filledQty: 10,
      trades: [trade('t2', 10)],
    });
    expect(s.of('ReconciliationMismatch').map((m) => m.mismatch)).toEqual(['missed_fill', 'missed_fill']);
    expect(s.of('ReconciliationCompleted')).toHaveLength(1);
    expect(s.ledger.position).toBe(14);
    // Again: everything agrees now.
    s.recon.run('periodic');
    s.deliver({
      kind: 'OpenOrdersReport',
      orders: [
        {
          clientOrderId: a,
          venueOrderId: venueOrderId('v-a'),
          status: 'partially_filled',
          qty: 10,
          filledQty: 4,
          trades: [trade('t1', 4)],
        },
      ],
    });
    s.deliver({ kind: 'OrdersPageReport', since: T0, orders: [], next: null });
    s.deliver({ kind: 'AccountReport', symbol: symbol('T'), position: 14, quote: 0 });
    expect(s.of('ReconciliationCompleted').map((c) => c.mismatches)).toEqual([2, 0]);
  });

  it('fails an acknowledged order the venue does not know (a mismatch); a never-acknowledged one goes back to unsent (none)', () => {
    const s = setup();
    const acked = s.order('acked', true);
    const unsent = s.order('unsent', false);
    s.record({ kind: 'SubmitOrder', clientOrderId: unsent }); // sent, never acknowledged
    s.recon.run('startup');
    // The venue holds neither.
    s.reply('open');
    s.reply('since');
    s.reply('account');
    expect(s.reply('query', acked)).toMatchObject({ kind: 'OrderNotFoundReport' });
    expect(s.reply('query', unsent)).toMatchObject({ kind: 'OrderNotFoundReport' });
    expect(s.ledger.order(acked)?.status).toBe('failed');
    expect(s.ledger.order(unsent)?.status).toBe('pending_new');
    // Only the order the venue had shown is a mismatch: one never acknowledged may have been on
    // its way when the lookup overtook it, which proves nothing wrong.
    expect(s.of('ReconciliationMismatch').map((m) => [m.mismatch, m.clientOrderId])).toEqual([
      ['unknown_at_venue', acked],
    ]);
    expect(s.of('ReconciliationCompleted')).toHaveLength(1);
  });

  it('an open order whose send is unanswered yet is its acknowledgement overtaken, not a mismatch; an unknown outcome is', () => {
    const s = setup();
    const inFlight = s.order('in-flight', false, true);
    s.record({ kind: 'SubmitOrder', clientOrderId: inFlight }); // sent; the venue's answer is on its way
    const unknown = s.order('unknown', false, true);
    s.record({ kind: 'SubmitOrder', clientOrderId: unknown });
    s.record({ kind: 'OutcomeUnknownReport', clientOrderId: unknown, request: 'submit', reason: 'timeout' });
    const filledEarly = s.order('filled-early', false, true);
    s.record({ kind: 'SubmitOrder', clientOrderId: filledEarly });
    s.venue.fill(filledEarly, 4, 100);
    s.recon.run('periodic');
    s.reply('open'); // the venue shows all three open
    s.reply('account');
    s.reply('since');
    s.reply('since'); // the second page
    // The in-flight order learned its acknowledgement from the read, as any venue state is applied.
    expect(s.ledger.order(inFlight)?.status).toBe('accepted');
    expect(s.ledger.order(unknown)?.status).toBe('accepted');
    // A fill is never an overtaken acknowledgement: the venue traded what we had not heard of.
    expect(s.of('ReconciliationMismatch').map((m) => [m.mismatch, m.clientOrderId])).toEqual([
      ['status', unknown],
      ['missed_fill', filledEarly],
    ]);
    expect(s.of('ReconciliationCompleted').map((c) => c.mismatches)).toEqual([2]);
  });

  it('asks a failed query again after retryMs; corrects a position only when a second look confirms it', () => {
    const s = setup('updated', 3); // the venue's account holds 3 lots we know nothing of
    s.recon.run('startup');
    expect(s.reply('open', undefined, 'fail')).toMatchObject({ kind: 'QueryFailedReport', query: 'open_orders' });
    s.clock.advanceBy(1_000);
    expect(s.calls.filter((c) => c === 'open')).toHaveLength(2);
    s.reply('open');
    s.reply('since');
    s.reply('account'); // 3
    expect(s.of('ReconciliationCompleted')).toHaveLength(0); // waiting to confirm the mismatch
    s.clock.advanceBy(2_000);
    expect(s.calls.filter((c) => c === 'account')).toHaveLength(2);
    s.reply('account'); // 3
    expect(s.of('PositionCorrected')).toEqual([{ kind: 'PositionCorrected', ours: 0, venue: 3, adjustment: 3 }]);
    expect(s.ledger.position).toBe(3);
    expect(s.of('ReconciliationCompleted')).toHaveLength(1);
  });

  it('asks again what stays unanswered (an answer lost without an error) every stallMs', () => {
    const s = setup();
    const a = s.order('a', true); // the venue lost it
    s.recon.run('startup');
    s.reply('open'); // asks for a by id; that answer is lost
    s.reply('query', a, 'silent');
    s.reply('account', undefined, 'silent');
    s.clock.advanceBy(29_999);
    expect(s.calls.filter((c) => c === `order ${a}`)).toHaveLength(1);
    s.clock.advanceBy(1);
    expect(s.calls.filter((c) => c === `order ${a}`)).toHaveLength(2);
    expect(s.calls.filter((c) => c === 'account')).toHaveLength(2); // the account answer is missing too
    s.reply('account');
    s.reply('since');
    expect(s.reply('query', a)).toMatchObject({ kind: 'OrderNotFoundReport' });
    expect(s.of('ReconciliationCompleted')).toHaveLength(1);
    s.clock.advanceBy(60_000);
    expect(s.calls.filter((c) => c === `order ${a}`)).toHaveLength(2); // nothing more once done
  });

  it('an order at the venue that is not ours is an orphan: it quarantines the symbol until adopted', () => {
    const s = setup();
    // Someone else's buy of 7 at 95 on the account, 2 of them filled.
    const someone = clientOrderId('someone');
    s.venue.seed({
      clientOrderId: someone,
      parentId: parentOrderId('theirs'),
      sliceNum: 1,
      totalSlices: 1,
      scheduledTime: T0,
      symbol: symbol('T'),
      side: 'buy',
      type: 'limit',
      tif: 'GTC',
      qty: 7,
      limitPrice: 95,
    });
    s.venue.fill(someone, 2, 95);
    s.recon.run('startup');
    s.reply('open');
    // The venue's position holds the orphan's 2 lots: expected, not a mismatch to correct.
    expect(s.reply('account')).toMatchObject({ position: 2 });
    s.reply('since');
    expect(s.of('OrphanDetected')).toEqual([expect.objectContaining({ clientOrderId: 'someone', openQty: 5 })]);
    expect(s.recon.quarantine()).toMatch(/symbol quarantined: orphan order someone/);
    expect(s.recon.orphans.exposure()).toBe(5);
    expect(s.of('PositionCorrected')).toEqual([]);
    expect(s.of('ReconciliationCompleted')).toHaveLength(1);
    expect(s.ledger.orders.has(clientOrderId('someone'))).toBe(false); // not in our orders
    s.recon.resolveOrphan(clientOrderId('someone'), 'adopt', 'ops', 'our manual hedge');
    expect(s.recon.quarantine()).toBeNull();
    expect(s.of('OrphanResolved')).toEqual([expect.objectContaining({ resolution: 'adopted', actor: 'ops' })]);
    expect(s.adopted).toEqual(['someone']);
    // A second resolution is refused as an event, not thrown: nothing changes.
    s.recon.resolveOrphan(clientOrderId('someone'), 'cancel', 'ops', 'again');
    expect(s.of('OrphanResolutionRefused')).toEqual([
      expect.objectContaining({
        clientOrderId: 'someone',
        resolution: 'cancel',
        reason: 'again',
        refusal: expect.stringMatching(/resolved already/),
      }),
    ]);
    expect(s.calls.filter((c) => c.startsWith('cancel'))).toEqual([]);
  });

  it("answers to an earlier pass's reads are not this pass's: a stale snapshot arriving late changes nothing", () => {
    const s = setup();
    const a = s.order('a', true);
    s.clock.advanceBy(1_000);
    s.recon.run('periodic');
    const [firstOpen] = s.ids.open;
    // The first pass ends on its own answers.
    s.deliver({ kind: 'OpenOrdersReport', requestId: firstOpen!, asOf: T0 + 1_000, orders: [] });
    s.deliver({ kind: 'OrdersPageReport', requestId: s.ids.page[0]!, since: 0, orders: [], next: null });
    expect(s.calls.at(-1)).toBe(`order ${a}`); // not among the open orders: looked up
    s.deliver({
      kind: 'OrderStatusReport',
      clientOrderId: a,
      venueOrderId: venueOrderId('v-a'),
      status: 'new',
      qty: 10,
      filledQty: 0,
    });
    s.deliver({ kind: 'AccountReport', requestId: s.ids.account[0]!, symbol: symbol('T'), position: 0, quote: 0 });
    expect(s.of('ReconciliationCompleted')).toHaveLength(1);
    // A second pass; the first pass's account read is answered again, late (a racing request).
    s.clock.advanceBy(1_000);
    s.recon.run('periodic');
    expect(new Set([...s.ids.open, ...s.ids.account, ...s.ids.page]).size).toBe(6); // every read has its own id
    s.deliver({ kind: 'AccountReport', requestId: s.ids.account[0]!, symbol: symbol('T'), position: 0, quote: 0 });
    s.deliver({ kind: 'OpenOrdersReport', requestId: firstOpen!, orders: [] });
    s.deliver({ kind: 'OrdersPageReport', requestId: s.ids.page[1]!, since: 0, orders: [], next: null });
    expect(s.calls.filter((c) => c === `order ${a}`)).toHaveLength(1); // the stale open-orders answer did not count
    expect(s.recon.running).toBe(true);
    // Its own answers end it.
    s.deliver({
      kind: 'OpenOrdersReport',
      requestId: s.ids.open[1]!,
      orders: [{ clientOrderId: a, venueOrderId: venueOrderId('v-a'), status: 'new', qty: 10, filledQty: 0 }],
    });
    s.deliver({ kind: 'AccountReport', requestId: s.ids.account[1]!, symbol: symbol('T'), position: 0, quote: 0 });
    expect(s.of('ReconciliationCompleted')).toHaveLength(2);
    expect(s.of('ReconciliationMismatch')).toHaveLength(0);
  });

  it("by submission time: the mark is the oldest open order's creation, so its late fill is listed by the next pass", () => {
    const s = setup('submitted');
    const a = s.order('a', true, true); // created at T0, open
    s.clock.advanceBy(600_000);
    const b = s.order('b', true, true); // created at T0 + 10 min
    s.recon.run('periodic');
    expect(s.reply('open')).toMatchObject({ orders: [{ clientOrderId: a }, { clientOrderId: b }] });
    s.reply('since');
    s.reply('account');
    const [first] = s.of('ReconciliationCompleted');
    expect(first!.highWaterMark).toBe(T0); // a was open: not the pass's start, T0 + 10 min
    // a fills 4 and is cancelled with the fill lost; we hold it cancelled with nothing filled.
    s.venue.fill(a, 4, 100);
    s.record({ kind: 'CancelOrder', clientOrderId: a, reason: 'test' });
    s.venue.cancel(a);
    expect(s.reply('cancel', a)).toEqual({ kind: 'CancelReport', clientOrderId: a });
    s.clock.advanceBy(600_000);
    s.recon.run('periodic');
    expect(s.calls.at(-1)).toBe(`since ${T0 - 60_000} 2`); // from a's submission (minus the overlap): a is listed
    expect(s.reply('open')).toMatchObject({ orders: [{ clientOrderId: b }] });
    expect(s.reply('since')).toMatchObject({
      orders: [{ clientOrderId: a, status: 'canceled', filledQty: 4, submittedAt: T0 }, { clientOrderId: b }],
      next: null,
    });
    s.reply('account'); // 4
    expect(s.of('ReconciliationMismatch').map((m) => m.mismatch)).toEqual(['missed_fill']);
    expect(s.ledger.order(a)).toMatchObject({ status: 'canceled', filledQty: 4 });
    // a ended: the mark moves to b, the oldest order still open when the pass began.
    expect(s.of('ReconciliationCompleted')[1]!.highWaterMark).toBe(T0 + 600_000);
  });

  it('by update time: the same lost fill moves the mark to the newest row seen', () => {
    const s = setup('updated');
    s.order('a', true); // the venue lost it: nothing is listed
    s.clock.advanceBy(600_000);
    s.recon.run('periodic');
    s.reply('open');
    s.reply('since');
    s.reply('query', clientOrderId('a'));
    s.reply('account');
    expect(s.of('ReconciliationCompleted')[0]!.highWaterMark).toBe(T0 + 600_000); // the pass's start
  });

  it('a reconnect of the execution stream runs a pass; the first connection and market-data reconnects do not', () => {
    const s = setup();
    s.order('a', true, true);
    const connection = (stream: 'orders' | 'market_data', state: 'connected' | 'disconnected') =>
      s.deliver({ kind: 'ConnectionReport', stream, state, reason: 'test' });
    connection('orders', 'connected');
    connection('market_data', 'disconnected');
    connection('market_data', 'connected');
    expect(s.recon.running).toBe(false);
    connection('orders', 'disconnected');
    // The pass waits for the stream to come back: what it carried while down is lost until then.
    expect(s.recon.running).toBe(false);
    connection('orders', 'connected');
    expect(s.of('ReconciliationStarted').map((e) => e.mode)).toEqual(['reconnect']);
    // A second reconnect while that pass runs: one more pass after it.
    connection('orders', 'disconnected');
    connection('orders', 'connected');
    expect(s.of('ReconciliationStarted')).toHaveLength(1);
    s.reply('open');
    s.reply('since');
    s.reply('account');
    expect(s.of('ReconciliationStarted').map((e) => e.mode)).toEqual(['reconnect', 'reconnect']);
  });
});
