// Reconciliation on top of an account baseline, over random starting accounts and fill sequences:
// the startup pass records what the account holds (nothing when it is flat), and a later pass
// finds no mismatch when the venue's position is the baseline plus our fills, while a planted
// difference is found: a fill we never saw (missed_fill, applied, no position finding) or a
// position drift nothing explains (confirmed once, then PositionCorrected by the drift). The
// venue is the scripted venue, answered by hand from its truth.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { EventLog } from '../log/event-log.ts';
import type { ExecEvent } from '../model/events.ts';
import { clientOrderId, parentOrderId, symbol, type ClientOrderId } from '../model/ids.ts';
import type { Side } from '../model/order.ts';
import type { VenueMessage } from '../model/reports.ts';
import { OrderLedger } from '../order/order-ledger.ts';
import { BINANCE_SPOT } from '../venues/binance-spot.ts';
import { parseReconConfig } from './recon-config.ts';
import { Reconciler } from './reconciler.ts';
import { ScriptedVenue } from '../../../test/support/scripted-venue/scripted-venue.ts';

const T0 = Date.UTC(2024, 7, 9);
const SYM = symbol('T');
const QTY = 10;
const config = parseReconConfig({});

/** A world whose venue's account holds `position` lots and `quote` before any order of ours; its
 *  stated position is off its truth by `drift.lots`. */
function world(position: number, quote: number) {
  const clock = new VirtualClock(T0);
  const log = new EventLog(clock);
  const ledger = new OrderLedger();
  const events: ExecEvent[] = [];
  const record = (e: ExecEvent): void => {
    events.push(e);
    for (const d of ledger.apply(log.append(e))) ledger.apply(log.append(d));
  };
  const drift = { lots: 0 };
  const venue = new ScriptedVenue({
    clock,
    rules: BINANCE_SPOT,
    symbol: SYM,
    byHand: true,
    ordersSinceBy: 'updated',
    position,
    quote,
    script: { accountOverride: (p) => p + drift.lots },
  });
  const recon = new Reconciler({
    clock,
    ledger,
    broker: venue,
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
  venue.setReportHandler(deliver);
  const of = <K extends ExecEvent['kind']>(k: K) =>
    events.filter((e): e is Extract<ExecEvent, { kind: K }> => e.kind === k);
  return { clock, ledger, recon, record, deliver, of, venue, drift };
}

type W = ReturnType<typeof world>;

/** One whole pass: the venue answers open orders, the lookups they lead to, the account and the
 *  pages of orders, each from its truth. */
function pass(w: W, mode: 'startup' | 'periodic', baseline = false) {
  w.recon.run(mode, null, baseline);
  w.venue.reply({ call: 'open' });
  // Orders we hold as live that the open orders did not show are looked up: answered.
  for (const c of w.venue.pending.filter((x) => x.call === 'query')) w.venue.reply(c);
  w.venue.reply({ call: 'account' });
  while (w.venue.pending.some((c) => c.call === 'since')) w.venue.reply({ call: 'since' });
  if (w.recon.running) {
    // A position off ours is asked again after settleMs: the venue says the same.
    w.clock.advanceBy(config.settleMs);
    w.venue.reply({ call: 'account' });
  }
  expect(w.venue.pending).toEqual([]);
  expect(w.recon.running).toBe(false);
}

/** Our order `n`, sent and acknowledged by the venue, which fills `filled` lots of it now (we see
 *  the fill) and `missed` more (we never see those). */
function sentOrder(w: W, n: number, side: Side, filled: number, missed: number): ClientOrderId {
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
  const ack = w.venue.seed(w.ledger.order(id)!.request);
  w.record(ack);
  w.venue.fill(id, filled, 100);
  const seen = w.venue.truth.get(id)!.trades[0]!;
  w.deliver({ kind: 'FillReport', clientOrderId: id, venueOrderId: ack.venueOrderId, ...seen });
  if (missed > 0) w.venue.fill(id, missed, 100);
  return id;
}

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
          const w = world(start, quote);
          // Startup, before anything was sent: the account's holdings become the baseline.
          pass(w, 'startup', true);
          const baselines = w.of('AccountBaseline');
          expect(baselines).toEqual(
            start !== 0 || quote !== 0
              ? [{ kind: 'AccountBaseline', symbol: SYM, position: start, quote, balances: null }]
              : [],
          );
          expect(w.ledger.accountPosition).toBe(start);

          // Our orders and the fills we saw; the venue's truth is the same unless planted.
          const canMiss = fills.flatMap((f, i) => (f.filled < QTY ? [i] : []));
          const missedAt = plant.kind === 'missed' && canMiss.length > 0 ? canMiss[plant.pick % canMiss.length]! : null;
          fills.forEach((f, i) => sentOrder(w, i, f.side, f.filled, i === missedAt ? 1 : 0));
          if (plant.kind === 'drift') w.drift.lots = plant.lots;
          const venuePosition = w.venue.position + w.drift.lots;
          const sign = (side: Side) => (side === 'buy' ? 1 : -1);
          expect(w.venue.position).toBe(
            start + fills.reduce((sum, f, i) => sum + sign(f.side) * (f.filled + (i === missedAt ? 1 : 0)), 0),
          );

          w.clock.advanceBy(60_000);
          pass(w, 'periodic');
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
