// Wiring only: a parent order becomes child orders and commands; venue reports come back, are
// logged first, folded into the ledger, and may complete a parent. Routing to algorithms (TWAP),
// risk checks and fill detection plug in here in later layers; no business rule lives here.
import type { ExecEvent, LogEntry } from '../model/events.ts';
import { deriveClientOrderId, utcDate } from '../model/client-order-id.ts';
import type { ParentOrderId } from '../model/ids.ts';
import type { Instrument } from '../model/instrument.ts';
import type { OrderType, Side, TimeInForce } from '../model/order.ts';
import { isTerminal } from '../model/order-status.ts';
import type { VenueMessage } from '../model/reports.ts';
import type { ClientOrderId } from '../model/ids.ts';
import type { EventLog } from '../log/event-log.ts';
import type { OrderLedger } from '../order/order-ledger.ts';
import type { Broker, MarketDataPort } from '../ports/broker.ts';
import type { Clock } from '../ports/clock.ts';

export interface ParentRequest {
  readonly parentId: ParentOrderId;
  readonly side: Side;
  /** Lots. */
  readonly qty: number;
  readonly type: OrderType;
  readonly tif: TimeInForce;
  readonly limitPrice?: number;
  readonly stopPrice?: number;
  readonly source: string;
}

/** How the engine resolves an unknown outcome: look the order up, again after failures. */
export interface LookupPolicy {
  /** Wait before the first lookup after an unknown outcome. */
  readonly firstDelayMs: number;
  /** Doubling backoff for failed lookups, capped. */
  readonly maxDelayMs: number;
}

export const DEFAULT_LOOKUP: LookupPolicy = { firstDelayMs: 1_000, maxDelayMs: 30_000 };

export interface EngineDeps {
  readonly clock: Clock;
  readonly log: EventLog;
  readonly ledger: OrderLedger;
  readonly broker: Broker;
  readonly marketData: MarketDataPort;
  readonly instrument: Instrument;
  readonly lookup?: LookupPolicy;
}

export class ExecutionEngine {
  /** Pending lookups by order, with the delay to use if the next one fails too. */
  private readonly lookups = new Map<ClientOrderId, number>();

  constructor(private readonly deps: EngineDeps) {
    deps.broker.setReportHandler((report) => this.onReport(report));
  }

  /** Logs an event, folds it, and logs what the fold derived. Returns the entry. */
  record<E extends ExecEvent>(event: E): LogEntry<E> {
    const entry = this.deps.log.append(event);
    for (const derived of this.deps.ledger.apply(entry)) {
      this.deps.ledger.apply(this.deps.log.append(derived));
    }
    return entry;
  }

  /** Sends a parent as one child order (the single-order route). */
  submitParent(req: ParentRequest): void {
    const { clock, broker, marketData, instrument } = this.deps;
    if (!Number.isSafeInteger(req.qty) || req.qty <= 0) throw new Error(`parent ${req.parentId}: qty must be positive lots`);
    const top = marketData.topOfBook(instrument.symbol);
    this.record({
      kind: 'ParentOrderCreated',
      parentId: req.parentId,
      symbol: instrument.symbol,
      side: req.side,
      qty: req.qty,
      type: req.type,
      tif: req.tif,
      limitPrice: req.limitPrice ?? null,
      totalSlices: 1,
      arrivalBid: top.bid,
      arrivalAsk: top.ask,
      source: req.source,
    });
    const now = clock.now();
    const clientOrderId = deriveClientOrderId(
      { parentId: req.parentId, symbol: instrument.symbol, side: req.side, qty: req.qty, tradeDate: utcDate(now), sliceNum: 1 },
      broker.clientIdMaxLength,
    );
    this.record({
      kind: 'OrderCreated',
      clientOrderId,
      parentId: req.parentId,
      sliceNum: 1,
      totalSlices: 1,
      scheduledTime: now,
      symbol: instrument.symbol,
      side: req.side,
      type: req.type,
      tif: req.tif,
      qty: req.qty,
      limitPrice: req.limitPrice ?? null,
      stopPrice: req.stopPrice ?? null,
    });
    this.record({ kind: 'SubmitOrder', clientOrderId });
    const order = this.deps.ledger.order(clientOrderId);
    if (order?.status === 'submitted') broker.submit(order.request);
  }

  /** Cancels every live child of a parent; pending_new children are cancelled locally. */
  cancelParent(parentId: ParentOrderId, reason: string): void {
    for (const child of this.deps.ledger.childrenOf(parentId)) {
      if (isTerminal(child.status) || child.status === 'pending_cancel') continue;
      const wasSent = child.status !== 'pending_new';
      this.record({ kind: 'CancelOrder', clientOrderId: child.request.clientOrderId, reason });
      if (wasSent) this.deps.broker.cancel(child.request.clientOrderId, child.venueOrderId);
    }
    this.completeIfDone(parentId);
  }

  private onReport(report: VenueMessage): void {
    this.record(report);
    if (!('clientOrderId' in report) || report.clientOrderId === null) return;
    const id = report.clientOrderId;
    // Unknown is an outcome: only a lookup by client order id resolves it, never a blind retry.
    if (report.kind === 'OutcomeUnknownReport') this.scheduleLookup(id, this.lookupPolicy.firstDelayMs);
    else if (report.kind === 'QueryFailedReport' && this.lookups.has(id)) {
      this.scheduleLookup(id, this.lookups.get(id) as number);
    } else if (report.kind === 'OrderStatusReport' || report.kind === 'OrderNotFoundReport') {
      this.lookups.delete(id);
    }
    const order = this.deps.ledger.order(id);
    if (order) this.completeIfDone(order.request.parentId);
  }

  private get lookupPolicy(): LookupPolicy {
    return this.deps.lookup ?? DEFAULT_LOOKUP;
  }

  private scheduleLookup(id: ClientOrderId, delayMs: number): void {
    this.lookups.set(id, Math.min(delayMs * 2, this.lookupPolicy.maxDelayMs));
    this.deps.clock.schedule(() => {
      const order = this.deps.ledger.order(id);
      // Resolved meanwhile (a late ack or fill), or already final: nothing to look up.
      if (!order || (order.status !== 'submitted_unconfirmed' && order.status !== 'pending_cancel')) {
        this.lookups.delete(id);
        return;
      }
      this.deps.broker.queryOrder(id);
    }, delayMs);
  }

  private completeIfDone(parentId: ParentOrderId): void {
    const parent = this.deps.ledger.parents.get(parentId);
    if (!parent || parent.completed) return;
    const children = this.deps.ledger.childrenOf(parentId);
    if (children.length < parent.spec.totalSlices || !children.every((c) => isTerminal(c.status))) return;
    const filledQty = children.reduce((sum, c) => sum + c.filledQty, 0);
    const status = filledQty === parent.spec.qty ? 'filled' : filledQty > 0 ? 'partially_filled' : 'unfilled';
    this.record({ kind: 'ParentOrderCompleted', parentId, status, filledQty });
  }
}
