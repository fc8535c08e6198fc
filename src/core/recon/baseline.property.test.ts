// Reconciliation on top of an account baseline, over random starting accounts and fill sequences:
// the startup pass records what the account holds (nothing when it is flat), and a later pass
// finds no mismatch when the venue's position is the baseline plus our fills, while a planted
// difference is found: a fill we never saw (missed_fill, applied, no position finding) or a
// position drift nothing explains (confirmed once, then PositionCorrected by the drift).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { EventLog } from '../log/event-log.ts';
import type { ExecEvent } from '../model/events.ts';
import { clientOrderId, parentOrderId, symbol, tradeId, venueOrderId, type ClientOrderId } from '../model/ids.ts';
import type { Side } from '../model/order.ts';
import type { OrderStatusReport, ReportedTrade, VenueMessage } from '../model/reports.ts';
import { OrderLedger } from '../order/order-ledger.ts';
import type { Broker } from '../ports/broker.ts';
import { parseReconConfig } from './recon-config.ts';
import { Reconciler } from './reconciler.ts';

const T0 = Date.UTC(2024, 7, 9);
const SYM = symbol('T');
const QTY = 10;
const config = parseReconConfig({});

function world() {
  const clock = new VirtualClock(T0);
  const log = new EventLog(clock);
  const ledger = new OrderLedger();
  const events: ExecEvent[] = [];
  const record = (e: ExecEvent): void => {
    events.push(e);
    for (const d of ledger.apply(log.append(e))) ledger.apply(log.append(d));
  };
  const asked: ClientOrderId[] = [];
  const broker: Broker = {
    clientIdMaxLength: 36,
    ordersSinceBy: 'updated',
    setReportHandler: () => {},
    submit: () => {},
    cancel: () => {},
    queryOrder: (id) => asked.push(id),
    queryOpenOrders: () => {},
    queryOrdersSince: () => {},
    queryAccount: () => {},
  };
  const recon = new Reconciler({
    clock,
    ledger,
    broker,
    config,
    record,
    apply: (r) => record(r),
    fail: (id, reason) => record({ kind: 'OrderAbandoned', clientOrderId: id, reason }),
    adopt: () => {},
  });
  const deliver = (m: VenueMessage): void => {
    record(m);
    recon.onMessage(m);
  };
  const of = <K extends ExecEvent['kind']>(k: K) =>
    events.filter((e): e is Extract<ExecEvent, { kind: K }> => e.kind === k);
  return { clock, ledger, recon, record, deliver, of, asked };
}

type W = ReturnType<typeof world>;

/** One whole pass: the venue answers open orders, the account and one page of orders. */
function pass(
  w: W,
  mode: 'startup' | 'periodic',
  position: number,
  quote: number,
  orders: OrderStatusReport[],
  baseline = false,
) {
  w.recon.run(mode, null, baseline);
  const rows = orders.map(({ kind: _k, ...o }) => o);
  w.deliver({ kind: 'OpenOrdersReport', orders: rows.filter((o) => o.status === 'partially_filled') });
  // Orders we hold as live that the open orders did not show are looked up: answered.
  for (const id of w.asked.splice(0)) {
    const o = orders.find((x) => x.clientOrderId === id);
    if (o) w.deliver(o);
  }
  w.deliver({ kind: 'AccountReport', symbol: SYM, position, quote });
  w.deliver({
    kind: 'OrdersPageReport',
    since: 0,
    orders: rows.map((o) => ({ ...o, updatedAt: w.clock.now() })),
    next: null,
  });
  if (w.recon.running) {
    // A position off ours is asked again after settleMs: the venue says the same.
    w.clock.advanceBy(config.settleMs);
    w.deliver({ kind: 'AccountReport', symbol: SYM, position, quote });
  }
  expect(w.recon.running).toBe(false);
}

function sentOrder(w: W, n: number, side: Side): ClientOrderId {
  const id = clientOrderId(`o${n}`);
  const parentId = parentOrderId(`p${n}`);
  w.record({
    kind: 'ParentOrderCreated',
    parentId,
    symbol: SYM,
    side,
    qty: QTY,
    type: 'limit',
    tif: 'GTC',
    limitPrice: 100,
    totalSlices: 1,
    route: 'single',
    arrivalBid: null,
    arrivalAsk: null,
    source: 'test',
  });
  w.record({
    kind: 'OrderCreated',
    clientOrderId: id,
    parentId,
    sliceNum: 1,
    totalSlices: 1,
    scheduledTime: T0,
    symbol: SYM,
    side,
    type: 'limit',
    tif: 'GTC',
    qty: QTY,
    limitPrice: 100,
    stopPrice: null,
  });
  w.record({ kind: 'SubmitOrder', clientOrderId: id });
  w.record({ kind: 'AckReport', clientOrderId: id, venueOrderId: venueOrderId(`v${n}`) });
  return id;
}

const trade = (id: string, qty: number): ReportedTrade => ({
  tradeId: tradeId(id),
  qty,
  price: 100,
  fee: 0,
  liquidity: 'maker',
  venueTime: T0,
});

const arbFills = fc.array(
  fc.record({ side: fc.constantFrom<Side>('buy', 'sell'), filled: fc.integer({ min: 1, max: QTY }) }),
  {
    maxLength: 8,
  },
);
const arbPlant = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  fc.record({ kind: fc.constant('drift' as const), lots: fc.integer({ min: -50, max: 50 }).filter((d) => d !== 0) }),
  fc.record({ kind: fc.constant('missed' as const), pick: fc.nat() }),
);

describe('reconciliation on top of a baseline (property)', () => {
  it('finds nothing when the venue is baseline plus our fills, and finds a planted difference', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1_000, max: 1_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        arbFills,
        arbPlant,
        (start, quote, fills, plant) => {
          const w = world();
          // Startup, before anything was sent: the account's holdings become the baseline.
          pass(w, 'startup', start, quote, [], true);
          const baselines = w.of('AccountBaseline');
          expect(baselines).toEqual(
            start !== 0 || quote !== 0
              ? [{ kind: 'AccountBaseline', symbol: SYM, position: start, quote, balances: null }]
              : [],
          );
          expect(w.ledger.accountPosition).toBe(start);

          // Our orders and the fills we saw; the venue's truth is the same unless planted.
          const venueOrders: OrderStatusReport[] = [];
          let venuePosition = start;
          const canMiss = fills.flatMap((f, i) => (f.filled < QTY ? [i] : []));
          const missedAt = plant.kind === 'missed' && canMiss.length > 0 ? canMiss[plant.pick % canMiss.length]! : null;
          fills.forEach((f, i) => {
            const id = sentOrder(w, i, f.side);
            w.deliver({
              kind: 'FillReport',
              clientOrderId: id,
              venueOrderId: venueOrderId(`v${i}`),
              ...trade(`t${i}`, f.filled),
            });
            const trades = [trade(`t${i}`, f.filled)];
            if (i === missedAt) trades.push(trade(`t${i}-missed`, 1));
            const filledQty = trades.reduce((sum, t) => sum + t.qty, 0);
            venuePosition += (f.side === 'buy' ? 1 : -1) * filledQty;
            venueOrders.push({
              kind: 'OrderStatusReport',
              clientOrderId: id,
              venueOrderId: venueOrderId(`v${i}`),
              status: filledQty === QTY ? 'filled' : 'partially_filled',
              qty: QTY,
              filledQty,
              trades,
            });
          });
          if (plant.kind === 'drift') venuePosition += plant.lots;

          w.clock.advanceBy(60_000);
          pass(w, 'periodic', venuePosition, quote, venueOrders);
          const found = w.of('ReconciliationMismatch');
          if (plant.kind === 'drift') {
            expect(found.map((m) => m.mismatch)).toEqual(['position']);
            expect(w.of('PositionCorrected').map((e) => e.adjustment)).toEqual([plant.lots]);
          } else if (missedAt !== null) {
            expect(found.map((m) => [m.mismatch, m.clientOrderId])).toEqual([['missed_fill', `o${missedAt}`]]);
            expect(w.of('PositionCorrected')).toEqual([]);
          } else {
            expect(found).toEqual([]);
            expect(w.of('PositionCorrected')).toEqual([]);
          }
          // Whatever was found is settled: ours is the venue's again, and only one baseline.
          expect(w.ledger.accountPosition).toBe(venuePosition);
          expect(w.of('AccountBaseline')).toHaveLength(baselines.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
