// The broker contract's cases about reading the venue and about failures: lookups by client id,
// open orders, paged listings, the account, outages resolved by lookup, lost stream events and
// stream reconnects. Quantities are in the venue's units, prices the venue's declared ones.
import { expect } from 'vitest';
import { clientOrderId } from '../../../src/core/model/ids.ts';
import type { AckReport, OrderStatusReport, OrdersPageRow } from '../../../src/core/model/reports.ts';
import type { OrdersCursor } from '../../../src/core/ports/broker.ts';
import type { ContractCase } from './contract-case.ts';
import {
  acked,
  cancelAnswers,
  checkFillStatement,
  fillsReach,
  lookup,
  of,
  order,
  snapshot,
  status,
  submitAnswers,
  units,
} from './contract-steps.ts';

export const READ_CASES = {
  'lookup by client id states the fills consistently': {
    needs: [['market']],
    run: async (open) => {
      const b = await open();
      const p = b.venue.prices;
      const acks = new Map<string, AckReport>();
      acks.set('lk-rest', await acked(b, order(b, 'lk-rest', 'buy', 'limit', 4, { limitPrice: p.rest[0] })));
      acks.set('lk-part', await acked(b, order(b, 'lk-part', 'buy', 'limit', 15, { limitPrice: p.betweenAsks })));
      acks.set('lk-full', await acked(b, order(b, 'lk-full', 'buy', 'market', 30)));
      await fillsReach(b, 'lk-part', units(b, 10));
      await fillsReach(b, 'lk-full', units(b, 30));
      await b.settle();
      const u = (n: number) => units(b, n);
      const expected: Record<string, Partial<OrderStatusReport>> = {
        'lk-rest': { status: 'new', qty: u(4), filledQty: 0, side: 'buy', limitPrice: p.rest[0] },
        'lk-part': { status: 'partially_filled', qty: u(15), filledQty: u(10), side: 'buy', limitPrice: p.betweenAsks },
        'lk-full': { status: 'filled', qty: u(30), filledQty: u(30), side: 'buy', limitPrice: null },
      };
      for (const [cid, want] of Object.entries(expected)) {
        const st = await status(b, cid);
        expect(st).toMatchObject({ ...want, venueOrderId: acks.get(cid)?.venueOrderId });
        checkFillStatement(b, st);
      }
    },
  },

  'lookup of an unknown client id is not found': {
    run: async (open) => {
      const b = await open();
      b.broker.queryOrder(clientOrderId('never-sent'), 42);
      b.broker.queryOrder(clientOrderId('never-sent-2'));
      const stamped = await b.until(() => of(b, 'OrderNotFoundReport', 'never-sent')[0], 'the stamped lookup');
      const plain = await b.until(() => of(b, 'OrderNotFoundReport', 'never-sent-2')[0], 'the unstamped lookup');
      expect(stamped).toEqual({ kind: 'OrderNotFoundReport', clientOrderId: 'never-sent', askedAfterSeq: 42 });
      expect(plain).toEqual({ kind: 'OrderNotFoundReport', clientOrderId: 'never-sent-2' });
    },
  },

  'open orders lists exactly the open orders': {
    needs: [['market']],
    run: async (open) => {
      const b = await open();
      const p = b.venue.prices;
      const a = await acked(b, order(b, 'oo-a', 'buy', 'limit', 5, { limitPrice: p.rest[0] }));
      await acked(b, order(b, 'oo-b', 'buy', 'limit', 3, { limitPrice: p.rest[1] }));
      await acked(b, order(b, 'oo-part', 'buy', 'limit', 15, { limitPrice: p.betweenAsks }));
      await acked(b, order(b, 'oo-filled', 'buy', 'market', 2));
      await fillsReach(b, 'oo-filled', units(b, 2));
      await fillsReach(b, 'oo-part', units(b, 10));
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
        expect(byCid.get('oo-a')).toMatchObject({
          venueOrderId: a.venueOrderId,
          status: 'new',
          qty: units(b, 5),
          filledQty: 0,
        });
        const part = byCid.get('oo-part') as OrdersPageRow;
        expect(part).toMatchObject({
          status: 'partially_filled',
          qty: units(b, 15),
          filledQty: units(b, 10),
          limitPrice: p.betweenAsks,
        });
        checkFillStatement(b, part);
      }
      b.broker.cancel(clientOrderId('oo-a'), a.venueOrderId);
      await b.until(() => of(b, 'CancelReport', 'oo-a')[0], 'the cancel is confirmed');
      const after = await snapshot(b, 'OpenOrdersReport', (id) => b.broker.queryOpenOrders(id));
      expect(after.orders.map((o) => o.clientOrderId).sort()).toEqual(['oo-b', 'oo-part']);
    },
  },

  'orders since: pages list every order exactly once': {
    run: async (open) => {
      const b = await open();
      const p = b.venue.prices;
      await acked(b, order(b, 'os-early', 'buy', 'limit', 1, { limitPrice: p.far }));
      const tEarly = b.now();
      await b.until(() => b.now() > tEarly + 2 || null, 'the clock moves past the early order');
      const since = b.now();
      // Seven orders sent at once (the simulator gives them one submission time: ties), one
      // cancelled and one filled afterwards.
      const cids = Array.from({ length: 7 }, (_, i) => `os-${i}`);
      for (const [i, cid] of cids.entries())
        b.broker.submit(order(b, cid, 'buy', 'limit', 1, { limitPrice: i === 6 ? p.ask : p.far + i }));
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
      expect(byCid.get('os-6')).toMatchObject({ status: 'filled', filledQty: units(b, 1) });
      // A `since` after every order: one empty last page.
      const empty = await snapshot(b, 'OrdersPageReport', (id) =>
        b.broker.queryOrdersSince(b.now() + 60_000, 2, undefined, id),
      );
      expect(empty).toMatchObject({ orders: [], next: null });
    },
  },

  'account: the position after fills': {
    needs: [['market']],
    run: async (open) => {
      // A buy of 30 then a sell of 10: the position and the quote balance follow the fills.
      const b = await open();
      const sym = b.venue.symbol;
      const baseline = await snapshot(b, 'AccountReport', (id) => b.broker.queryAccount(id));
      expect(baseline).toMatchObject({ symbol: sym, position: 0 });
      await acked(b, order(b, 'acct-1', 'buy', 'market', 30));
      await fillsReach(b, 'acct-1', units(b, 30));
      const [now, again] = await Promise.all([
        snapshot(b, 'AccountReport', (id) => b.broker.queryAccount(id)),
        snapshot(b, 'AccountReport', (id) => b.broker.queryAccount(id)),
      ]);
      const cost = (cid: string) => of(b, 'FillReport', cid).reduce((s, f) => s + f.qty * f.price + f.fee, 0);
      for (const acct of [now, again]) {
        expect(acct).toMatchObject({ symbol: sym, position: units(b, 30), quote: baseline.quote - cost('acct-1') });
        if (acct.balances) expect(acct.balances.base.free + (acct.balances.base.locked ?? 0)).toBe(units(b, 30));
      }
      expect(now.requestId).not.toBe(again.requestId);
      // Selling 10 at the bid: the position falls, the proceeds come in.
      await acked(b, order(b, 'acct-2', 'sell', 'market', 10));
      await fillsReach(b, 'acct-2', units(b, 10));
      expect(of(b, 'FillReport', 'acct-2').map((f) => f.price)).toEqual([b.venue.prices.bid]);
      const proceeds = of(b, 'FillReport', 'acct-2').reduce((s, f) => s + f.qty * f.price - f.fee, 0);
      const sold = await snapshot(b, 'AccountReport', (id) => b.broker.queryAccount(id));
      expect(sold).toMatchObject({ position: units(b, 20), quote: baseline.quote - cost('acct-1') + proceeds });
    },
  },

  'an outage: the submit is of unknown outcome, and a lookup finds the order': {
    needs: [['market']],
    run: async (open) => {
      // Every request in the first 8 s reaches the venue, and its answer is lost: 300 ms later
      // the client gives up (the gateway drops the connection; the simulator says timed out).
      const b = await open({
        faults: ['{ kind: outage, from: PT0S, until: PT8S, mode: timeout_after, timeoutMs: 300 }'],
      });
      b.broker.submit(order(b, 'out-1', 'buy', 'market', 5));
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
      expect(found).toMatchObject({ status: 'filled', qty: units(b, 5), filledQty: units(b, 5) });
      expect(submitAnswers(b, 'out-1'), 'one answer to the submit').toHaveLength(1);
    },
  },

  'an outage: the cancel is of unknown outcome, and a lookup finds the order cancelled': {
    run: async (open) => {
      // From 2 s to 4 s every request reaches the venue and its answer is lost (300 ms timeout).
      const b = await open({
        faults: ['{ kind: outage, from: PT2S, until: PT4S, mode: timeout_after, timeoutMs: 300 }'],
      });
      const ack = await acked(b, order(b, 'oc-1', 'buy', 'limit', 5, { limitPrice: b.venue.prices.rest[0] }));
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
  },

  'lost stream events: the fill is found by lookup': {
    run: async (open) => {
      const b = await open({ faults: ['{ kind: lost_reports, from: PT0S, until: PT1H, probability: 1 }'] });
      const p = b.venue.prices;
      // A resting order filled after its answer by someone's sell through its price: only the
      // stream would tell of the fill (a venue that states fills in the submit's answer, as
      // Binance's FULL answer does, has none to state then), and the stream loses it.
      const ack = await acked(b, order(b, 'lost-1', 'buy', 'limit', 5, { limitPrice: p.inside }));
      b.marketTrade(p.belowInside, units(b, 50), 'sell');
      await b.settle();
      expect(of(b, 'FillReport', 'lost-1'), 'the stream lost the fill').toEqual([]);
      const st = await status(b, 'lost-1');
      expect(st).toMatchObject({
        venueOrderId: ack.venueOrderId,
        status: 'filled',
        qty: units(b, 5),
        filledQty: units(b, 5),
      });
      checkFillStatement(b, st, false);
      if (st.trades) expect(st.trades.map((t) => [t.qty, t.price])).toEqual([[units(b, 5), p.inside]]);
      else expect(st.avgPrice).toBeCloseTo(p.inside, 6);
    },
  },

  'stream reconnect: reported, and an order filled in the gap is listed': {
    needs: [['market']],
    run: async (open) => {
      const b = await open();
      const connections = () =>
        of(b, 'ConnectionReport')
          .filter((c) => c.stream === 'orders')
          .map((c) => c.state);
      expect(connections()).toEqual(['connected']);
      const since = b.now();
      b.dropStream?.();
      await b.until(() => connections().length >= 2 || null, 'the drop is reported');
      b.broker.submit(order(b, 'gap-1', 'buy', 'market', 5));
      await b.until(() => submitAnswers(b, 'gap-1')[0], 'the submit is answered');
      await b.until(() => connections().length >= 3 || null, 'the reconnect is reported');
      expect(connections()).toEqual(['connected', 'disconnected', 'connected']);
      const page = await snapshot(b, 'OrdersPageReport', (id) => b.broker.queryOrdersSince(since, 10, undefined, id));
      expect(page.orders).toEqual([
        expect.objectContaining({ clientOrderId: 'gap-1', status: 'filled', filledQty: units(b, 5) }),
      ]);
      // The stream delivers again after the reconnect.
      await acked(b, order(b, 'post-1', 'buy', 'market', 2));
      await fillsReach(b, 'post-1', units(b, 2));
    },
  },
} satisfies Record<string, ContractCase>;
