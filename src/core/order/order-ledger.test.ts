// The ledger's money: position and cash from applied trades only, whichever report carried a
// trade and however often (a fill push and a lookup answer listing the same trade count once).
// Cash is what the breaker's loss and drawdown conditions mark against (risk/breaker-feed.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { EventLog } from '../log/event-log.ts';
import type { ExecEvent } from '../model/events.ts';
import { clientOrderId, parentOrderId, tradeId, venueOrderId } from '../model/ids.ts';
import type { Side } from '../model/order.ts';
import type { ReportedTrade } from '../model/reports.ts';
import { OrderLedger } from './order-ledger.ts';

const T0 = Date.UTC(2024, 7, 9);

const trade = fc.record({
  qty: fc.integer({ min: 1, max: 5 }),
  price: fc.integer({ min: 9_000, max: 11_000 }),
  fee: fc.integer({ min: 0, max: 50 }),
});
const order = fc.record({
  side: fc.constantFrom<Side>('buy', 'sell'),
  trades: fc.array(trade, { minLength: 0, maxLength: 4 }),
  viaLookup: fc.boolean(),
  repeat: fc.boolean(),
});

describe('OrderLedger cash and position', () => {
  it('cash is sells minus buys minus fees over unique trades; replays and lookups change nothing', () => {
    fc.assert(
      fc.property(fc.array(order, { minLength: 1, maxLength: 6 }), (orders) => {
        const log = new EventLog(new VirtualClock(T0));
        const ledger = new OrderLedger();
        const fold = (e: ExecEvent): void => {
          for (const d of ledger.apply(log.append(e))) ledger.apply(log.append(d));
        };
        let expectedCash = 0;
        let expectedPosition = 0;
        orders.forEach((o, i) => {
          const id = clientOrderId(`o${i}`);
          const parentId = parentOrderId(`p${i}`);
          const vid = venueOrderId(`v${i}`);
          const qty = o.trades.reduce((s, t) => s + t.qty, 0) + 1; // never over-filled
          fold({
            kind: 'ParentOrderCreated',
            parentId,
            symbol: 'T' as never,
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
            symbol: 'T' as never,
            side: o.side,
            type: 'limit',
            tif: 'GTC',
            qty,
            limitPrice: 11_000,
            stopPrice: null,
          });
          fold({ kind: 'SubmitOrder', clientOrderId: id });
          fold({ kind: 'AckReport', clientOrderId: id, venueOrderId: vid });
          const reported: ReportedTrade[] = o.trades.map((t, k) => ({
            tradeId: tradeId(`t${i}-${k}`),
            ...t,
            liquidity: 'maker',
            venueTime: T0,
          }));
          let filled = 0;
          for (const t of reported) {
            filled += t.qty;
            if (!o.viaLookup) fold({ kind: 'FillReport', clientOrderId: id, venueOrderId: vid, ...t });
            const sign = o.side === 'buy' ? -1 : 1;
            expectedCash += sign * t.price * t.qty - t.fee;
            expectedPosition -= sign * t.qty;
          }
          if (o.viaLookup || o.repeat) {
            fold({
              kind: 'OrderStatusReport',
              clientOrderId: id,
              venueOrderId: vid,
              status: filled > 0 ? 'partially_filled' : 'new',
              qty,
              filledQty: filled,
              trades: reported,
            });
          }
        });
        expect(ledger.cash).toBe(expectedCash);
        expect(ledger.position).toBe(expectedPosition);
      }),
      { numRuns: 200 },
    );
  });
});
