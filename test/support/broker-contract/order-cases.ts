// The broker contract's cases about orders: acknowledgement, fills against the book, cancels and
// the cancel-versus-fill race, duplicate client ids, rate limits and IOC remainders. Quantities
// are in the venue's units and prices are the venue's declared ones (contract-venue.ts); where
// venues differ, a case reads the difference from the rules (venueDifferences).
import { expect } from 'vitest';
import { clientOrderId } from '../../../src/core/model/ids.ts';
import type { AckReport, CancelRejectReport, VenueMessage } from '../../../src/core/model/reports.ts';
import { refusal } from '../../../src/core/venues/venue-rules.ts';
import type { Backend } from './backend.ts';
import type { ContractCase } from './contract-case.ts';
import {
  acked,
  cancelAnswers,
  checkFillStatement,
  filledQty,
  fillsReach,
  lookup,
  of,
  order,
  snapshot,
  status,
  submitAnswers,
  submitted,
  units,
} from './contract-steps.ts';
import { venueDifferences } from './contract-venue.ts';

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
  expect(answer.kind).toBe('CancelRejectReport');
  expect(venueDifferences(b.venue.rules).finishedCancelFailures).toContain((answer as CancelRejectReport).failure);
  expect(st.status).toBe('filled');
  expect(fills).toBe(qty);
  return 'filled';
}

/** A buy of 10 resting alone inside the spread: a sell trade there reaches it first. */
async function restingInsideSpread(b: Backend, cid: string): Promise<AckReport> {
  return acked(b, order(b, cid, 'buy', 'limit', 10, { limitPrice: b.venue.prices.inside }));
}

export const ORDER_CASES = {
  'submit is acknowledged': {
    run: async (open) => {
      const b = await open();
      const before = b.reports.length;
      b.broker.submit(order(b, 'ack-1', 'buy', 'limit', 5, { limitPrice: b.venue.prices.rest[0] }));
      // Answers come through the handler later, never inside the command.
      expect(b.reports.length).toBe(before);
      const ack = await b.until(() => submitAnswers(b, 'ack-1')[0], 'the submit is answered');
      expect(ack).toMatchObject({ kind: 'AckReport', clientOrderId: 'ack-1' });
      expect((ack as AckReport).venueOrderId).toMatch(/\S/);
      await b.settle();
      expect(submitAnswers(b, 'ack-1'), 'exactly one answer').toHaveLength(1);
      expect(of(b, 'FillReport', 'ack-1')).toEqual([]); // it rests below the ask
      const st = await status(b, 'ack-1');
      expect(st).toMatchObject({
        venueOrderId: (ack as AckReport).venueOrderId,
        status: 'new',
        qty: units(b, 5),
        filledQty: 0,
      });
    },
  },

  'a market order fills': {
    needs: [['market']],
    run: async (open) => {
      const b = await open();
      const t0 = b.now();
      const ack = await acked(b, order(b, 'mkt-1', 'buy', 'market', 5));
      await fillsReach(b, 'mkt-1', units(b, 5));
      await b.settle();
      const fills = of(b, 'FillReport', 'mkt-1');
      expect(filledQty(b, 'mkt-1'), 'fills add up to the order, never more').toBe(units(b, 5));
      expect(new Set(fills.map((f) => f.tradeId)).size).toBe(fills.length);
      for (const f of fills) {
        expect(f.venueOrderId).toBe(ack.venueOrderId);
        expect(f.tradeId).toMatch(/\S/);
        expect(Number.isInteger(f.qty) && f.qty > 0).toBe(true);
        expect(f.price).toBe(b.venue.prices.ask); // ticks: the best ask
        expect(Number.isFinite(f.fee) && f.fee >= 0).toBe(true);
        expect(f.liquidity).toBe('taker');
        expect(f.venueTime).toBeGreaterThanOrEqual(t0 - 60_000);
        expect(f.venueTime).toBeLessThanOrEqual(b.now() + 60_000);
      }
    },
  },

  'an order larger than the top level fills in several executions': {
    needs: [['market']],
    run: async (open) => {
      const b = await open();
      const p = b.venue.prices;
      // 30 against 10 at the ask and 100 at the next level: two executions, in price order.
      await acked(b, order(b, 'big-1', 'buy', 'market', 30));
      await fillsReach(b, 'big-1', units(b, 30));
      // 100 at the next level against the 80 left there: 80 fill, 20 rest.
      await acked(b, order(b, 'part-1', 'buy', 'limit', 100, { limitPrice: p.ask2 }));
      await fillsReach(b, 'part-1', units(b, 80));
      await b.settle();
      expect(of(b, 'FillReport', 'big-1').map((f) => [f.qty, f.price])).toEqual([
        [units(b, 10), p.ask],
        [units(b, 20), p.ask2],
      ]);
      expect(of(b, 'FillReport', 'part-1').map((f) => [f.qty, f.price])).toEqual([[units(b, 80), p.ask2]]);
      const st = await status(b, 'part-1');
      expect(st).toMatchObject({
        status: 'partially_filled',
        qty: units(b, 100),
        filledQty: units(b, 80),
        limitPrice: p.ask2,
      });
      checkFillStatement(b, st);
    },
  },

  'a resting limit order is cancelled': {
    run: async (open) => {
      const b = await open();
      const rest = b.venue.prices.rest;
      const ack = await acked(b, order(b, 'c-1', 'buy', 'limit', 5, { limitPrice: rest[0] }));
      await acked(b, order(b, 'c-2', 'buy', 'limit', 3, { limitPrice: rest[1] }));
      await acked(b, order(b, 'keep', 'buy', 'limit', 2, { limitPrice: rest[2] }));
      b.broker.cancel(clientOrderId('c-1'), ack.venueOrderId); // with the venue's id
      b.broker.cancel(clientOrderId('c-2'), null); // by client id alone
      for (const cid of ['c-1', 'c-2'])
        await b.until(() => cancelAnswers(b, cid)[0], `the cancel of ${cid} is answered`);
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
  },

  'a cancel of a finished or unknown order is refused with its class': {
    needs: [['market']],
    run: async (open) => {
      const b = await open();
      const ack = await acked(b, order(b, 'fin-1', 'buy', 'market', 1));
      await fillsReach(b, 'fin-1', units(b, 1));
      b.broker.cancel(clientOrderId('ghost'), null);
      const ghost = await b.until(() => cancelAnswers(b, 'ghost')[0], 'the cancel of an unknown order is answered');
      expect(ghost).toMatchObject({ kind: 'CancelRejectReport', failure: 'not_found' });
      b.broker.cancel(clientOrderId('fin-1'), ack.venueOrderId);
      const refused = await b.until(() => cancelAnswers(b, 'fin-1')[0], 'the cancel of a filled order is answered');
      // The order exists and is finished: not cancelable, which is not "no such order", where the
      // venue's rules say so; where the venue answers it as an unknown order (Binance), not_found
      // as it says, or not_cancelable from an adapter that looked the order up.
      expect(refused.kind).toBe('CancelRejectReport');
      expect(venueDifferences(b.venue.rules).finishedCancelFailures).toContain((refused as CancelRejectReport).failure);
      expect((await status(b, 'fin-1')).status).toBe('filled');
    },
  },

  'a second cancel of a cancelled order: the same answer with or without the venue id': {
    run: async (open) => {
      const b = await open();
      const ack = await acked(b, order(b, 'twice', 'buy', 'limit', 5, { limitPrice: b.venue.prices.rest[0] }));
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
      // The order exists (it is cancelled): done (a CancelReport), or refused as finished, never
      // "no such order" where the venue tells a finished order from an unknown one (where it does
      // not, not_found is its word), never "ask again". Core may or may not have seen the ack, so
      // the answer must not depend on it.
      if (byVenueId.kind !== 'CancelReport') {
        expect(byVenueId.kind).toBe('CancelRejectReport');
        expect(venueDifferences(b.venue.rules).finishedCancelFailures).toContain(
          (byVenueId as CancelRejectReport).failure,
        );
      }
      expect(byClientId, 'the same answer by client id alone').toEqual(
        byVenueId.kind === 'CancelRejectReport'
          ? expect.objectContaining({ kind: byVenueId.kind, failure: byVenueId.failure })
          : byVenueId,
      );
      expect((await status(b, 'twice')).status).toBe('canceled');
    },
  },

  'cancel versus fill: the fill wins': {
    run: async (open) => {
      const b = await open();
      const ack = await restingInsideSpread(b, 'race-1');
      b.broker.cancel(clientOrderId('race-1'), ack.venueOrderId);
      // Through our price while the cancel travels: all 10 fill.
      b.marketTrade(b.venue.prices.belowInside, units(b, 50), 'sell');
      expect(await raceOutcome(b, 'race-1', units(b, 10))).toBe('filled');
    },
  },

  'cancel versus fill: a partial fill, then the cancel': {
    run: async (open) => {
      const b = await open();
      const ack = await restingInsideSpread(b, 'race-2');
      b.broker.cancel(clientOrderId('race-2'), ack.venueOrderId);
      b.marketTrade(b.venue.prices.inside, units(b, 4), 'sell'); // at our price, nobody ahead: 4 of 10 fill
      expect(await raceOutcome(b, 'race-2', units(b, 10))).toBe('filled-then-canceled');
      expect(filledQty(b, 'race-2')).toBe(units(b, 4));
    },
  },

  'cancel versus fill: the cancel wins': {
    run: async (open) => {
      const b = await open();
      await restingInsideSpread(b, 'race-3');
      b.broker.cancel(clientOrderId('race-3'), null);
      await b.until(() => cancelAnswers(b, 'race-3')[0], 'the cancel is answered');
      b.marketTrade(b.venue.prices.belowInside, units(b, 50), 'sell'); // too late: the order is gone
      expect(await raceOutcome(b, 'race-3', units(b, 10))).toBe('canceled');
    },
  },

  'a duplicate client id is refused': {
    needs: [['market']],
    run: async (open) => {
      const b = await open();
      const rest = b.venue.prices.rest;
      const first = await acked(b, order(b, 'dup-1', 'buy', 'limit', 5, { limitPrice: rest[0] }));
      const code = refusal(b.venue.rules, 'duplicate-client-id').code;
      // While the first is open...
      const again = await submitted(b, order(b, 'dup-1', 'buy', 'limit', 7, { limitPrice: rest[1] }));
      expect(again).toMatchObject({ kind: 'RejectReport', clientOrderId: 'dup-1', code });
      // ...and after it is finished: refused where client ids are unique forever (Alpaca), a new
      // order where they are unique among open orders only (Binance).
      b.broker.cancel(clientOrderId('dup-1'), first.venueOrderId);
      await b.until(() => of(b, 'CancelReport', 'dup-1')[0], 'the first order is cancelled');
      const later = await submitted(b, order(b, 'dup-1', 'buy', 'market', 1));
      if (venueDifferences(b.venue.rules).reusesFinishedClientIds) {
        expect(later).toMatchObject({ kind: 'AckReport', clientOrderId: 'dup-1' });
        expect((later as AckReport).venueOrderId).not.toBe(first.venueOrderId);
        await fillsReach(b, 'dup-1', units(b, 1));
        await b.settle();
        expect(submitAnswers(b, 'dup-1').map((m) => m.kind)).toEqual(['AckReport', 'RejectReport', 'AckReport']);
        expect(filledQty(b, 'dup-1'), 'only the new order filled').toBe(units(b, 1));
        // The id now names the new order; the refused one changed nothing.
        expect(await status(b, 'dup-1')).toMatchObject({
          venueOrderId: (later as AckReport).venueOrderId,
          status: 'filled',
          qty: units(b, 1),
          filledQty: units(b, 1),
        });
        return;
      }
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
        qty: units(b, 5),
        filledQty: 0,
        limitPrice: rest[0],
      });
    },
  },

  'a rate-limited submit is refused as transient and creates nothing': {
    needs: [['market']],
    run: async (open) => {
      const b = await open({ faults: ['{ kind: rate_limit, from: PT0S, until: PT1H, scope: orders }'] });
      const answer = await submitted(b, order(b, 'rl-1', 'buy', 'market', 5));
      expect(answer).toMatchObject({
        kind: 'RetryableRejectReport',
        clientOrderId: 'rl-1',
        code: refusal(b.venue.rules, 'rate-limited').code,
      });
      expect(refusal(b.venue.rules, 'rate-limited').failure).toBe('transient');
      // Not processed: nothing exists, nothing filled, and reads still work.
      expect(await lookup(b, 'rl-1')).toMatchObject({ kind: 'OrderNotFoundReport' });
      const acct = await snapshot(b, 'AccountReport', (id) => b.broker.queryAccount(id));
      expect(acct.position).toBe(0);
      expect(submitAnswers(b, 'rl-1')).toHaveLength(1);
      expect(of(b, 'FillReport', 'rl-1')).toEqual([]);
    },
  },

  "an IOC order's unfilled rest ends the order": {
    needs: [['limit', 'IOC']],
    run: async (open) => {
      const b = await open();
      // 30 at the ask, IOC: the 10 there fill, the other 20 end with the order.
      await acked(b, order(b, 'ioc-1', 'buy', 'limit', 30, { limitPrice: b.venue.prices.ask, tif: 'IOC' }));
      await fillsReach(b, 'ioc-1', units(b, 10));
      // The venue says the rest is gone, once: expired (the simulator) or canceled (Alpaca
      // cancels IOC remainders); the lookup says the same, with the 10 filled.
      const ended = () => [...of(b, 'ExpiredReport', 'ioc-1'), ...of(b, 'CancelReport', 'ioc-1')];
      await b.until(() => ended()[0], 'the end of the IOC order is reported');
      await b.settle();
      expect(ended()).toHaveLength(1);
      const st = await status(b, 'ioc-1');
      expect(st).toMatchObject({
        qty: units(b, 30),
        filledQty: units(b, 10),
        status: ended()[0]?.kind === 'ExpiredReport' ? 'expired' : 'canceled',
      });
      checkFillStatement(b, st);
      expect(filledQty(b, 'ioc-1')).toBe(units(b, 10));
    },
  },
} satisfies Record<string, ContractCase>;
