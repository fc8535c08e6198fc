// What the ledger follows of commissions (order-ledger.ts): a commission without a value is one
// CommissionUnvalued per execution, however many reports carry it (a fill push, a lookup listing
// the trades, an execution matched against an inferred fill); base lots the venue kept come off
// the position the venue should show, in whole lots as the venue's balance reads (rounded half
// up), and nothing else: the traded position and cash stay the fills' and the fees'.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { EventLog } from '../log/event-log.ts';
import type { CommissionUnvalued, ExecEvent } from '../model/events.ts';
import { clientOrderId, parentOrderId, tradeId, venueOrderId } from '../model/ids.ts';
import type { Side } from '../model/order.ts';
import type { ReportedTrade, TradeCommission } from '../model/reports.ts';
import { OrderLedger } from './order-ledger.ts';

const T0 = Date.UTC(2024, 7, 9);

const commission: fc.Arbitrary<TradeCommission | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constant({ asset: 'USDT', amount: '0.1' }),
  // Base lots kept: a fraction of a lot, or a few lots (Binance: 8 decimals of BTC).
  fc.integer({ min: 1, max: 500 }).map((n) => ({ asset: 'BTC', amount: (n / 1e8).toFixed(8), baseLots: n / 1000 })),
  fc.constant({ asset: 'BNB', amount: '0.0002', valuedAt: { price: '600', source: 'ticker' as const } }),
  fc.integer({ min: 1, max: 99 }).map((n) => ({ asset: 'BNB', amount: `0.000${n}`, unvalued: true as const })),
);
const trade = fc.record({
  qty: fc.integer({ min: 1, max: 5 }),
  price: fc.integer({ min: 9_000, max: 11_000 }),
  fee: fc.integer({ min: 0, max: 50 }),
  commission,
});
/** How the venue tells the order's trades: pushes, a lookup listing them, both, or a lookup
 *  stating only the cumulative (an inferred fill) before the pushes. */
const order = fc.record({
  side: fc.constantFrom<Side>('buy', 'sell'),
  trades: fc.array(trade, { minLength: 0, maxLength: 4 }),
  telling: fc.constantFrom('push', 'lookup', 'both', 'inferred-first'),
});

describe('OrderLedger commissions', () => {
  it('one CommissionUnvalued per execution without a value; kept base lots off the venue position only', () => {
    fc.assert(
      fc.property(fc.array(order, { minLength: 1, maxLength: 5 }), (orders) => {
        const log = new EventLog(new VirtualClock(T0));
        const ledger = new OrderLedger();
        const derived: ExecEvent[] = [];
        const fold = (e: ExecEvent): void => {
          for (const d of ledger.apply(log.append(e))) {
            derived.push(d);
            ledger.apply(log.append(d));
          }
        };
        let position = 0;
        let cash = 0;
        let kept = 0;
        const unvalued: Array<Pick<CommissionUnvalued, 'tradeId' | 'asset' | 'amount'>> = [];
        orders.forEach((o, i) => {
          const id = clientOrderId(`o${i}`);
          const parentId = parentOrderId(`p${i}`);
          const vid = venueOrderId(`v${i}`);
          const qty = o.trades.reduce((s, t) => s + t.qty, 0) + 1;
          fold({
            kind: 'ParentOrderCreated',
            parentId,
            symbol: 'BTCUSDT' as never,
            side: o.side,
            qty,
            type: 'limit',
            tif: 'GTC',
            limitPrice: 10_000,
            totalSlices: 1,
            route: 'single',
            arrivalBid: null,
            arrivalAsk: null,
            source: 'test',
          });
          fold({
            kind: 'OrderCreated',
            clientOrderId: id,
            parentId,
            sliceNum: 1,
            totalSlices: 1,
            scheduledTime: T0,
            symbol: 'BTCUSDT' as never,
            side: o.side,
            type: 'limit',
            tif: 'GTC',
            qty,
            limitPrice: 11_000,
            stopPrice: null,
          });
          fold({ kind: 'SubmitOrder', clientOrderId: id });
          fold({ kind: 'AckReport', clientOrderId: id, venueOrderId: vid });
          const reported: ReportedTrade[] = o.trades.map(({ commission: c, ...t }, k) => ({
            tradeId: tradeId(`t${i}-${k}`),
            ...t,
            liquidity: 'maker',
            venueTime: T0,
            ...(c === undefined ? {} : { commission: c }),
          }));
          const filled = reported.reduce((s, t) => s + t.qty, 0);
          const notional = reported.reduce((s, t) => s + t.qty * t.price, 0);
          const lookup = (withTrades: boolean): void =>
            fold({
              kind: 'OrderStatusReport',
              clientOrderId: id,
              venueOrderId: vid,
              status: filled > 0 ? 'partially_filled' : 'new',
              qty,
              filledQty: filled,
              ...(withTrades ? { trades: reported } : { avgPrice: filled > 0 ? notional / filled : 0 }),
            });
          if (o.telling === 'inferred-first' && filled > 0) lookup(false);
          if (o.telling !== 'lookup')
            for (const t of reported) fold({ kind: 'FillReport', clientOrderId: id, venueOrderId: vid, ...t });
          if (o.telling === 'lookup' || o.telling === 'both') lookup(true);
          const sign = o.side === 'buy' ? 1 : -1;
          position += sign * filled;
          cash += -sign * notional - reported.reduce((s, t) => s + t.fee, 0);
          for (const t of reported) {
            kept += t.commission?.baseLots ?? 0;
            if (t.commission?.unvalued)
              unvalued.push({ tradeId: t.tradeId, asset: t.commission.asset, amount: t.commission.amount });
          }
        });
        expect(
          derived
            .filter((d): d is CommissionUnvalued => d.kind === 'CommissionUnvalued')
            .map(({ tradeId: t, asset, amount }) => ({ tradeId: t, asset, amount })),
        ).toEqual(unvalued);
        expect(ledger.position).toBe(position);
        // An inferred fill's cash is its rounded notional: the same sum of whole units here.
        expect(ledger.cash).toBe(cash);
        expect(ledger.kept).toBeCloseTo(kept, 9);
        expect(ledger.accountPosition).toBe(position + Math.round(-kept) + 0);
        expect(ledger.accountPositionOf('BTCUSDT')).toBe(ledger.accountPosition);
        expect(Number.isInteger(ledger.accountPosition)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('kept lots read as the venue reads its balance: half a lot kept of a whole is the whole', () => {
    // The venue holds 10 - 0.5 lots and its balance reads 10 (half up); 10 - 0.6 reads 9.
    const at = (kept: number): number => {
      const ledger = new OrderLedger();
      ledger.position = 10;
      ledger.kept = kept;
      return ledger.accountPosition;
    };
    expect(at(0.5)).toBe(Math.round(10 - 0.5));
    expect(at(0.6)).toBe(Math.round(10 - 0.6));
    expect(at(1.5)).toBe(Math.round(10 - 1.5));
    expect(Object.is(at(0.2), 10)).toBe(true);
  });
});
