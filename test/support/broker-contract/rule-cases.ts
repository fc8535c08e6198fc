// The broker contract's cases about what a venue's rules refuse: an order below the instrument's
// minimum notional, and a post-only order (refused as unsupported where the venue has none; where
// it has one, refused when it would take and resting otherwise). Each answer carries the code the
// rules table gives the refusal, and a refused order leaves nothing behind at the venue.
import { expect } from 'vitest';
import { refusal, type RefusalReason } from '../../../src/core/venues/venue-rules.ts';
import type { Backend } from './backend.ts';
import type { ContractCase } from './contract-case.ts';
import { acked, lookup, of, order, status, submitted } from './contract-steps.ts';
import { fixtureInstrument } from './contract-venue.ts';

/** Sends `o`, expects its refusal for `reason`, and that the venue has no such order. */
async function refusedFor(b: Backend, o: Parameters<Backend['broker']['submit']>[0], reason: RefusalReason) {
  const answer = await submitted(b, o);
  expect(answer).toMatchObject({
    kind: 'RejectReport',
    clientOrderId: o.clientOrderId,
    code: refusal(b.venue.rules, reason).code,
  });
  await b.settle();
  expect(of(b, 'FillReport', o.clientOrderId)).toEqual([]);
  expect(await lookup(b, o.clientOrderId)).toMatchObject({ kind: 'OrderNotFoundReport' });
}

export const RULE_CASES = {
  'an order below the minimum notional is refused with its code': {
    run: async (open) => {
      const b = await open();
      // One lot at a price that leaves it a notional step short of the minimum (or lower).
      const min = fixtureInstrument(b.venue).minNotionalUnits;
      expect(min, 'the instrument has a minimum above one notional step').toBeGreaterThan(1);
      const price = Math.min(b.venue.prices.rest[0], min - 1);
      const small = { ...order(b, 'tiny-1', 'buy', 'limit', 1, { limitPrice: price }), qty: 1 };
      await refusedFor(b, small, 'below-min-notional');
      // One unit at the same venue is taken: the unit clears the minimum.
      await acked(b, order(b, 'unit-1', 'buy', 'limit', 1, { limitPrice: b.venue.prices.rest[0] }));
    },
  },

  'a post-only order: refused where the venue has none, else refused only when it would take': {
    run: async (open) => {
      const b = await open();
      const p = b.venue.prices;
      const postOnly = (id: string, limitPrice: number) => ({
        ...order(b, id, 'buy', 'limit', 1, { limitPrice }),
        postOnly: true,
      });
      if (!b.venue.rules.postOnly.supported) {
        await refusedFor(b, postOnly('po-rest', p.rest[0]), 'unsupported-order-type');
        return;
      }
      await refusedFor(b, postOnly('po-take', p.ask), 'post-only-would-take');
      const ack = await acked(b, postOnly('po-rest', p.rest[0]));
      await b.settle();
      expect(await status(b, 'po-rest')).toMatchObject({ venueOrderId: ack.venueOrderId, status: 'new', filledQty: 0 });
    },
  },
} satisfies Record<string, ContractCase>;
