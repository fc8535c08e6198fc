// The P&L arithmetic (pnl-book.ts) over any sequence of fills, inventory, reference prices and
// marks: realized + unrealized is the cash the fills moved plus the position at the mark less
// what inventory was opened at (the accounting identity), and net is that less the fees; trades
// at one price marked there make nothing; average cost realizes against the average; the
// drawdown is never negative and never more than the curve's peak to trough; the exposure is the
// largest position at its mark.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PnlCurve, SymbolPnl } from './pnl-book.ts';

type Op =
  | { readonly kind: 'trade'; readonly qty: number; readonly price: number; readonly fee: number }
  | { readonly kind: 'inventory'; readonly qty: number }
  | { readonly kind: 'reference'; readonly price: number }
  | { readonly kind: 'mark'; readonly price: number };

const qty = fc.integer({ min: -50, max: 50 }).filter((q) => q !== 0);
const price = fc.integer({ min: 9_000, max: 11_000 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('trade' as const), qty, price, fee: fc.nat(30) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('inventory' as const), qty }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reference' as const), price }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('mark' as const), price }) },
);

function apply(b: SymbolPnl, o: Op): void {
  if (o.kind === 'trade') b.trade(o.qty, o.price, o.fee);
  else if (o.kind === 'inventory') b.inventory(o.qty);
  else if (o.kind === 'reference') b.setReference(o.price, 'arrival');
  else b.setMark(o.price, 'sample');
}

/** Equal up to the rounding of sums of products of this size. */
const close = (a: number, b: number): void => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(b)));

describe('P&L by average cost', () => {
  it('realized + unrealized = cash + position at the mark - inventory opened; net = that - fees', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40, size: 'max' }), price, (ops, last) => {
        const b = new SymbolPnl();
        let cash = 0;
        let fees = 0;
        let traded = 0;
        for (const o of ops) {
          apply(b, o);
          if (o.kind === 'trade') {
            cash -= o.qty * o.price;
            fees += o.fee;
            traded += Math.abs(o.qty * o.price);
          }
        }
        b.close(last, 'end');
        // Every inventory was opened at some price (the last mark at the latest).
        expect(b.pending).toBe(0);
        const position = ops.reduce((s, o) => s + (o.kind === 'trade' || o.kind === 'inventory' ? o.qty : 0), 0);
        expect(b.position).toBe(position);
        close(b.cash, cash);
        close(b.realized + b.unrealized(), cash + position * last - b.opened);
        close(b.equity(), cash + position * last - b.opened - fees);
        expect(b.fees).toBe(fees);
        close(b.turnover, traded);
      }),
      { numRuns: 500 },
    );
  });

  it('trades at one price, marked at that price, make nothing but their fees; flat, nothing at all', () => {
    fc.assert(
      fc.property(fc.array(qty, { minLength: 1, maxLength: 30, size: 'max' }), price, fc.boolean(), (qtys, p, flat) => {
        const b = new SymbolPnl();
        for (const q of qtys) b.trade(q, p, 0);
        const open = qtys.reduce((s, q) => s + q, 0);
        if (flat && open !== 0) b.trade(-open, p, 0);
        b.setMark(p, 'sample');
        close(b.realized, 0);
        close(b.unrealized(), 0);
        close(b.equity(), 0);
        if (flat) expect(b.position).toBe(0);
      }),
    );
  });

  it('realizes against the average cost, and reopens past flat at the fill price', () => {
    const b = new SymbolPnl();
    b.trade(2, 100, 0);
    b.trade(2, 110, 0);
    expect(b.cost).toBe(105);
    b.trade(-1, 120, 1);
    expect(b.realized).toBe(15);
    expect(b.position).toBe(3);
    b.trade(-5, 90, 0); // closes 3 at 90 (-45), opens 2 short at 90
    expect(b.realized).toBe(-30);
    expect(b.position).toBe(-2);
    expect(b.cost).toBe(90);
    b.setMark(80, 'sample');
    expect(b.unrealized()).toBe(20);
    expect(b.equity()).toBe(-30 + 20 - 1);
    expect(b.exposure()).toBe(160);
  });

  it('opens inventory at the reference price, or at the first price once there is one', () => {
    const b = new SymbolPnl();
    b.inventory(3); // no price yet: waits
    expect(b.position).toBe(0);
    b.setReference(100, 'arrival');
    expect([b.position, b.cost, b.opened, b.equity()]).toEqual([3, 100, 300, 0]);
    b.inventory(-1); // reconciliation took one away at the reference: realizes nothing
    expect([b.position, b.realized]).toEqual([2, 0]);
    const c = new SymbolPnl();
    c.inventory(2);
    c.trade(1, 50, 0); // the first price: the inventory opens at the fill's
    expect([c.position, c.cost, c.opened]).toEqual([3, 50, 100]);
  });

  it('drawdown is >= 0 and at most the curve from its highest to its lowest point; exposure is its largest position at the mark', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('A', 'B'), op), { maxLength: 40, size: 'max' }), (ops) => {
        const curve = new PnlCurve((s) => (s === 'B' ? 10 : 1));
        const equity: number[] = [0];
        const gross: number[] = [0];
        for (const [symbol, o] of ops) {
          apply(curve.book(symbol), o);
          equity.push(curve.observe(symbol));
          let g = 0;
          for (const [s, b] of curve.books) g += b.exposure() * (s === 'B' ? 10 : 1);
          gross.push(g);
        }
        expect(curve.maxDrawdown).toBeGreaterThanOrEqual(0);
        expect(curve.maxDrawdown).toBeLessThanOrEqual(Math.max(...equity) - Math.min(...equity) + 1e-6);
        // The drawdown is the largest fall from a running peak, exactly.
        let peak = -Infinity;
        let fall = 0;
        for (const e of equity) {
          peak = Math.max(peak, e);
          fall = Math.max(fall, peak - e);
        }
        close(curve.maxDrawdown, fall);
        close(curve.maxGrossExposure, Math.max(...gross));
        for (const s of ['A', 'B']) {
          const own = curve.extremesOf(s);
          expect(own.maxDrawdown).toBeGreaterThanOrEqual(0);
          expect(own.maxExposure).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 300 },
    );
  });
});
