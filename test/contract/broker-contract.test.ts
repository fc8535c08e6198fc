// The broker contract (src/core/ports/broker.ts, src/core/model/reports.ts), written once and run
// against every backend in backends.ts: the simulated venue on a virtual clock, and the Alpaca
// adapter on the real SDK against execsim's Alpaca gateway over a loopback socket. Both serve the
// same static book (fixtures/static-book.yaml), so where the market decides an outcome (which
// levels a market order takes) both must give the same answer. A case a backend cannot run is
// reported as skipped with its reason; a case a backend fails because it breaks the contract is
// an expected failure there, with the violation in its name. Every wait is for a condition,
// bounded (10 s of the backend's time at most), and every request count is bounded.
import { afterEach, describe, expect, it } from 'vitest';
import { clientOrderId, parentOrderId, symbol } from '../../src/core/model/ids.ts';
import type { OrderRequest, OrderType, Side, TimeInForce } from '../../src/core/model/order.ts';
import type {
  AckReport,
  OrderNotFoundReport,
  OrderStatusReport,
  OrdersPageRow,
  QueryFailedReport,
  SnapshotStamp,
  VenueMessage,
} from '../../src/core/model/reports.ts';
import type { OrdersCursor } from '../../src/core/ports/broker.ts';
import { refusal } from '../../src/core/venues/venue-rules.ts';
import {
  BACKENDS,
  CASE_NAMES,
  simBackend,
  type Backend,
  type BackendFactory,
  type BackendOptions,
  type CaseName,
} from './backends.ts';

type Msg<K extends VenueMessage['kind']> = Extract<VenueMessage, { kind: K }>;
type Open = (options?: Pick<BackendOptions, 'faults'>) => Promise<Backend>;

const opened: Backend[] = [];
afterEach(async () => {
  for (const b of opened.splice(0).reverse()) await b.close();
});

// ---- helpers -------------------------------------------------------------------------------

function order(
  id: string,
  side: Side,
  type: OrderType,
  qty: number,
  extra: { limitPrice?: number; tif?: TimeInForce } = {},
): OrderRequest {
  const { tif, ...rest } = extra;
  return {
    clientOrderId: clientOrderId(id),
    parentId: parentOrderId('contract'),
    sliceNum: 1,
    totalSlices: 1,
    scheduledTime: 0,
    symbol: symbol('AAPL'),
    side,
    type,
    tif: tif ?? (type === 'market' ? 'DAY' : 'GTC'),
    qty,
    ...rest,
  };
}

const cidOf = (m: VenueMessage): string | null => ('clientOrderId' in m ? m.clientOrderId : null);

/** Messages of one kind, for one order when given. */
function of<K extends VenueMessage['kind']>(b: Backend, kind: K, cid?: string): Array<Msg<K>> {
  return b.reports.filter((m): m is Msg<K> => m.kind === kind && (cid === undefined || cidOf(m) === cid));
}

/** The answers a submit can have (the stream's full states are not answers). */
const SUBMIT_ANSWERS = new Set(['AckReport', 'RejectReport', 'RetryableRejectReport', 'OutcomeUnknownReport']);
const submitAnswers = (b: Backend, cid: string) =>
  b.reports.filter(
    (m) =>
      cidOf(m) === cid && SUBMIT_ANSWERS.has(m.kind) && !(m.kind === 'OutcomeUnknownReport' && m.request !== 'submit'),
  );
const cancelAnswers = (b: Backend, cid: string) =>
  b.reports.filter(
    (m) =>
      cidOf(m) === cid &&
      (m.kind === 'CancelReport' ||
        m.kind === 'CancelRejectReport' ||
        (m.kind === 'OutcomeUnknownReport' && m.request === 'cancel')),
  );

/** Submits and waits for this submit's answer (the first answer after those already here). */
async function submitted(b: Backend, o: OrderRequest): Promise<VenueMessage> {
  const earlier = submitAnswers(b, o.clientOrderId).length;
  b.broker.submit(o);
  return b.until(() => submitAnswers(b, o.clientOrderId)[earlier], `the submit of ${o.clientOrderId} is answered`);
}

async function acked(b: Backend, o: OrderRequest): Promise<AckReport> {
  const answer = await submitted(b, o);
  expect(answer, `the submit of ${o.clientOrderId}`).toMatchObject({ kind: 'AckReport' });
  return answer as AckReport;
}

const filledQty = (b: Backend, cid: string) => of(b, 'FillReport', cid).reduce((s, f) => s + f.qty, 0);

/** Waits until the stream's fills of an order add up to `qty`. */
async function fillsReach(b: Backend, cid: string, qty: number): Promise<void> {
  await b.until(() => filledQty(b, cid) >= qty, `the fills of ${cid} add up to ${qty}`);
}

let stamps = 1000;
/** One stamped lookup and its answer (matched by the stamp it echoes). */
async function lookup(b: Backend, cid: string): Promise<OrderStatusReport | OrderNotFoundReport | QueryFailedReport> {
  const stamp = ++stamps;
  b.broker.queryOrder(clientOrderId(cid), stamp);
  return b.until(
    () =>
      b.reports.find(
        (m): m is OrderStatusReport | OrderNotFoundReport | QueryFailedReport =>
          (m.kind === 'OrderStatusReport' || m.kind === 'OrderNotFoundReport' || m.kind === 'QueryFailedReport') &&
          cidOf(m) === cid &&
          m.askedAfterSeq === stamp,
      ),
    `the lookup of ${cid} (stamp ${stamp}) is answered`,
  );
}

async function status(b: Backend, cid: string): Promise<OrderStatusReport> {
  const got = await lookup(b, cid);
  expect(got, `the lookup of ${cid}`).toMatchObject({ kind: 'OrderStatusReport', clientOrderId: cid });
  return got as OrderStatusReport;
}

let requests = 0;
/** A snapshot read with a fresh request id, and its answer (matched by that id). */
async function snapshot<K extends 'OpenOrdersReport' | 'OrdersPageReport' | 'AccountReport'>(
  b: Backend,
  kind: K,
  ask: (requestId: string) => void,
): Promise<Msg<K> & { requestId: string; asOf: number }> {
  const requestId = `req-${++requests}`;
  const before = b.now();
  ask(requestId);
  const got = await b.until(
    () => b.reports.find((m) => 'requestId' in m && m.requestId === requestId),
    `the ${kind} read ${requestId} is answered`,
  );
  expect(got.kind, `the answer to ${requestId}`).toBe(kind);
  const stamped = got as unknown as SnapshotStamp;
  // The snapshot says how new it is: stamped no earlier than the request was sent, and not in
  // the future when it arrived.
  expect(stamped.asOf).toBeTypeOf('number');
  expect(stamped.asOf).toBeGreaterThanOrEqual(before);
  expect(stamped.asOf).toBeLessThanOrEqual(b.now());
  return got as unknown as Msg<K> & { requestId: string; asOf: number };
}

/**
 * The two ways an OrderStatusReport may state fills, each checked against itself and against the
 * FillReports the stream delivered for the order (every one of them, when the stream lost none).
 */
function checkFillStatement(b: Backend, st: Omit<OrderStatusReport, 'kind'>, streamComplete = true): void {
  const fills = of(b, 'FillReport', st.clientOrderId);
  expect(st.filledQty).toBeGreaterThanOrEqual(0);
  expect(st.filledQty).toBeLessThanOrEqual(st.qty);
  expect(st.status === 'filled').toBe(st.filledQty === st.qty);
  if (st.filledQty > 0) expect(['partially_filled', 'filled', 'canceled', 'expired']).toContain(st.status);
  if (streamComplete)
    expect(st.filledQty, 'the venue cumulative equals the sum of the stream fills').toBe(
      fills.reduce((s, f) => s + f.qty, 0),
    );
  if (st.trades !== undefined) {
    // Executions listed: they add up, each has its id, and they are the stream's executions.
    expect(st.trades.reduce((s, t) => s + t.qty, 0)).toBe(st.filledQty);
    for (const t of st.trades) {
      expect(t.tradeId).toMatch(/\S/);
      expect(Number.isInteger(t.price) && Number.isInteger(t.qty) && t.qty > 0).toBe(true);
    }
    if (streamComplete) expect(new Set(st.trades.map((t) => t.tradeId))).toEqual(new Set(fills.map((f) => f.tradeId)));
  } else if (st.filledQty > 0) {
    // Cumulative only: the average price is required, and it is the stream fills' average.
    expect(st.avgPrice).toBeTypeOf('number');
    if (streamComplete) {
      const vwap = fills.reduce((s, f) => s + f.qty * f.price, 0) / st.filledQty;
      expect(Math.abs((st.avgPrice as number) - vwap)).toBeLessThan(0.01);
    }
  }
}

// ---- the cases -------------------------------------------------------------------------------

/** Cancel versus fill: the order's one cancel answer agrees with what it filled and with a lookup. */
async function raceOutcome(
  b: Backend,
  cid: string,
  qty: number,
): Promise<'canceled' | 'filled-then-canceled' | 'filled'> {
  const answer = await b.until(() => cancelAnswers(b, cid)[0], `the cancel of ${cid} is answered`);
  await b.settle();
  expect(cancelAnswers(b, cid), 'exactly one answer to the cancel').toHaveLength(1);
  const fills = filledQty(b, cid);
  const st = await status(b, cid);
  checkFillStatement(b, st);
  if (answer.kind === 'CancelReport') {
    // Cancelled: whatever filled before stays filled, the rest never fills.
    expect(st.status).toBe('canceled');
    expect(fills).toBeLessThan(qty);
    return fills > 0 ? 'filled-then-canceled' : 'canceled';
  }
  // The fill won: the cancel is refused because the order is finished, and it is filled.
  expect(answer).toMatchObject({ kind: 'CancelRejectReport', failure: 'not_cancelable' });
  expect(st.status).toBe('filled');
  expect(fills).toBe(qty);
  return 'filled';
}

/** A buy resting alone at 187.45 (inside the spread): a sell trade there reaches it first. */
async function restingInsideSpread(b: Backend, cid: string): Promise<AckReport> {
  return acked(b, order(cid, 'buy', 'limit', 10, { limitPrice: 18745 }));
}

const CASES: Record<CaseName, (open: Open) => Promise<void>> = {
  'submit is acknowledged': async (open) => {
    const b = await open();
    const before = b.reports.length;
    b.broker.submit(order('ack-1', 'buy', 'limit', 5, { limitPrice: 18700 }));
    // Answers come through the handler later, never inside the command.
    expect(b.reports.length).toBe(before);
    const ack = await b.until(() => submitAnswers(b, 'ack-1')[0], 'the submit is answered');
    expect(ack).toMatchObject({ kind: 'AckReport', clientOrderId: 'ack-1' });
    expect((ack as AckReport).venueOrderId).toMatch(/\S/);
    await b.settle();
    expect(submitAnswers(b, 'ack-1'), 'exactly one answer').toHaveLength(1);
    expect(of(b, 'FillReport', 'ack-1')).toEqual([]); // it rests below the ask
    const st = await status(b, 'ack-1');
    expect(st).toMatchObject({ venueOrderId: (ack as AckReport).venueOrderId, status: 'new', qty: 5, filledQty: 0 });
  },

  'a market order fills': async (open) => {
    const b = await open();
    const t0 = b.now();
    const ack = await acked(b, order('mkt-1', 'buy', 'market', 5));
    await fillsReach(b, 'mkt-1', 5);
    await b.settle();
    const fills = of(b, 'FillReport', 'mkt-1');
    expect(filledQty(b, 'mkt-1'), 'fills add up to the order, never more').toBe(5);
    expect(new Set(fills.map((f) => f.tradeId)).size).toBe(fills.length);
    for (const f of fills) {
      expect(f.venueOrderId).toBe(ack.venueOrderId);
      expect(f.tradeId).toMatch(/\S/);
      expect(Number.isInteger(f.qty) && f.qty > 0).toBe(true);
      expect(f.price).toBe(18750); // ticks: the best ask, 187.50
      expect(Number.isFinite(f.fee) && f.fee >= 0).toBe(true);
      expect(f.liquidity).toBe('taker');
      expect(f.venueTime).toBeGreaterThanOrEqual(t0 - 60_000);
      expect(f.venueTime).toBeLessThanOrEqual(b.now() + 60_000);
    }
  },

  'an order larger than the top level fills in several executions': async (open) => {
    const b = await open();
    // 30 against 10 at 187.50 and 100 at 187.60: two executions, in price order.
    await acked(b, order('big-1', 'buy', 'market', 30));
    await fillsReach(b, 'big-1', 30);
    // 100 at 187.60 against the 80 left there: 80 fill, 20 rest.
    await acked(b, order('part-1', 'buy', 'limit', 100, { limitPrice: 18760 }));
    await fillsReach(b, 'part-1', 80);
    await b.settle();
    expect(of(b, 'FillReport', 'big-1').map((f) => [f.qty, f.price])).toEqual([
      [10, 18750],
      [20, 18760],
    ]);
    expect(of(b, 'FillReport', 'part-1').map((f) => [f.qty, f.price])).toEqual([[80, 18760]]);
    const st = await status(b, 'part-1');
    expect(st).toMatchObject({ status: 'partially_filled', qty: 100, filledQty: 80, limitPrice: 18760 });
    checkFillStatement(b, st);
  },

  'a resting limit order is cancelled': async (open) => {
    const b = await open();
    const ack = await acked(b, order('c-1', 'buy', 'limit', 5, { limitPrice: 18700 }));
    await acked(b, order('c-2', 'buy', 'limit', 3, { limitPrice: 18650 }));
    await acked(b, order('keep', 'buy', 'limit', 2, { limitPrice: 18600 }));
    b.broker.cancel(clientOrderId('c-1'), ack.venueOrderId); // with the venue's id
    b.broker.cancel(clientOrderId('c-2'), null); // by client id alone
    for (const cid of ['c-1', 'c-2']) await b.until(() => cancelAnswers(b, cid)[0], `the cancel of ${cid} is answered`);
    await b.settle();
    for (const cid of ['c-1', 'c-2']) {
      expect(cancelAnswers(b, cid), `${cid}: exactly one answer, a CancelReport`).toEqual([
        { kind: 'CancelReport', clientOrderId: cid },
      ]);
      expect(await status(b, cid)).toMatchObject({ status: 'canceled', filledQty: 0 });
    }
    const listed = await snapshot(b, 'OpenOrdersReport', (id) => b.broker.queryOpenOrders(id));
    expect(listed.orders.map((o) => o.clientOrderId)).toEqual(['keep']);
  },

  'a cancel of a finished or unknown order is refused with its class': async (open) => {
    const b = await open();
    const ack = await acked(b, order('fin-1', 'buy', 'market', 1));
    await fillsReach(b, 'fin-1', 1);
    b.broker.cancel(clientOrderId('ghost'), null);
    const ghost = await b.until(() => cancelAnswers(b, 'ghost')[0], 'the cancel of an unknown order is answered');
    expect(ghost).toMatchObject({ kind: 'CancelRejectReport', failure: 'not_found' });
    b.broker.cancel(clientOrderId('fin-1'), ack.venueOrderId);
    const refused = await b.until(() => cancelAnswers(b, 'fin-1')[0], 'the cancel of a filled order is answered');
    // The order exists and is finished: not cancelable, which is not "no such order".
    expect(refused).toMatchObject({ kind: 'CancelRejectReport', failure: 'not_cancelable' });
    expect((await status(b, 'fin-1')).status).toBe('filled');
  },

  'a second cancel of a cancelled order: the same answer with or without the venue id': async (open) => {
    const b = await open();
    const ack = await acked(b, order('twice', 'buy', 'limit', 5, { limitPrice: 18700 }));
    b.broker.cancel(clientOrderId('twice'), ack.venueOrderId);
    await b.until(() => cancelAnswers(b, 'twice')[0], 'the first cancel is answered');
    await b.settle();
    const again = async (venueOrderId: AckReport['venueOrderId'] | null): Promise<VenueMessage> => {
      const n = cancelAnswers(b, 'twice').length;
      b.broker.cancel(clientOrderId('twice'), venueOrderId);
      return b.until(() => cancelAnswers(b, 'twice')[n], 'the repeated cancel is answered');
    };
    const byVenueId = await again(ack.venueOrderId);
    const byClientId = await again(null);
    // The order exists (it is cancelled): never "no such order"; and core may or may not have
    // seen the ack, so the answer must not depend on it.
    expect(byVenueId).not.toMatchObject({ failure: 'not_found' });
    expect(byClientId, 'the same answer by client id alone').toEqual(
      byVenueId.kind === 'CancelRejectReport'
        ? expect.objectContaining({ kind: byVenueId.kind, failure: byVenueId.failure })
        : byVenueId,
    );
    expect((await status(b, 'twice')).status).toBe('canceled');
  },

  'cancel versus fill: the fill wins': async (open) => {
    const b = await open();
    const ack = await restingInsideSpread(b, 'race-1');
    b.broker.cancel(clientOrderId('race-1'), ack.venueOrderId);
    b.marketTrade(18744, 50, 'sell'); // through our price while the cancel travels: all 10 fill
    expect(await raceOutcome(b, 'race-1', 10)).toBe('filled');
  },

  'cancel versus fill: a partial fill, then the cancel': async (open) => {
    const b = await open();
    const ack = await restingInsideSpread(b, 'race-2');
    b.broker.cancel(clientOrderId('race-2'), ack.venueOrderId);
    b.marketTrade(18745, 4, 'sell'); // at our price, nobody ahead: 4 of 10 fill
    expect(await raceOutcome(b, 'race-2', 10)).toBe('filled-then-canceled');
    expect(filledQty(b, 'race-2')).toBe(4);
  },

  'cancel versus fill: the cancel wins': async (open) => {
    const b = await open();
    await restingInsideSpread(b, 'race-3');
    b.broker.cancel(clientOrderId('race-3'), null);
    await b.until(() => cancelAnswers(b, 'race-3')[0], 'the cancel is answered');
    b.marketTrade(18744, 50, 'sell'); // too late: the order is gone
    expect(await raceOutcome(b, 'race-3', 10)).toBe('canceled');
  },

  'a duplicate client id is refused': async (open) => {
    const b = await open();
    const first = await acked(b, order('dup-1', 'buy', 'limit', 5, { limitPrice: 18700 }));
    const code = refusal(b.rules, 'duplicate-client-id').code;
    // While the first is open...
    const again = await submitted(b, order('dup-1', 'buy', 'limit', 7, { limitPrice: 18650 }));
    expect(again).toMatchObject({ kind: 'RejectReport', clientOrderId: 'dup-1', code });
    // ...and after it is finished (Alpaca: client ids are unique forever).
    b.broker.cancel(clientOrderId('dup-1'), first.venueOrderId);
    await b.until(() => of(b, 'CancelReport', 'dup-1')[0], 'the first order is cancelled');
    const later = await submitted(b, order('dup-1', 'buy', 'market', 1));
    expect(later).toMatchObject({ kind: 'RejectReport', clientOrderId: 'dup-1', code });
    await b.settle();
    expect(
      submitAnswers(b, 'dup-1').map((m) => m.kind),
      'one answer per submit',
    ).toEqual(['AckReport', 'RejectReport', 'RejectReport']);
    expect(of(b, 'FillReport', 'dup-1')).toEqual([]);
    // The first order is what it was: the refused ones changed nothing.
    expect(await status(b, 'dup-1')).toMatchObject({
      venueOrderId: first.venueOrderId,
      status: 'canceled',
      qty: 5,
      filledQty: 0,
      limitPrice: 18700,
    });
  },

  'a rate-limited submit is refused as transient and creates nothing': async (open) => {
    const b = await open({ faults: ['{ kind: rate_limit, from: PT0S, until: PT1H, scope: orders }'] });
    const answer = await submitted(b, order('rl-1', 'buy', 'market', 5));
    expect(answer).toMatchObject({
      kind: 'RetryableRejectReport',
      clientOrderId: 'rl-1',
      code: refusal(b.rules, 'rate-limited').code,
    });
    expect(refusal(b.rules, 'rate-limited').failure).toBe('transient');
    // Not processed: nothing exists, nothing filled, and reads still work.
    expect(await lookup(b, 'rl-1')).toMatchObject({ kind: 'OrderNotFoundReport' });
    const acct = await snapshot(b, 'AccountReport', (id) => b.broker.queryAccount(id));
    expect(acct.position).toBe(0);
    expect(submitAnswers(b, 'rl-1')).toHaveLength(1);
    expect(of(b, 'FillReport', 'rl-1')).toEqual([]);
  },

  "an IOC order's unfilled rest ends the order": async (open) => {
    const b = await open();
    // 30 at 187.50, IOC: the 10 there fill, the other 20 end with the order.
    await acked(b, order('ioc-1', 'buy', 'limit', 30, { limitPrice: 18750, tif: 'IOC' }));
    await fillsReach(b, 'ioc-1', 10);
    // The venue says the rest is gone, once: expired (the simulator) or canceled (Alpaca
    // cancels IOC remainders); the lookup says the same, with the 10 filled.
    const ended = () => [...of(b, 'ExpiredReport', 'ioc-1'), ...of(b, 'CancelReport', 'ioc-1')];
    await b.until(() => ended()[0], 'the end of the IOC order is reported');
    await b.settle();
    expect(ended()).toHaveLength(1);
    const st = await status(b, 'ioc-1');
    expect(st).toMatchObject({
      qty: 30,
      filledQty: 10,
      status: ended()[0]?.kind === 'ExpiredReport' ? 'expired' : 'canceled',
    });
    checkFillStatement(b, st);
    expect(filledQty(b, 'ioc-1')).toBe(10);
  },

  'lookup by client id states the fills consistently': async (open) => {
    const b = await open();
    const acks = new Map<string, AckReport>();
    acks.set('lk-rest', await acked(b, order('lk-rest', 'buy', 'limit', 4, { limitPrice: 18700 })));
    acks.set('lk-part', await acked(b, order('lk-part', 'buy', 'limit', 15, { limitPrice: 18755 })));
    acks.set('lk-full', await acked(b, order('lk-full', 'buy', 'market', 30)));
    await fillsReach(b, 'lk-part', 10);
    await fillsReach(b, 'lk-full', 30);
    await b.settle();
    const expected: Record<string, Partial<OrderStatusReport>> = {
      'lk-rest': { status: 'new', qty: 4, filledQty: 0, side: 'buy', limitPrice: 18700 },
      'lk-part': { status: 'partially_filled', qty: 15, filledQty: 10, side: 'buy', limitPrice: 18755 },
      'lk-full': { status: 'filled', qty: 30, filledQty: 30, side: 'buy', limitPrice: null },
    };
    for (const [cid, want] of Object.entries(expected)) {
      const st = await status(b, cid);
      expect(st).toMatchObject({ ...want, venueOrderId: acks.get(cid)?.venueOrderId });
      checkFillStatement(b, st);
    }
  },

  'lookup of an unknown client id is not found': async (open) => {
    const b = await open();
    b.broker.queryOrder(clientOrderId('never-sent'), 42);
    b.broker.queryOrder(clientOrderId('never-sent-2'));
    const stamped = await b.until(() => of(b, 'OrderNotFoundReport', 'never-sent')[0], 'the stamped lookup');
    const plain = await b.until(() => of(b, 'OrderNotFoundReport', 'never-sent-2')[0], 'the unstamped lookup');
    expect(stamped).toEqual({ kind: 'OrderNotFoundReport', clientOrderId: 'never-sent', askedAfterSeq: 42 });
    expect(plain).toEqual({ kind: 'OrderNotFoundReport', clientOrderId: 'never-sent-2' });
  },

  'open orders lists exactly the open orders': async (open) => {
    const b = await open();
    const a = await acked(b, order('oo-a', 'buy', 'limit', 5, { limitPrice: 18700 }));
    await acked(b, order('oo-b', 'buy', 'limit', 3, { limitPrice: 18650 }));
    await acked(b, order('oo-part', 'buy', 'limit', 15, { limitPrice: 18755 }));
    await acked(b, order('oo-filled', 'buy', 'market', 2));
    await fillsReach(b, 'oo-filled', 2);
    await fillsReach(b, 'oo-part', 10);
    // Two reads at once: each answer says which read it answers.
    const [first, second] = await Promise.all([
      snapshot(b, 'OpenOrdersReport', (id) => b.broker.queryOpenOrders(id)),
      snapshot(b, 'OpenOrdersReport', (id) => b.broker.queryOpenOrders(id)),
    ]);
    expect(first.requestId).not.toBe(second.requestId);
    for (const listed of [first, second]) {
      const byCid = new Map(listed.orders.map((o) => [String(o.clientOrderId), o]));
      expect([...byCid.keys()].sort()).toEqual(['oo-a', 'oo-b', 'oo-part']);
      expect(listed.orders).toHaveLength(3);
      expect(byCid.get('oo-a')).toMatchObject({ venueOrderId: a.venueOrderId, status: 'new', qty: 5, filledQty: 0 });
      const part = byCid.get('oo-part') as OrdersPageRow;
      expect(part).toMatchObject({ status: 'partially_filled', qty: 15, filledQty: 10, limitPrice: 18755 });
      checkFillStatement(b, part);
    }
    b.broker.cancel(clientOrderId('oo-a'), a.venueOrderId);
    await b.until(() => of(b, 'CancelReport', 'oo-a')[0], 'the cancel is confirmed');
    const after = await snapshot(b, 'OpenOrdersReport', (id) => b.broker.queryOpenOrders(id));
    expect(after.orders.map((o) => o.clientOrderId).sort()).toEqual(['oo-b', 'oo-part']);
  },

  'orders since: pages list every order exactly once': async (open) => {
    const b = await open();
    await acked(b, order('os-early', 'buy', 'limit', 1, { limitPrice: 18000 }));
    const tEarly = b.now();
    await b.until(() => b.now() > tEarly + 2 || null, 'the clock moves past the early order');
    const since = b.now();
    // Seven orders sent at once (the simulator gives them one submission time: ties), one
    // cancelled and one filled afterwards.
    const cids = Array.from({ length: 7 }, (_, i) => `os-${i}`);
    for (const [i, cid] of cids.entries())
      b.broker.submit(order(cid, 'buy', 'limit', 1, { limitPrice: i === 6 ? 18750 : 18000 + i }));
    for (const cid of cids) {
      const answer = await b.until(() => submitAnswers(b, cid)[0], `the submit of ${cid}`);
      expect(answer.kind).toBe('AckReport');
    }
    b.broker.cancel(clientOrderId('os-3'), null);
    await b.until(() => of(b, 'CancelReport', 'os-3')[0], 'the cancel of os-3');

    const time = (row: OrdersPageRow): number => {
      if (b.broker.ordersSinceBy === 'submitted') {
        expect(row.submittedAt, 'a listing by submission time states it').toBeTypeOf('number');
        return row.submittedAt as number;
      }
      return row.updatedAt;
    };
    const rows: OrdersPageRow[] = [];
    let after: OrdersCursor | undefined;
    let pages = 0;
    for (;;) {
      expect(++pages, 'pages needed for 7 orders, 2 a page').toBeLessThanOrEqual(5);
      const page = await snapshot(b, 'OrdersPageReport', (id) => b.broker.queryOrdersSince(since, 2, after, id));
      expect(page.since).toBe(since);
      expect(page.orders.length).toBeLessThanOrEqual(2);
      rows.push(...page.orders);
      if (page.next === null) break;
      const last = page.orders[page.orders.length - 1] as OrdersPageRow;
      expect(page.next, 'the cursor is the last row').toEqual({ at: time(last), venueOrderId: last.venueOrderId });
      after = page.next;
    }
    expect(rows.map((r) => r.clientOrderId).sort(), 'every order exactly once').toEqual([...cids].sort());
    const times = rows.map(time);
    expect(times, 'ordered by the listing time').toEqual([...times].sort((x, y) => x - y));
    for (const t of times) expect(t).toBeGreaterThanOrEqual(since);
    const byCid = new Map(rows.map((r) => [String(r.clientOrderId), r]));
    expect(byCid.get('os-3')).toMatchObject({ status: 'canceled' });
    expect(byCid.get('os-6')).toMatchObject({ status: 'filled', filledQty: 1 });
    // A `since` after every order: one empty last page.
    const empty = await snapshot(b, 'OrdersPageReport', (id) =>
      b.broker.queryOrdersSince(b.now() + 60_000, 2, undefined, id),
    );
    expect(empty).toMatchObject({ orders: [], next: null });
  },

  'account: the position after fills': async (open) => {
    // A buy of 30 then a sell of 10: the position and the quote balance follow the fills.
    const b = await open();
    const baseline = await snapshot(b, 'AccountReport', (id) => b.broker.queryAccount(id));
    expect(baseline).toMatchObject({ symbol: 'AAPL', position: 0 });
    await acked(b, order('acct-1', 'buy', 'market', 30));
    await fillsReach(b, 'acct-1', 30);
    const [now, again] = await Promise.all([
      snapshot(b, 'AccountReport', (id) => b.broker.queryAccount(id)),
      snapshot(b, 'AccountReport', (id) => b.broker.queryAccount(id)),
    ]);
    const cost = (cid: string) => of(b, 'FillReport', cid).reduce((s, f) => s + f.qty * f.price + f.fee, 0);
    for (const acct of [now, again]) {
      expect(acct).toMatchObject({ symbol: 'AAPL', position: 30, quote: baseline.quote - cost('acct-1') });
      if (acct.balances) expect(acct.balances.base.free + (acct.balances.base.locked ?? 0)).toBe(30);
    }
    expect(now.requestId).not.toBe(again.requestId);
    // Selling 10 at the bid (187.40): the position falls, the proceeds come in.
    await acked(b, order('acct-2', 'sell', 'market', 10));
    await fillsReach(b, 'acct-2', 10);
    expect(of(b, 'FillReport', 'acct-2').map((f) => f.price)).toEqual([18740]);
    const proceeds = of(b, 'FillReport', 'acct-2').reduce((s, f) => s + f.qty * f.price - f.fee, 0);
    const sold = await snapshot(b, 'AccountReport', (id) => b.broker.queryAccount(id));
    expect(sold).toMatchObject({ position: 20, quote: baseline.quote - cost('acct-1') + proceeds });
  },

  'an outage: the submit is of unknown outcome, and a lookup finds the order': async (open) => {
    // Every request in the first 8 s reaches the venue, and its answer is lost: 300 ms later
    // the client gives up (the gateway drops the connection; the simulator says timed out).
    const b = await open({
      faults: ['{ kind: outage, from: PT0S, until: PT8S, mode: timeout_after, timeoutMs: 300 }'],
    });
    b.broker.submit(order('out-1', 'buy', 'market', 5));
    const answer = await b.until(() => submitAnswers(b, 'out-1')[0], 'the submit is answered');
    expect(answer).toMatchObject({ kind: 'OutcomeUnknownReport', request: 'submit' });
    // Looked up until the venue answers (a failed lookup is transient: ask again).
    let found: OrderStatusReport | null = null;
    for (let attempt = 0; attempt < 40 && found === null; attempt++) {
      const got = await lookup(b, 'out-1');
      if (got.kind === 'QueryFailedReport') expect(got.failure).toBe('transient');
      else {
        expect(got.kind, 'the venue got the order (timeout_after)').toBe('OrderStatusReport');
        found = got as OrderStatusReport;
      }
    }
    expect(found).toMatchObject({ status: 'filled', qty: 5, filledQty: 5 });
    expect(submitAnswers(b, 'out-1'), 'one answer to the submit').toHaveLength(1);
  },

  'an outage: the cancel is of unknown outcome, and a lookup finds the order cancelled': async (open) => {
    // From 2 s to 4 s every request reaches the venue and its answer is lost (300 ms timeout).
    const b = await open({
      faults: ['{ kind: outage, from: PT2S, until: PT4S, mode: timeout_after, timeoutMs: 300 }'],
    });
    const ack = await acked(b, order('oc-1', 'buy', 'limit', 5, { limitPrice: 18700 }));
    expect(b.now(), 'the order was placed before the outage').toBeLessThan(b.startedAt + 2000);
    await b.until(() => b.now() >= b.startedAt + 2050 || null, 'the outage begins');
    b.broker.cancel(clientOrderId('oc-1'), ack.venueOrderId);
    // Its answer is lost: OutcomeUnknownReport. An adapter with an execution stream may learn
    // the truth there first (Alpaca's `canceled` event) and answer CancelReport instead.
    const answer = await b.until(() => cancelAnswers(b, 'oc-1')[0], 'the cancel is answered');
    expect(['OutcomeUnknownReport', 'CancelReport']).toContain(answer.kind);
    if (answer.kind === 'OutcomeUnknownReport') expect(answer.request).toBe('cancel');
    let found: OrderStatusReport | null = null;
    for (let attempt = 0; attempt < 40 && found === null; attempt++) {
      const got = await lookup(b, 'oc-1');
      if (got.kind === 'QueryFailedReport') expect(got.failure).toBe('transient');
      else found = got as OrderStatusReport;
    }
    expect(found, 'the venue got the cancel (timeout_after)').toMatchObject({
      kind: 'OrderStatusReport',
      status: 'canceled',
      filledQty: 0,
    });
    await b.settle();
    // One answer; at most one CancelReport besides (the stream telling of the cancel later).
    const kinds = cancelAnswers(b, 'oc-1').map((m) => m.kind);
    expect(kinds.filter((k) => k === 'CancelReport').length).toBeLessThanOrEqual(1);
    expect(kinds.filter((k) => k !== 'CancelReport').length).toBeLessThanOrEqual(1);
    expect(kinds).not.toContain('CancelRejectReport');
  },

  'lost stream events: the fill is found by lookup': async (open) => {
    const b = await open({ faults: ['{ kind: lost_reports, from: PT0S, until: PT1H, probability: 1 }'] });
    const ack = await acked(b, order('lost-1', 'buy', 'market', 5));
    await b.settle();
    expect(of(b, 'FillReport', 'lost-1'), 'the stream lost the fill').toEqual([]);
    const st = await status(b, 'lost-1');
    expect(st).toMatchObject({ venueOrderId: ack.venueOrderId, status: 'filled', qty: 5, filledQty: 5 });
    checkFillStatement(b, st, false);
    if (st.trades) expect(st.trades.map((t) => [t.qty, t.price])).toEqual([[5, 18750]]);
    else expect(st.avgPrice).toBeCloseTo(18750, 6);
  },

  'stream reconnect: reported, and an order filled in the gap is listed': async (open) => {
    const b = await open();
    const connections = () =>
      of(b, 'ConnectionReport')
        .filter((c) => c.stream === 'orders')
        .map((c) => c.state);
    expect(connections()).toEqual(['connected']);
    const since = b.now();
    b.dropStream?.();
    await b.until(() => connections().length >= 2 || null, 'the drop is reported');
    b.broker.submit(order('gap-1', 'buy', 'market', 5));
    await b.until(() => submitAnswers(b, 'gap-1')[0], 'the submit is answered');
    await b.until(() => connections().length >= 3 || null, 'the reconnect is reported');
    expect(connections()).toEqual(['connected', 'disconnected', 'connected']);
    const page = await snapshot(b, 'OrdersPageReport', (id) => b.broker.queryOrdersSince(since, 10, undefined, id));
    expect(page.orders).toEqual([expect.objectContaining({ clientOrderId: 'gap-1', status: 'filled', filledQty: 5 })]);
    // The stream delivers again after the reconnect.
    await acked(b, order('post-1', 'buy', 'market', 2));
    await fillsReach(b, 'post-1', 2);
  },
};

/** An assertion failure as text: its message and the actual value it was given. */
function failureText(err: unknown): string {
  const e = err as { message?: unknown; actual?: unknown };
  return `${String(e.message)}\n${JSON.stringify(e.actual) ?? ''}`;
}

function opener(factory: BackendFactory, tap?: BackendOptions['tap']): Open {
  return async (options = {}) => {
    const b = await factory.create({ ...options, ...(tap ? { tap } : {}) });
    opened.push(b);
    return b;
  };
}

describe.each(BACKENDS.map((f) => [f.name, f] as const))('broker contract: %s', (_name, factory) => {
  for (const name of CASE_NAMES) {
    const unsupported = factory.unsupported[name];
    const violation = factory.knownViolations[name];
    const run = () => CASES[name](opener(factory));
    if (unsupported !== undefined) it.skip(`${name} [unsupported: ${unsupported}]`, run);
    else if (violation !== undefined)
      it(`${name} [fails: known contract violation: ${violation.violation}]`, async () => {
        const err = await run().then(
          () => null,
          (e: unknown) => e,
        );
        expect(err, 'the violation is fixed: remove its knownViolations entry').not.toBeNull();
        expect(failureText(err)).toMatch(violation.shows);
      });
    else it(name, run);
  }
});

describe('the suite itself', () => {
  it('every backend names a reason for every case it does not run, and no case is both', () => {
    for (const f of BACKENDS) {
      const reasons = [
        ...Object.entries(f.unsupported),
        ...Object.entries(f.knownViolations).map(([name, v]) => [name, v?.violation] as const),
      ];
      for (const [name, reason] of reasons) {
        expect(CASE_NAMES as readonly string[]).toContain(name);
        expect(reason?.length ?? 0).toBeGreaterThan(20);
      }
      for (const name of Object.keys(f.unsupported)) expect(f.knownViolations).not.toHaveProperty(name);
    }
  });

  // A backend broken on purpose must fail the cases that speak to what is broken.
  const mutants: Array<{ what: string; tap: NonNullable<BackendOptions['tap']>; cases: CaseName[] }> = [
    {
      what: 'every second FillReport dropped',
      tap: (() => {
        let n = 0;
        return (m) => (m.kind === 'FillReport' && n++ % 2 === 1 ? null : m);
      })(),
      cases: [
        'an order larger than the top level fills in several executions',
        'lookup by client id states the fills consistently',
      ],
    },
    {
      what: "a refused submit labelled transient (RetryableRejectReport) instead of 'reject'",
      tap: (m) => (m.kind === 'RejectReport' ? { ...m, kind: 'RetryableRejectReport' } : m),
      cases: ['a duplicate client id is refused'],
    },
    {
      what: 'lookups answered without their stamp',
      tap: (m) => {
        if (m.kind !== 'OrderNotFoundReport' || m.askedAfterSeq === undefined) return m;
        const { askedAfterSeq: _dropped, ...rest } = m;
        return rest;
      },
      cases: ['lookup of an unknown client id is not found'],
    },
    {
      what: 'listings that never say there is a next page',
      tap: (m) => (m.kind === 'OrdersPageReport' ? { ...m, next: null } : m),
      cases: ['orders since: pages list every order exactly once'],
    },
    {
      what: 'snapshot answers that echo no request id',
      tap: (m) => {
        if (m.kind !== 'AccountReport') return m;
        const { requestId: _dropped, ...rest } = m;
        return rest;
      },
      cases: ['account: the position after fills'],
    },
  ];
  for (const m of mutants) {
    for (const name of m.cases) {
      it(`sim with ${m.what} fails "${name}"`, async () => {
        await expect(CASES[name](opener(simBackend, m.tap))).rejects.toThrow();
      });
    }
  }
});
