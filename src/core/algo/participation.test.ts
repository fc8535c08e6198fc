import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  participationSlice,
  participationTarget,
  ParticipationTarget,
  type ParticipationParams,
} from './participation.ts';

const params = (o: Partial<ParticipationParams> = {}): ParticipationParams => ({
  rate: 0.1,
  maxRate: null,
  minChildQty: 0,
  end: 'complete',
  ...o,
});

const arbParams = fc
  .record({
    rate: fc.integer({ min: 1, max: 100 }).map((p) => p / 100),
    maxRate: fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }),
    minChildQty: fc.integer({ min: 0, max: 50 }),
    end: fc.constantFrom<'complete' | 'stop'>('complete', 'stop'),
  })
  .map((p) => ({ ...p, maxRate: p.maxRate === null ? null : Math.min(1, p.rate + p.maxRate / 100) }));

describe('participationTarget', () => {
  it('is the floor of the share of the volume, exact where the float product is not', () => {
    expect(participationTarget(params({ rate: 0.1 }), 1_000, 30)).toBe(3);
    expect(participationTarget(params({ rate: 0.07 }), 1_000, 300)).toBe(21);
    expect(participationTarget(params({ rate: 0.25 }), 1_000, 7)).toBe(1);
    expect(participationTarget(params({ rate: 0.5 }), 10, 1_000)).toBe(10);
    expect(participationTarget(params(), 10, -5)).toBe(0);
  });
});

describe('participationSlice', () => {
  it('sends what the parent is behind its share, capped by the max rate, held back below the minimum child', () => {
    expect(
      participationSlice(params(), { qty: 100, committed: 2, marketVolume: 50, sinceLast: 30, last: false }),
    ).toEqual({ qty: 3 });
    expect(
      participationSlice(params({ maxRate: 0.05 }), {
        qty: 100,
        committed: 0,
        marketVolume: 50,
        sinceLast: 20,
        last: false,
      }),
    ).toEqual({ qty: 1 });
    expect(
      participationSlice(params({ minChildQty: 4 }), {
        qty: 100,
        committed: 2,
        marketVolume: 50,
        sinceLast: 30,
        last: false,
      }),
    ).toHaveProperty('skip');
    expect(
      participationSlice(params(), { qty: 100, committed: 5, marketVolume: 50, sinceLast: 30, last: false }),
    ).toHaveProperty('skip');
    // At the end: complete sends all that remains; stop sends only the tape's share.
    expect(
      participationSlice(params(), { qty: 100, committed: 5, marketVolume: 50, sinceLast: 0, last: true }),
    ).toEqual({ qty: 95 });
    expect(
      participationSlice(params({ end: 'stop' }), {
        qty: 100,
        committed: 2,
        marketVolume: 50,
        sinceLast: 5,
        last: true,
      }),
    ).toEqual({ qty: 3 });
  });

  it('says where a share below the minimum child goes: to the next slice, or, at the last, nowhere', () => {
    const state = { qty: 100, committed: 2, marketVolume: 50, sinceLast: 30 };
    const p = params({ minChildQty: 4, end: 'stop' });
    expect(participationSlice(p, { ...state, last: false })).toEqual({
      skip: '3 lots owed, below the minimum child of 4: carried to the next slice',
    });
    expect(participationSlice(p, { ...state, last: true })).toEqual({
      skip: '3 lots owed, below the minimum child of 4: left unsent, no slice after it to carry it to',
    });
  });

  it('property: never more than remains, never past the share (but a completing last slice), never above the max rate, never below the minimum child but the rest', () => {
    fc.assert(
      fc.property(
        arbParams,
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 200_000 }),
        fc.integer({ min: 0, max: 200_000 }),
        fc.boolean(),
        (p, qty, committedRaw, marketVolume, sinceLastRaw, last) => {
          const committed = Math.min(qty, committedRaw);
          const sinceLast = Math.min(marketVolume, sinceLastRaw);
          const r = participationSlice(p, { qty, committed, marketVolume, sinceLast, last });
          const remaining = qty - committed;
          if ('skip' in r) {
            expect(r.skip.length).toBeGreaterThan(0);
            if (last && p.end === 'complete') expect(remaining).toBe(0);
            return;
          }
          expect(r.qty).toBeGreaterThan(0);
          expect(r.qty).toBeLessThanOrEqual(remaining);
          if (last && p.end === 'complete') {
            expect(r.qty).toBe(remaining);
            return;
          }
          expect(committed + r.qty).toBeLessThanOrEqual(participationTarget(p, qty, marketVolume));
          if (p.maxRate !== null) expect(r.qty).toBeLessThanOrEqual(Math.floor(p.maxRate * sinceLast + 1e-9));
          if (r.qty < p.minChildQty) expect(r.qty).toBe(remaining);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('property: over a tape whose every child fills at once, the parent tracks its share within one minimum child and a lot', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }).map((p) => p / 100),
        fc.integer({ min: 0, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 120, size: 'max' }),
        (rate, minChildQty, trades) => {
          const qty = 1_000_000; // never reached: the share is what is tested
          let t = 0;
          let tape = 0; // everyone's lots, ours included, as a venue's tape counts them
          let ours = 0;
          const target = new ParticipationTarget(params({ rate, minChildQty, end: 'stop' }), 0, {
            volume: () => tape,
            ourFilled: () => ours,
          });
          for (const lots of trades) {
            t += 1_000;
            tape += lots;
            const slice = target.size(qty, ours, false, t);
            if ('qty' in slice) {
              ours += slice.qty;
              tape += slice.qty; // our child printed on the tape too
            }
            // Checked after each of up to 120 trades: expect is called only on a mismatch.
            const share = Math.floor(rate * (tape - ours) + 1e-9);
            if (!(ours <= share)) expect(ours).toBeLessThanOrEqual(share);
            if (!(share - ours < Math.max(minChildQty, 1))) expect(share - ours).toBeLessThan(Math.max(minChildQty, 1));
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
