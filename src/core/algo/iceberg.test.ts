import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkIcebergParams, iceberg, type IcebergParams } from './iceberg.ts';
import type { AlgoChild, AlgoContext, PlaceIntent } from './intent-algorithm.ts';
import { TwapPlanError } from './twap-slicer.ts';

const base: IcebergParams = { displayMin: 10, displayMax: 10, checkEveryMs: 1000, end: 'complete' };

function ctx(over: {
  params?: Partial<IcebergParams>;
  children?: AlgoChild[];
  room?: number;
  side?: 'buy' | 'sell';
  limit?: number | null;
  trigger?: AlgoContext['trigger'];
  memo?: unknown;
  bid?: number | null;
  ask?: number | null;
  u?: number;
  minNotional?: number;
}): AlgoContext {
  return {
    now: 1000,
    trigger: over.trigger ?? 'start',
    child: null,
    parent: {
      id: 'p',
      symbol: 'X',
      side: over.side ?? 'buy',
      qty: 100,
      limitPrice: over.limit === undefined ? 1000 : over.limit,
      startTime: 0,
      endTime: 60_000,
      filledQty: 0,
      room: over.room ?? 100,
      minNotional: over.minNotional ?? 0,
      params: { ...base, ...over.params },
    },
    market: {
      bid: over.bid === undefined ? 990 : over.bid,
      ask: over.ask === undefined ? 994 : over.ask,
      bidQty: 5,
      askQty: 5,
    },
    children: over.children ?? [],
    memo: over.memo ?? null,
    random: () => over.u ?? 0.5,
  };
}

const child = (handle: number, status: string, price: number | null = 990): AlgoChild => ({
  handle,
  qty: 10,
  filledQty: status === 'filled' ? 10 : 0,
  status,
  open: !['filled', 'canceled', 'expired', 'rejected', 'failed'].includes(status),
  type: 'limit',
  price,
  placedAt: 0,
});

describe('iceberg', () => {
  it('displays one child at a time, between displayMin and displayMax, never above the room', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 50 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        fc.integer({ min: 1, max: 200 }),
        (min, span, u, room) => {
          const d = iceberg.decide(ctx({ params: { displayMin: min, displayMax: min + span }, u, room }));
          const place = d.intents?.[0] as PlaceIntent;
          expect(d.intents).toHaveLength(1);
          expect(place.qty).toBeLessThanOrEqual(Math.min(room, min + span));
          if (room >= min + span) expect(place.qty).toBeGreaterThanOrEqual(min);
          // A working child: nothing more is displayed.
          expect(
            iceberg.decide(
              ctx({ params: { displayMin: min, displayMax: min + span }, children: [child(1, 'accepted')] }),
            ),
          ).toEqual({});
        },
      ),
    );
  });

  it('shows with its child a remainder the venue would refuse on its own, never leaving it behind', () => {
    // The minimum is 10,000 ticks x lots: 10 lots at the limit of 1,000, 11 at the bid of 990.
    const qty = (over: Parameters<typeof ctx>[0]) =>
      (iceberg.decide(ctx({ minNotional: 10_000, ...over })).intents?.[0] as PlaceIntent).qty;
    expect(qty({ room: 15 })).toBe(15); // 10 shown would leave 5 (5,000)
    expect(qty({ room: 20 })).toBe(10); // leaves 10 (10,000): shown as drawn
    expect(qty({ room: 8 })).toBe(8); // all that is left: the runner decides what the venue takes
    expect(qty({ room: 20, params: { peg: { to: 'touch' } } })).toBe(20); // 10 at 990 (9,900) would be left
    expect(qty({ room: 21, params: { peg: { to: 'touch' } } })).toBe(10);
    expect(qty({ room: 15, minNotional: 0 })).toBe(10);
  });

  it('draws from the smallest display worth the minimum notional when its range reaches it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 50 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 0, max: 60_000 }),
        (min, span, u, limit, minNotional) => {
          const max = min + span;
          const room = 100_000_000; // room enough that no remainder rule applies
          const d = iceberg.decide(ctx({ params: { displayMin: min, displayMax: max }, u, room, limit, minNotional }));
          const { qty } = d.intents?.[0] as PlaceIntent;
          expect(qty).toBeLessThanOrEqual(max);
          expect(qty).toBeGreaterThanOrEqual(min);
          // A range that holds a display the venue accepts never draws one it refuses...
          if (max * limit >= minNotional) expect(qty * limit).toBeGreaterThanOrEqual(minNotional);
          // ...and one whose every display is accepted draws exactly as it always did.
          if (min * limit >= minNotional) expect(qty).toBe(min + (span > 0 ? Math.floor(u * (span + 1)) : 0));
          // A range that holds none is drawn as asked (its child is refused; the report warns).
          if (max * limit < minNotional) expect(qty).toBe(min + (span > 0 ? Math.floor(u * (span + 1)) : 0));
        },
      ),
    );
    // The minimum of 10,000 at the limit of 1,000 is 10 lots: a range of 5 to 20 draws from 10.
    const low = (u: number) =>
      (
        iceberg.decide(ctx({ params: { displayMin: 5, displayMax: 20 }, u, minNotional: 10_000 }))
          .intents?.[0] as PlaceIntent
      ).qty;
    expect([low(0), low(0.999999)]).toEqual([10, 20]);
  });

  it('replenishes at the limit once the displayed child has ended', () => {
    const d = iceberg.decide(ctx({ trigger: 'ended', children: [child(1, 'filled')], room: 90 }));
    expect(d.intents).toEqual([{ kind: 'place', qty: 10, type: 'limit', price: 1000 }]);
  });

  it('pegs to the touch, the mid or the far touch with its offset, never past the limit, and re-pegs', () => {
    const peg = (to: 'touch' | 'mid' | 'far', offsetTicks: number, side: 'buy' | 'sell' = 'buy') =>
      iceberg.decide(
        ctx({ side, limit: side === 'buy' ? 1000 : 900, params: { peg: { to, offsetTicks }, repegTicks: 2 } }),
      );
    expect(peg('touch', 1).intents).toEqual([
      { kind: 'place', qty: 10, type: 'limit', peg: { to: 'touch', offsetTicks: 1 } },
    ]);
    expect(peg('touch', 1).wakeAt).toBe(2000);
    // The peg moved 3 ticks from the child's price (bid 990, child at 993): cancelled to re-peg.
    const moved = iceberg.decide(
      ctx({ params: { peg: { to: 'touch' }, repegTicks: 3 }, children: [child(1, 'accepted', 993)] }),
    );
    expect(moved.intents).toEqual([{ kind: 'cancel', child: 1 }]);
    const still = iceberg.decide(
      ctx({ params: { peg: { to: 'touch' }, repegTicks: 3 }, children: [child(1, 'accepted', 992)] }),
    );
    expect(still.intents).toEqual([]);
    // No touch: it waits.
    expect(iceberg.decide(ctx({ bid: null, params: { peg: { to: 'touch' } } }))).toEqual({ wakeAt: 2000 });
  });

  it('at the horizon cancels its child, then sweeps what is left once (complete) or ends (stop)', () => {
    const open = [child(1, 'accepted')];
    expect(iceberg.decide(ctx({ trigger: 'end', children: open }))).toEqual({
      intents: [{ kind: 'cancel', child: 1 }],
      memo: { ending: true },
    });
    const ended = [child(1, 'canceled')];
    expect(iceberg.decide(ctx({ trigger: 'ended', children: ended, memo: { ending: true }, room: 40 }))).toEqual({
      intents: [{ kind: 'place', qty: 40, type: 'market' }],
      memo: { ending: true, swept: true },
      done: true,
    });
    expect(iceberg.decide(ctx({ trigger: 'end', children: open, params: { end: 'stop' } }))).toEqual({
      intents: [{ kind: 'cancel', child: 1 }],
      done: true,
      memo: { ending: true },
    });
  });

  it('refuses parameters it cannot run, naming the field', () => {
    const bad = (p: Partial<IcebergParams>, hasLimit = true): string | undefined => {
      try {
        checkIcebergParams({ ...base, ...p }, hasLimit);
        return undefined;
      } catch (err) {
        return (err as TwapPlanError).field;
      }
    };
    expect(bad({})).toBeUndefined();
    expect(bad({ displayMin: 0 })).toBe('displayMin');
    expect(bad({ displayMax: 5 })).toBe('displayMax');
    expect(bad({}, false)).toBe('peg');
    expect(bad({ repegTicks: 2 })).toBe('repegTicks');
  });
});
