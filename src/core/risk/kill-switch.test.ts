import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KillSwitchChanged } from '../model/events.ts';
import type { Side } from '../model/order.ts';
import { KillSwitch, type Exposure } from './kill-switch.ts';

function reducing(): KillSwitch {
  const ks = new KillSwitch(() => {});
  ks.set('reducing', 'risk-desk', 'reduce only');
  return ks;
}
const exp =
  (position: number, working: Array<{ side: Side; qty: number }> = []) =>
  (): Exposure => ({ position, working });

describe('kill switch', () => {
  it('needs an actor and a reason, logs each change and is rebuilt from the log', () => {
    const events: KillSwitchChanged[] = [];
    const ks = new KillSwitch((e) => events.push(e));
    expect(() => ks.set('halted', '', 'x')).toThrow('actor and a reason');
    ks.set('halted', 'ops', 'venue incident');
    expect(events).toEqual([{ kind: 'KillSwitchChanged', state: 'halted', actor: 'ops', reason: 'venue incident' }]);
    const rebuilt = new KillSwitch(() => {});
    for (const e of events) rebuilt.apply(e);
    expect(rebuilt.state).toBe('halted');
  });

  it('halted blocks every order; active blocks none', () => {
    const ks = new KillSwitch(() => {});
    expect(ks.blocks('buy', 1, exp(0))).toBeNull();
    ks.set('halted', 'ops', 'stop');
    expect(ks.blocks('sell', 1, exp(10))).toBe('kill switch halted');
  });

  it('reducing lets through only the side that reduces, and only up to the position', () => {
    const ks = reducing();
    expect(ks.blocks('sell', 5, exp(0))).toMatch(/flat/);
    expect(ks.blocks('buy', 1, exp(10))).toMatch(/would increase/);
    expect(ks.blocks('sell', 1, exp(-10))).toMatch(/would increase/);
    expect(ks.blocks('sell', 10, exp(10))).toBeNull(); // closing exactly is reducing
    expect(ks.blocks('buy', 4, exp(-10))).toBeNull();
    expect(ks.blocks('sell', 11, exp(10))).toMatch(/more than the position/);
  });

  it('reducing counts working orders on the reducing side: two sells of 40 against a long 50', () => {
    const ks = reducing();
    expect(ks.blocks('sell', 40, exp(50))).toBeNull();
    expect(ks.blocks('sell', 40, exp(50, [{ side: 'sell', qty: 40 }]))).toMatch(/40 lots already working/);
    expect(ks.blocks('sell', 10, exp(50, [{ side: 'sell', qty: 40 }]))).toBeNull();
    // A working order that adds exposure may never fill: it makes no room to close.
    expect(ks.blocks('sell', 60, exp(50, [{ side: 'buy', qty: 20 }]))).toMatch(/more than the position/);
  });

  it('names quantities in the units it is given', () => {
    const ks = reducing();
    const btc = (lots: number) => `${(lots / 100_000).toString()} BTC`;
    expect(ks.blocks('buy', 1, exp(50_000), btc)).toBe(
      'kill switch reducing: a buy would increase the position of 0.5 BTC',
    );
    expect(ks.blocks('sell', 40_000, exp(50_000, [{ side: 'sell', qty: 40_000 }]), btc)).toBe(
      'kill switch reducing: sell 0.4 BTC with 0.4 BTC already working would close more than the position of 0.5 BTC',
    );
  });

  it('reads the exposure only in reducing mode', () => {
    const ks = new KillSwitch(() => {});
    const never = (): Exposure => {
      throw new Error('exposure read');
    };
    expect(ks.blocks('buy', 1, never)).toBeNull();
    ks.set('halted', 'ops', 'stop');
    expect(ks.blocks('buy', 1, never)).toBe('kill switch halted');
  });

  // Whatever the switch lets through in reducing mode, under any interleaving of new orders,
  // partial fills and cancels, the position never changes sign and never grows.
  it('property: in reducing mode no mix of orders, fills and cancels flips or grows the position', () => {
    type Op =
      | { kind: 'order'; side: Side; qty: number }
      | { kind: 'fill'; pick: number; frac: number }
      | { kind: 'cancel'; pick: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({
        kind: fc.constant('order' as const),
        side: fc.constantFrom<Side>('buy', 'sell'),
        qty: fc.integer({ min: 1, max: 120 }),
      }),
      fc.record({
        kind: fc.constant('fill' as const),
        pick: fc.nat(),
        frac: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
      fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.integer({ min: -100, max: 100 }), fc.array(op, { maxLength: 40, size: 'max' }), (start, ops) => {
        const ks = reducing();
        let position = start;
        const working: Array<{ side: Side; qty: number }> = [];
        for (const o of ops) {
          if (o.kind === 'order') {
            if (
              ks.blocks(o.side, o.qty, () => ({ position, working: working.map((w) => ({ ...w })) }), String) === null
            )
              working.push({ side: o.side, qty: o.qty });
          } else if (working.length > 0) {
            const i = o.pick % working.length;
            const w = working[i] as { side: Side; qty: number };
            if (o.kind === 'cancel') working.splice(i, 1);
            else {
              const q = Math.max(1, Math.round(w.qty * o.frac));
              position += w.side === 'buy' ? q : -q;
              w.qty -= q;
              if (w.qty === 0) working.splice(i, 1);
            }
          }
          expect(Math.abs(position)).toBeLessThanOrEqual(Math.abs(start));
          expect(Math.sign(position) * Math.sign(start)).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });
});
