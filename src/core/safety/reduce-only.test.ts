import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Side } from '../model/order.ts';
import {
  availableToClose,
  checkReduceOnly,
  effectivePosition,
  type OpenOrder,
  type VenueExposure,
} from './reduce-only.ts';

const RUNS = { numRuns: 300 };
const NOW = 100_000;
const buy = (qty: number): OpenOrder => ({ side: 'buy', qty });
const sell = (qty: number): OpenOrder => ({ side: 'sell', qty });
const at = (
  position: number | null,
  openOrders: readonly OpenOrder[] | null = [],
  observedAt: number | null = NOW,
): VenueExposure => ({ position, openOrders, observedAt });
const check = (side: Side, qty: number, exposure: VenueExposure | null) =>
  checkReduceOnly({ side, qty }, exposure, { now: NOW });

describe('reduce-only arithmetic', () => {
  it('effective position assumes every open order fills, signed for long, short and flat', () => {
    expect(effectivePosition(10, [sell(4), buy(5)])).toBe(11);
    expect(effectivePosition(-10, [buy(4), sell(5)])).toBe(-11);
    expect(effectivePosition(0, [buy(5), sell(2)])).toBe(3);
    expect(effectivePosition(0, [])).toBe(0);
  });

  it('available to close: |position| minus open reducing orders; open increasing orders make no room; flat is 0', () => {
    expect(availableToClose(10, [])).toBe(10);
    expect(availableToClose(10, [sell(4), buy(5)])).toBe(6);
    expect(availableToClose(-10, [buy(3), sell(50)])).toBe(7);
    expect(availableToClose(10, [sell(12)])).toBe(0);
    expect(availableToClose(0, [buy(5)])).toBe(0);
  });
});

describe('reduce-only denials', () => {
  it('allows an order that reduces without flipping', () => {
    expect(check('sell', 10, at(10))).toBeNull();
    expect(check('buy', 7, at(-10, [buy(3)]))).toBeNull();
  });

  it('flat: nothing to reduce, also with open orders', () => {
    const flat = {
      code: 'reduce-only-flat',
      reason: 'the venue position is flat: there is nothing to reduce (open orders are not a position), order denied',
      field: 'side',
    };
    expect(check('sell', 1, at(0))).toEqual(flat);
    expect(check('sell', 5, at(0, [buy(5)]))).toEqual(flat); // the available-to-close formula would allow this: a short if the buy is canceled
  });

  it('wrong side: an order that would increase the position', () => {
    expect(check('buy', 1, at(10))).toEqual({
      code: 'reduce-only-wrong-side',
      reason: 'the venue position is long 10: a buy would increase it; only a sell reduces it',
      field: 'side',
    });
    expect(check('sell', 1, at(-3))).toMatchObject({
      code: 'reduce-only-wrong-side',
      reason: 'the venue position is short 3: a sell would increase it; only a buy reduces it',
    });
    // long 10 with sells of 12 open: the effective position is -2 and the formula would allow a buy of 2
    expect(check('buy', 2, at(10, [sell(12)]))).toMatchObject({ code: 'reduce-only-wrong-side' });
  });

  it('larger than available: denied, not capped (it would flip)', () => {
    expect(check('sell', 11, at(10))).toEqual({
      code: 'reduce-only-exceeds-available',
      reason:
        'sell 11 is more than the 10 available to close (position 10, 0 already in open sell orders): it would flip the position',
      field: 'qty',
    });
    expect(check('sell', 7, at(10, [sell(4), buy(5)]))).toMatchObject({
      code: 'reduce-only-exceeds-available',
      reason: expect.stringContaining('6 available to close (position 10, 4 already in open sell orders)'),
    });
    expect(check('sell', 1, at(10, [sell(10)]))).toEqual({
      code: 'reduce-only-nothing-to-close',
      reason: 'the venue position 10 is already covered by open sell orders: nothing left to close',
      field: 'qty',
    });
  });

  it('fails closed when the venue cannot be asked or the answer is stale or malformed', () => {
    expect(check('sell', 1, null)).toMatchObject({ code: 'reduce-only-position-unknown' });
    expect(check('sell', 1, at(null))).toEqual({
      code: 'reduce-only-position-unknown',
      reason: 'the venue position is unknown (venue not reachable): reduce-only cannot be verified, order denied',
    });
    expect(check('sell', 1, at(10, null))).toMatchObject({ code: 'reduce-only-open-orders-unknown' });
    expect(check('sell', 1, at(10, [], null))).toMatchObject({ code: 'reduce-only-exposure-stale' });
    expect(check('sell', 1, at(10, [], NOW - 5_001))).toEqual({
      code: 'reduce-only-exposure-stale',
      reason: 'the venue position is 5001 ms old (limit 5000 ms): reduce-only cannot be verified, order denied',
    });
    expect(check('sell', 1, at(10, [], NOW - 5_000))).toBeNull();
    expect(
      checkReduceOnly({ side: 'sell', qty: 1 }, at(10, [], NOW - 60_000), { now: NOW, maxAgeMs: 60_000 }),
    ).toBeNull();
    expect(check('sell', 1, at(10.5))).toMatchObject({ code: 'reduce-only-exposure-invalid' });
    expect(check('sell', 1, at(10, [sell(-1)]))).toMatchObject({ code: 'reduce-only-exposure-invalid' });
    expect(check('sell', 0, at(10))).toMatchObject({ code: 'reduce-only-invalid-qty', field: 'qty' });
  });
});

describe('reduce-only properties', () => {
  const openOrders = fc.array(
    fc.record({ side: fc.constantFrom<Side>('buy', 'sell'), qty: fc.integer({ min: 0, max: 60 }) }),
    { maxLength: 8 },
  );
  const scenario = fc.record({
    position: fc.oneof(fc.integer({ min: -100, max: 100 }), fc.constant(0)),
    openOrders,
    side: fc.constantFrom<Side>('buy', 'sell'),
    qty: fc.integer({ min: 1, max: 200 }),
  });
  const signed = (o: OpenOrder) => (o.side === 'buy' ? o.qty : -o.qty);

  it('applying the allowed order plus all open orders never flips or grows the position', () => {
    fc.assert(
      fc.property(scenario, ({ position, openOrders, side, qty }) => {
        if (check(side, qty, at(position, openOrders)) !== null) return;
        const newSigned = side === 'buy' ? qty : -qty;
        const afterOpen = position + openOrders.reduce((s, o) => s + signed(o), 0);
        const after = afterOpen + newSigned;
        expect(position).not.toBe(0);
        expect(Math.sign(after) === Math.sign(position) || after === 0).toBe(true); // no flip
        expect(Math.abs(after)).toBeLessThan(Math.abs(afterOpen)); // the order only shrinks it
        expect(Math.abs(position + newSigned)).toBeLessThan(Math.abs(position)); // also with no open order filled
        expect(Math.abs(effectivePosition(position, openOrders) + newSigned)).toBeLessThanOrEqual(
          Math.abs(effectivePosition(position, openOrders)),
        ); // passes the available-to-close check too
      }),
      RUNS,
    );
  });

  it('for ANY partial fills of the open orders (in any order), the allowed order never flips or grows the position', () => {
    fc.assert(
      fc.property(
        scenario,
        fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 8, maxLength: 8 }),
        ({ position, openOrders, side, qty }, fillPct) => {
          if (check(side, qty, at(position, openOrders)) !== null) return;
          const newSigned = side === 'buy' ? qty : -qty;
          // fills: each open order filled by some share, the new order fully
          let p = position;
          openOrders.forEach((o, i) => {
            p += Math.sign(signed(o)) * Math.floor((o.qty * (fillPct[i] as number)) / 100);
          });
          const after = p + newSigned;
          expect(Math.sign(after) === Math.sign(position) || after === 0).toBe(true);
          expect(Math.abs(after)).toBeLessThan(Math.abs(p));
        },
      ),
      RUNS,
    );
  });

  it('is exactly: the reducing side, 1 <= qty <= |position| - open reducing qty', () => {
    fc.assert(
      fc.property(scenario, ({ position, openOrders, side, qty }) => {
        const reducing = position > 0 ? 'sell' : 'buy';
        const pending = openOrders.filter((o) => o.side === reducing).reduce((s, o) => s + o.qty, 0);
        const allowed = position !== 0 && side === reducing && qty <= Math.abs(position) - pending;
        expect(check(side, qty, at(position, openOrders)) === null).toBe(allowed);
      }),
      RUNS,
    );
  });

  it('fails closed: any unknown or stale part denies every order', () => {
    fc.assert(
      fc.property(
        scenario,
        fc.constantFrom('position', 'orders', 'time', 'stale'),
        ({ position, openOrders, side, qty }, broken) => {
          const e =
            broken === 'position'
              ? at(null, openOrders)
              : broken === 'orders'
                ? at(position, null)
                : broken === 'time'
                  ? at(position, openOrders, null)
                  : at(position, openOrders, NOW - 5_001);
          expect(check(side, qty, e)?.code).toMatch(
            /^reduce-only-(position-unknown|open-orders-unknown|exposure-stale)$/,
          );
        },
      ),
      RUNS,
    );
  });
});
