// Lets an order out to the venue: a pending_new order (a single parent's order, a TWAP slice, a
// resend with the same id) passes the guards once, is logged as sent and committed (write-ahead:
// a crash after the send leaves it 'submitted' in the store, and restart looks it up), handed
// to the broker, and watched by fill detection. A TWAP's scheduler asks this sender's guard at
// its place among a slice's checks and sends what it cleared without asking again (slicePort).
import type { RunnerOps } from '../algo/intent-runner.ts';
import type { SchedulerOps } from '../algo/slice-scheduler.ts';
import type { Rng } from '../clock/rng.ts';
import type { FillMonitor } from '../fills/fill-monitor.ts';
import type { PartialFillPolicy } from '../fills/fill-config.ts';
import type { EventLog } from '../log/event-log.ts';
import type { ExecEvent } from '../model/events.ts';
import type { ClientOrderId } from '../model/ids.ts';
import type { Instrument } from '../model/instrument.ts';
import type { Side } from '../model/order.ts';
import type { OrderState } from '../order/apply-event.ts';
import type { OrderLedger } from '../order/order-ledger.ts';
import type { Broker, MarketDataPort } from '../ports/broker.ts';
import type { Clock } from '../ports/clock.ts';
import type { ChildOrders } from './child-orders.ts';
import type { RunningTwaps } from './running-twaps.ts';
import type { SendGuard } from './send-guard.ts';

export interface SliceSenderDeps {
  readonly clock: Clock;
  readonly log: EventLog;
  readonly ledger: OrderLedger;
  readonly broker: Broker;
  readonly marketData: MarketDataPort;
  readonly guard: Pick<SendGuard, 'blocks' | 'readMarket'>;
  readonly children: ChildOrders;
  readonly fills: FillMonitor | null;
  readonly twaps: RunningTwaps;
  record(e: ExecEvent): void;
}

export class SliceSender {
  /** Orders sent by an earlier process and to be sent again by this one: watched on that send. */
  private readonly unwatched = new Set<ClientOrderId>();

  constructor(private readonly deps: SliceSenderDeps) {}

  /** Sends a pending_new order (first send or a resend with the same id) if its parent's cancel
   *  was not requested and the guards let it out; else it is abandoned with the reason. */
  send(id: ClientOrderId): void {
    const order = this.deps.ledger.order(id);
    if (!order || order.status !== 'pending_new') return;
    const { request } = order;
    const reason = this.deps.ledger.parents.get(request.parentId)?.cancelRequested
      ? 'parent cancel requested'
      : this.deps.guard.blocks(request.side, request.qty, id, request.symbol);
    if (reason) {
      this.deps.children.abandon(id, reason);
      return;
    }
    this.submit(id, order);
  }

  /** What a TWAP's scheduler needs: the market and the ledger, this sender's guard (consulted
   *  once per slice), the send of a slice the guard cleared, the cancel of a child, and the
   *  write-ahead creation of a chaser's replacement. */
  slicePort(side: Side, instrument: Instrument): SchedulerOps {
    const { clock, ledger, marketData, guard, children } = this.deps;
    const symbol = instrument.symbol;
    return {
      clock,
      ledger,
      marketData,
      instrument,
      record: (e) => this.deps.record(e),
      blocked: (child, qty) => guard.blocks(side, qty, child, symbol),
      send: (id) => this.sendCleared(id),
      cancelChild: (id, reason, resend) => children.cancel(id, reason, resend),
      settling: (id) => this.deps.fills?.settling(id) ?? false,
      create: (e) => {
        this.deps.record(e);
        this.deps.log.commit();
      },
      clientIdMaxLength: this.deps.broker.clientIdMaxLength,
    };
  }

  /** What an intent-driven parent's runner needs: the market and the ledger, the send of a child
   *  through this sender's guards (as a single order's: abandoned with the reason when one says
   *  no), the cancel of a child, and the parent's completion check. */
  runnerPort(instrument: Instrument, rng: Rng, completeIfDone: () => void): RunnerOps {
    const { clock, ledger, marketData, children, log, broker } = this.deps;
    return {
      clock,
      ledger,
      marketData,
      instrument,
      clientIdMaxLength: broker.clientIdMaxLength,
      rng,
      record: (e) => this.deps.record(e),
      commit: () => log.commit(),
      send: (id) => this.send(id),
      cancelChild: (id, reason) => children.cancel(id, reason),
      settling: (id) => this.deps.fills?.settling(id) ?? false,
      completeIfDone,
    };
  }

  /** An order sent by an earlier process that this one sends again: fill detection watches it
   *  on that send. */
  watchOnResend(id: ClientOrderId): void {
    this.unwatched.add(id);
  }

  /** A slice its scheduler found uncancelled and the guard cleared, just now: sent without a
   *  second decision on either. */
  private sendCleared(id: ClientOrderId): void {
    const order = this.deps.ledger.order(id);
    if (!order || order.status !== 'pending_new') return;
    // The market is read once more for the breaker just before the slice leaves, as it always
    // was: the quote fallback counts every read while it serves old quotes (fallbackReads in its
    // logged events), so this read is part of the log. It decides nothing: at the same instant,
    // on the same quote, position and cash as the check just made, it cannot trip the breaker.
    this.deps.guard.readMarket();
    this.submit(id, order);
  }

  private submit(id: ClientOrderId, order: OrderState): void {
    const { ledger, fills } = this.deps;
    this.deps.record({ kind: 'SubmitOrder', clientOrderId: id });
    // Write-ahead: the send (and any amendment before it) is durable before the order leaves.
    this.deps.log.commit();
    this.deps.broker.submit((ledger.order(id) ?? order).request);
    if ((order.attempts === 0 || this.unwatched.delete(id)) && fills) {
      // A TWAP child's remainder belongs to its scheduler (carry or drop at the next slice), so
      // it waits for partial fills and its slice, unless the parent asked for another policy.
      const spec = ledger.parents.get(order.request.parentId)?.spec;
      const policy = spec?.partialFillPolicy as PartialFillPolicy | undefined;
      const interval = this.deps.twaps.intervalOf(order.request.parentId);
      fills.watch(
        id,
        interval === undefined
          ? { policy }
          : { policy: policy ?? 'wait', timeoutMs: Math.max(interval, fills.timeoutMs) },
      );
    }
  }
}
