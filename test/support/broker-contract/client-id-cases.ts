// The broker contract's cases about client ids where a venue keeps them unique among OPEN orders
// only (so it would take a second order under an id whose first order is done):
// - a filled IOC whose submit answer was lost must be found by a lookup, and core's own engine
//   (its retry logic and fill detection, run over the backend's broker) must never send it again;
// - runs that share a venue account name their orders apart: a lookup by a local id never finds
//   another run's order under the same local id.
// Both hold on every venue; on one that reuses finished ids a failure is a double order.
import { readFileSync } from 'node:fs';
import type { Subscription } from 'rxjs';
import { expect } from 'vitest';
import { Rng } from '../../../src/core/clock/rng.ts';
import { ExecutionEngine } from '../../../src/core/engine/execution-engine.ts';
import { parseFillConfig } from '../../../src/core/fills/fill-config.ts';
import { EventLog } from '../../../src/core/log/event-log.ts';
import { parentOrderId, type ClientOrderId } from '../../../src/core/model/ids.ts';
import type { VenueMessage } from '../../../src/core/model/reports.ts';
import { OrderLedger } from '../../../src/core/order/order-ledger.ts';
import type { Broker, MarketDataPort } from '../../../src/core/ports/broker.ts';
import type { Clock } from '../../../src/core/ports/clock.ts';
import { parseScenario } from '../../../src/scenario/load-scenario.ts';
import { nodeConfigOf } from '../../../src/scenario/node-config-of.ts';
import type { Backend } from './backend.ts';
import type { ContractCase } from './contract-case.ts';
import { acked, lookup, of, order, snapshot, status, submitAnswers, submitted, units } from './contract-steps.ts';
import { fixtureInstrument } from './contract-venue.ts';

/** The backend's clock for an engine whose timers all end with the case (a wall clock's would
 *  otherwise fire after the backend closed). */
class CaseClock implements Clock {
  private readonly pending = new Set<Subscription>();
  private closed = false;

  constructor(private readonly inner: Clock) {}

  get scheduler(): Clock['scheduler'] {
    return this.inner.scheduler;
  }

  now(): number {
    return this.inner.now();
  }

  schedule(work: () => void, delayMs: number): Subscription {
    const sub = this.inner.schedule(() => {
      this.pending.delete(sub);
      if (!this.closed) work();
    }, delayMs);
    this.pending.add(sub);
    return sub;
  }

  post<A>(work: (arg?: A) => void, delayMs: number, arg?: A): void {
    this.schedule(() => work(arg), delayMs);
  }

  close(): void {
    this.closed = true;
    for (const s of this.pending) s.unsubscribe();
    this.pending.clear();
  }
}

/** Core's execution engine over the backend's broker, configured as a paper run of the venue's
 *  fixture would be (its routing and retry policy), with lookups and fill detection polls soon
 *  enough for the case's bounded waits. Counts what it asks of the venue, per client id. */
function engineOver(b: Backend) {
  const text = readFileSync(b.venue.fixture, 'utf8');
  const inst = fixtureInstrument(b.venue);
  const config = nodeConfigOf(parseScenario(text, b.venue.fixture).scenario, inst);
  const clock = new CaseClock(b.clock);
  const sent: ClientOrderId[] = [];
  const looked: ClientOrderId[] = [];
  let open = true;
  const broker: Broker = {
    clientIdMaxLength: b.broker.clientIdMaxLength,
    ordersSinceBy: b.broker.ordersSinceBy,
    setReportHandler: (h) => b.listen((m: VenueMessage) => void (open && h(m))),
    submit: (o) => void (open && (sent.push(o.clientOrderId), b.broker.submit(o))),
    cancel: (cid, vid) => void (open && b.broker.cancel(cid, vid)),
    queryOrder: (cid, seq) => void (open && (looked.push(cid), b.broker.queryOrder(cid, seq))),
    queryOpenOrders: (id) => void (open && b.broker.queryOpenOrders(id)),
    queryOrdersSince: (since, limit, after, id) => void (open && b.broker.queryOrdersSince(since, limit, after, id)),
    queryAccount: (id) => void (open && b.broker.queryAccount(id)),
  };
  // The fixture's book as it stands: what the engine reads for arrival and expected prices.
  const p = b.venue.prices;
  const market: MarketDataPort = {
    topOfBook: () => ({ bid: p.bid, bidQty: units(b, 20), ask: p.ask, askQty: units(b, 10) }),
    window: () => ({ vwap: null, twapMid: null, volume: 0 }),
    lastUpdateAt: () => clock.now(),
  };
  const ledger = new OrderLedger();
  const engine = new ExecutionEngine({
    clock,
    log: new EventLog(clock),
    ledger,
    broker,
    marketData: market,
    instrument: inst,
    rng: new Rng(7).stream('engine'),
    routing: config.routing,
    retry: { ...config.retry, lookupFirstDelayMs: 200, lookupMaxDelayMs: 800 },
    fills: parseFillConfig({ timeoutMs: 9_000, pollInitialMs: 300, pollMaxMs: 800, backoffBaseMs: 200 }),
  });
  return {
    engine,
    ledger,
    sent,
    looked,
    /** Nothing more goes to the venue, and the engine's timers are cancelled. */
    stop: () => {
      open = false;
      clock.close();
    },
  };
}

export const CLIENT_ID_CASES = {
  'a filled IOC whose answer was lost: core looks it up and never sends it again': {
    needs: [['limit', 'IOC']],
    run: async (open) => {
      // For the first 2 s every request reaches the venue and its answer is lost (the client gives
      // up after 300 ms), and the stream loses every fill: only a lookup can tell what happened.
      const b = await open({
        faults: [
          '{ kind: outage, from: PT0S, until: PT2S, mode: timeout_after, timeoutMs: 300 }',
          '{ kind: lost_reports, from: PT0S, until: PT1H, probability: 1 }',
        ],
      });
      const since = b.now();
      const run = engineOver(b);
      try {
        // An IOC buy of the 10 units at the ask: it fills in full at the venue, its answer lost.
        run.engine.submitParent({
          parentId: parentOrderId('lost-ioc'),
          side: 'buy',
          qty: units(b, 10),
          type: 'limit',
          tif: 'IOC',
          limitPrice: b.venue.prices.ask,
          route: 'single',
          source: 'contract',
        });
        const child = run.ledger.childrenOf(parentOrderId('lost-ioc'))[0];
        if (child === undefined) throw new Error('the engine made no order of the parent');
        const cid = child.request.clientOrderId;
        const state = () => run.ledger.order(cid);
        await b.until(
          () => submitAnswers(b, cid).some((m) => m.kind === 'OutcomeUnknownReport'),
          'the submit is of unknown outcome',
        );
        // The engine learns the fill by a lookup, or sends the order again: whichever comes first.
        await b.until(
          () => state()?.status === 'filled' || run.sent.length > 1 || null,
          'the engine resolves the lost answer',
        );
        run.stop();
        // At a venue that reuses a finished order's id, a second send would be a second order;
        // elsewhere it would be refused as a duplicate. Either way it is never sent again.
        expect(run.sent, 'sent once, never again').toEqual([cid]);
        expect(run.looked, 'looked up').toContain(cid);
        expect(state()).toMatchObject({ status: 'filled', filledQty: units(b, 10) });
        // The venue has one order under the id, filled once; the account holds 10 units.
        const page = await snapshot(b, 'OrdersPageReport', (id) => b.broker.queryOrdersSince(since, 20, undefined, id));
        expect(page.orders.filter((o) => o.clientOrderId === cid)).toEqual([
          expect.objectContaining({ status: 'filled', qty: units(b, 10), filledQty: units(b, 10) }),
        ]);
        const acct = await snapshot(b, 'AccountReport', (id) => b.broker.queryAccount(id));
        expect(acct.position).toBe(units(b, 10));
      } finally {
        run.stop();
      }
    },
  },

  "a lookup never finds another run's order under the same local id": {
    run: async (open) => {
      const b = await open();
      if (b.anotherRun === undefined) throw new Error(`${b.name}: no second run on its venue`);
      const other: Backend = { ...b, ...(await b.anotherRun()) };
      const p = b.venue.prices;
      // Ours first, resting; then the other run looks up the same local id: not its order.
      const ours = await acked(b, order(b, 'twin', 'buy', 'limit', 5, { limitPrice: p.rest[0] }));
      expect(await lookup(other, 'twin'), "the other run's lookup").toMatchObject({
        kind: 'OrderNotFoundReport',
        clientOrderId: 'twin',
      });
      // The other run's own order under that id is a new order, not a duplicate of ours.
      const theirs = await submitted(other, order(other, 'twin', 'buy', 'limit', 3, { limitPrice: p.rest[1] }));
      expect(theirs).toMatchObject({ kind: 'AckReport', clientOrderId: 'twin' });
      const theirId = (theirs as Extract<VenueMessage, { kind: 'AckReport' }>).venueOrderId;
      expect(theirId).not.toBe(ours.venueOrderId);
      // Each run's lookup finds its own, while both are open and after ours is done.
      const check = async (ourStatus: string) => {
        expect(await status(b, 'twin')).toMatchObject({
          venueOrderId: ours.venueOrderId,
          status: ourStatus,
          qty: units(b, 5),
          limitPrice: p.rest[0],
        });
        expect(await status(other, 'twin')).toMatchObject({
          venueOrderId: theirId,
          status: 'new',
          qty: units(b, 3),
          limitPrice: p.rest[1],
        });
      };
      await check('new');
      b.broker.cancel(ours.clientOrderId, ours.venueOrderId);
      await b.until(() => of(b, 'CancelReport', 'twin')[0], 'our order is cancelled');
      await check('canceled');
    },
  },
} satisfies Record<string, ContractCase>;
