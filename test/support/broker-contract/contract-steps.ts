// The steps the broker contract cases are written in: orders in the venue's units on its symbol,
// sends that wait for their own answer, stamped lookups, snapshot reads matched by request id, and
// the check that a venue's statement of an order's fills agrees with itself and with the stream.
import { expect } from 'vitest';
import { clientOrderId, parentOrderId, symbol } from '../../../src/core/model/ids.ts';
import type { OrderRequest, OrderType, Side, TimeInForce } from '../../../src/core/model/order.ts';
import type {
  AckReport,
  OrderNotFoundReport,
  OrderStatusReport,
  QueryFailedReport,
  SnapshotStamp,
  VenueMessage,
} from '../../../src/core/model/reports.ts';
import type { Backend } from './backend.ts';
import { venueDifferences } from './contract-venue.ts';

export type Msg<K extends VenueMessage['kind']> = Extract<VenueMessage, { kind: K }>;

/** Lots in `n` of the backend's units. */
export const units = (b: Backend, n: number): number => n * b.venue.unit;

/** The time in force a case's order gets: DAY for a market order and GTC for a limit, where the
 *  venue takes it (or sends none for the type); otherwise the first the venue takes. */
function tifFor(b: Backend, type: OrderType): TimeInForce {
  const preferred = type === 'market' ? 'DAY' : 'GTC';
  if (venueDifferences(b.venue.rules).takes(type, preferred)) return preferred;
  const rule = b.venue.rules.orderTypes[type];
  return rule && rule.timesInForce !== 'not-sent' ? (rule.timesInForce[0] ?? preferred) : preferred;
}

/** An order of `qty` units on the venue's symbol. */
export function order(
  b: Backend,
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
    symbol: symbol(b.venue.symbol),
    side,
    type,
    tif: tif ?? tifFor(b, type),
    qty: units(b, qty),
    ...rest,
  };
}

export const cidOf = (m: VenueMessage): string | null => ('clientOrderId' in m ? m.clientOrderId : null);

/** Messages of one kind, for one order when given. */
export function of<K extends VenueMessage['kind']>(b: Backend, kind: K, cid?: string): Array<Msg<K>> {
  return b.reports.filter((m): m is Msg<K> => m.kind === kind && (cid === undefined || cidOf(m) === cid));
}

/** The answers a submit can have (the stream's full states are not answers). */
const SUBMIT_ANSWERS = new Set(['AckReport', 'RejectReport', 'RetryableRejectReport', 'OutcomeUnknownReport']);
export const submitAnswers = (b: Backend, cid: string) =>
  b.reports.filter(
    (m) =>
      cidOf(m) === cid && SUBMIT_ANSWERS.has(m.kind) && !(m.kind === 'OutcomeUnknownReport' && m.request !== 'submit'),
  );
export const cancelAnswers = (b: Backend, cid: string) =>
  b.reports.filter(
    (m) =>
      cidOf(m) === cid &&
      (m.kind === 'CancelReport' ||
        m.kind === 'CancelRejectReport' ||
        (m.kind === 'OutcomeUnknownReport' && m.request === 'cancel')),
  );

/** Submits and waits for this submit's answer (the first answer after those already here). */
export async function submitted(b: Backend, o: OrderRequest): Promise<VenueMessage> {
  const earlier = submitAnswers(b, o.clientOrderId).length;
  b.broker.submit(o);
  return b.until(() => submitAnswers(b, o.clientOrderId)[earlier], `the submit of ${o.clientOrderId} is answered`);
}

export async function acked(b: Backend, o: OrderRequest): Promise<AckReport> {
  const answer = await submitted(b, o);
  expect(answer, `the submit of ${o.clientOrderId}`).toMatchObject({ kind: 'AckReport' });
  return answer as AckReport;
}

/** Lots the stream's fills of an order add up to. */
export const filledQty = (b: Backend, cid: string) => of(b, 'FillReport', cid).reduce((s, f) => s + f.qty, 0);

/** Waits until the stream's fills of an order add up to `qty` lots. */
export async function fillsReach(b: Backend, cid: string, qty: number): Promise<void> {
  await b.until(() => filledQty(b, cid) >= qty, `the fills of ${cid} add up to ${qty}`);
}

let stamps = 1000;
/** One stamped lookup and its answer (matched by the stamp it echoes). */
export async function lookup(
  b: Backend,
  cid: string,
): Promise<OrderStatusReport | OrderNotFoundReport | QueryFailedReport> {
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

export async function status(b: Backend, cid: string): Promise<OrderStatusReport> {
  const got = await lookup(b, cid);
  expect(got, `the lookup of ${cid}`).toMatchObject({ kind: 'OrderStatusReport', clientOrderId: cid });
  return got as OrderStatusReport;
}

let requests = 0;
/** A snapshot read with a fresh request id, and its answer (matched by that id). */
export async function snapshot<K extends 'OpenOrdersReport' | 'OrdersPageReport' | 'AccountReport'>(
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
export function checkFillStatement(b: Backend, st: Omit<OrderStatusReport, 'kind'>, streamComplete = true): void {
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
