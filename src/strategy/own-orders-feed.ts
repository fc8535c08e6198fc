// A hosted strategy's own orders, read from the process's log (the host is a sink of it) and
// handed to the strategy: its signals' outcomes, the parents they made and our fills. Updates wait
// in an inbox and one flush on the process's clock hands them over, never inside the unit of work
// that wrote them.
// Design notes: docs/0067-strategy-host-notes.md#srcstrategyown-orders-feedts
import type { LogEntry } from '../core/model/events.ts';
import type { ClientOrderId } from '../core/model/ids.ts';
import {
  fractionalTicksToPrice,
  lotsToQty,
  ticksToPrice,
  unitsToQuote,
  type Instrument,
} from '../core/model/instrument.ts';
import type { OrderLedger } from '../core/order/order-ledger.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { OwnFill, ParentUpdate } from './strategy-api.ts';

/** One of our fills or parent updates, as the strategy is handed it; or an order's fees after a
 *  fill inferred without one was matched to the venue's execution and its fee (the context's P&L
 *  takes it; the strategy is handed no fill for it). */
export type OwnUpdate = OwnFill | ParentUpdate | FeesSettled;

/** An order's fees so far (quote units), stated again once a matched execution added its fee. */
export interface FeesSettled {
  readonly symbol: string;
  readonly clientOrderId: string;
  readonly feesSoFar: number;
}

/** Whether an update is an order's settled fees (neither a fill nor a parent update). */
export const isFeesSettled = (u: OwnUpdate): u is FeesSettled => 'feesSoFar' in u;

/** A signal the strategy made: its symbol, side and quantity (in units). */
export interface OwnSignal {
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly qty: number;
}

/** What the feed needs of its host's dependencies (a StrategyHostDeps fits). */
export interface OwnOrdersDeps {
  /** The process's clock: the flush is a unit of work of the process. */
  readonly clock: Clock;
  readonly ledger: OrderLedger;
}

export class OwnOrdersFeed {
  /** Our signals (id to symbol and side), then the parents they made (parent to signal id). */
  private readonly ourSignals = new Map<string, OwnSignal>();
  private readonly ourParents = new Map<string, string>();
  /** Log entries not yet handed to the strategy (fills and parents), and the entry the ledger
   *  had not yet applied when it was written. */
  private inbox: OwnUpdate[] = [];
  /** Orders an inferred fill of which was matched with its fee, read once the ledger applied it. */
  private matchedFees: string[] = [];
  private unsettledSeq = -1;
  private flushQueued = false;

  /**
   * `instrumentOf`: the host's instrument of a symbol (null for one the run does not trade).
   * `handOver`: hands the strategy the updates of a flush, in order.
   */
  constructor(
    private readonly deps: OwnOrdersDeps,
    private readonly instrumentOf: (symbol: string) => Instrument | null,
    private readonly handOver: (updates: readonly OwnUpdate[]) => void,
  ) {}

  /** The strategy made a signal (`ref` its id): the log's answers to it are ours. */
  signalMade(ref: string, signal: OwnSignal): void {
    this.ourSignals.set(ref, signal);
  }

  /** The parents our signals made, sorted. */
  parentIds(): string[] {
    return [...this.ourParents.keys()].sort();
  }

  /** Reads a log entry: our signals' outcomes and parents go to the inbox, and the entry's fills
   *  once the ledger has applied it; a flush is queued. */
  write(entry: LogEntry): void {
    this.settle();
    const e = entry.event;
    switch (e.kind) {
      case 'SignalAccepted':
        if (this.ourSignals.has(e.signalId)) this.ourParents.set(e.parentId, e.signalId);
        break;
      case 'SignalRejected':
      case 'StrategyOutputRefused': {
        const id = e.kind === 'SignalRejected' ? e.signalId : e.ref;
        const sig = this.ourSignals.get(id);
        if (sig && (e.kind === 'SignalRejected' || e.output === 'signal'))
          this.inbox.push({
            symbol: sig.symbol,
            time: entry.time,
            parentId: '',
            signalId: id,
            side: sig.side,
            qty: sig.qty,
            state: 'rejected',
            reason: e.reason,
          });
        break;
      }
      case 'ParentOrderCreated':
        this.inbox.push({
          symbol: e.symbol,
          time: entry.time,
          parentId: e.parentId,
          signalId: this.ourParents.get(e.parentId) ?? null,
          side: e.side,
          qty: this.units(e.symbol, e.qty),
          state: 'created',
        });
        break;
      case 'ParentOrderCompleted': {
        const spec = this.deps.ledger.parents.get(e.parentId)?.spec;
        if (spec)
          this.inbox.push({
            symbol: spec.symbol,
            time: entry.time,
            parentId: e.parentId,
            signalId: this.ourParents.get(e.parentId) ?? null,
            side: spec.side,
            qty: this.units(spec.symbol, spec.qty),
            state: e.status,
          });
        break;
      }
      case 'InferredFillMatched':
        this.matchedFees.push(e.clientOrderId);
        break;
      default:
        break;
    }
    this.unsettledSeq = entry.seq;
    if (this.inbox.length > 0 || this.unsettledSeq >= 0) this.queueFlush();
  }

  /** Takes `from`'s signals, parents and the updates it had not handed over yet (an accepted
   *  swap); `from` keeps no update. Queues nothing: the host calls `queueFlushIfPending`. */
  takeOver(from: OwnOrdersFeed): void {
    for (const [id, sig] of from.ourSignals) this.ourSignals.set(id, sig);
    for (const [parent, sig] of from.ourParents) this.ourParents.set(parent, sig);
    this.inbox.push(...from.inbox);
    from.inbox = [];
    this.matchedFees.push(...from.matchedFees);
    from.matchedFees = [];
    if (from.unsettledSeq >= 0) this.unsettledSeq = from.unsettledSeq;
    from.unsettledSeq = -1;
  }

  /** Queues a flush when an update waits or an entry's fills are still to be read. */
  queueFlushIfPending(): void {
    if (this.inbox.length > 0 || this.unsettledSeq >= 0) this.queueFlush();
  }

  /** Reads the fills of the entry last written, once the ledger has applied it. */
  private settle(): void {
    const seq = this.unsettledSeq;
    if (seq < 0) return;
    const ledger = this.deps.ledger;
    if (ledger.appliedSeq !== seq) return;
    this.unsettledSeq = -1;
    for (const t of ledger.appliedTrades) {
      const order = ledger.order(t.clientOrderId);
      if (!order) continue;
      const r = order.request;
      const inst = this.instrumentOf(r.symbol);
      if (!inst) continue;
      this.inbox.push({
        symbol: r.symbol,
        time: this.deps.clock.now(),
        parentId: r.parentId,
        clientOrderId: r.clientOrderId,
        side: r.side,
        qty: Number(lotsToQty(inst, t.qty)),
        price: priceOf(inst, t.price),
        fee: quoteOf(inst, t.fee),
      });
    }
    for (const id of this.matchedFees) {
      const order = ledger.order(id as ClientOrderId);
      const inst = order && this.instrumentOf(order.request.symbol);
      if (!order || !inst) continue;
      this.inbox.push({ symbol: order.request.symbol, clientOrderId: id, feesSoFar: quoteOf(inst, order.fees) });
    }
    this.matchedFees = [];
  }

  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    this.deps.clock.schedule(() => {
      this.flushQueued = false;
      this.settle();
      const items = this.inbox;
      this.inbox = [];
      this.handOver(items);
    }, 0);
  }

  private units(symbol: string, lots: number): number {
    return lotsAsUnits(this.instrumentOf(symbol), lots);
  }
}

/** A quantity in lots as the strategy is given it: in units of the instrument (lots without one). */
export function lotsAsUnits(inst: Instrument | null, lots: number): number {
  return inst ? Number(lotsToQty(inst, lots)) : lots;
}

/** Notional units (tick x lot, possibly fractional) as a quote-currency number. */
export function quoteOf(inst: Instrument, units: number): number {
  return Number.isSafeInteger(units) ? Number(unitsToQuote(inst, units)) : units * Number(unitsToQuote(inst, 1));
}

/** Ticks (whole, or fractional for an inferred fill) as a price number. */
export function priceOf(inst: Instrument, ticks: number): number {
  return Number(Number.isInteger(ticks) ? ticksToPrice(inst, ticks) : fractionalTicksToPrice(inst, ticks));
}
