// The cancel command on Alpaca, from the command to its one answer: Alpaca's 204 only accepts a
// cancel, so the CancelReport waits for the stream's `canceled` or a follow-up lookup showing the
// order canceled. The adapter's one stateful conversation (waiting cancels, scheduled lookups,
// orders already reported canceled) lives here and nowhere else.
// Design notes: docs/0066-live-adapter-notes.md.
import type { ClientOrderId, VenueOrderId } from '../../core/model/ids.ts';
import type { CancelRejectReport, OrderStatusReport, VenueMessage } from '../../core/model/reports.ts';
import type { Subscription } from 'rxjs';
import { orderFields, tradedOrderRow } from './alpaca-convert.ts';
import type { VenueOrderRow } from '../live-venue.ts';
import { failureCode, failureText, unknownCategory, wireFailure, type WireFailure } from './alpaca-failures.ts';
import type { AlpacaLink } from './alpaca-link.ts';
import { BoundedSet } from '../bounded-set.ts';

/** Follow-up lookups after a cancel's 204: how many, and the first delay (doubling). */
export interface CancelConfirmOptions {
  readonly lookups?: number;
  readonly firstDelayMs?: number;
}

const TERMINAL = new Set<OrderStatusReport['status']>(['filled', 'canceled', 'expired', 'rejected']);

/** A cancel command waiting for its one answer. */
interface PendingCancel {
  timer: Subscription | null;
  done: boolean;
}

export class AlpacaCancelFlow {
  private readonly pendingCancels = new Map<string, PendingCancel[]>();
  /** Confirmation lookups scheduled on the clock (cancelled by stop()). */
  private readonly timers = new Set<Subscription>();
  private readonly cancelReported = new BoundedSet(100_000);
  private readonly confirmLookups: number;
  private readonly confirmFirstDelayMs: number;

  constructor(
    private readonly link: AlpacaLink,
    confirm: CancelConfirmOptions | undefined,
  ) {
    this.confirmLookups = Math.max(1, confirm?.lookups ?? 5);
    this.confirmFirstDelayMs = Math.max(0, confirm?.firstDelayMs ?? 250);
  }

  cancel(clientOrderId: ClientOrderId, venueOrderId: VenueOrderId | null): void {
    // Registered now, so a `canceled` on the stream that overtakes the DELETE's own answer
    // answers this cancel (once), and the flow's later answer is dropped.
    const pending: PendingCancel = { timer: null, done: false };
    const list = this.pendingCancels.get(clientOrderId) ?? [];
    list.push(pending);
    this.pendingCancels.set(clientOrderId, list);
    void this.cancelFlow(clientOrderId, venueOrderId, pending);
  }

  /** `canceled` on the stream: answers every cancel of ours waiting for it, else reports it once. */
  streamCanceled(cid: ClientOrderId): void {
    const waiting = this.pendingCancels.get(cid);
    if (waiting && waiting.length > 0) {
      this.pendingCancels.delete(cid);
      for (const p of [...waiting]) this.settleCancel(cid, p, { kind: 'CancelReport', clientOrderId: cid });
      return;
    }
    if (this.cancelReported.has(cid)) return;
    this.cancelReported.add(cid);
    this.link.reports.emit({ kind: 'CancelReport', clientOrderId: cid });
  }

  /** Cancels the scheduled lookups and forgets the waiting cancels (the adapter stopped). */
  stop(): void {
    for (const t of [...this.timers]) t.unsubscribe();
    this.pendingCancels.clear();
  }

  /** The one answer to one cancel command; later answers to it are dropped. */
  private settleCancel(cid: ClientOrderId, pending: PendingCancel, answer: VenueMessage): void {
    if (pending.done) return;
    pending.done = true;
    pending.timer?.unsubscribe();
    const rest = (this.pendingCancels.get(cid) ?? []).filter((p) => p !== pending);
    if (rest.length > 0) this.pendingCancels.set(cid, rest);
    else this.pendingCancels.delete(cid);
    if (answer.kind === 'CancelReport') this.cancelReported.add(cid);
    this.link.reports.emit(answer);
  }

  private async cancelFlow(cid: ClientOrderId, known: VenueOrderId | null, pending: PendingCancel): Promise<void> {
    const { alpaca, instruments, ids } = this.link;
    const answer = (report: VenueMessage): void => this.settleCancel(cid, pending, report);
    const signal = { signal: this.link.signal };
    let id: string | null = known;
    if (id === null) {
      // Alpaca cancels only by its own id: find it by our client id first.
      let row: VenueOrderRow | null;
      try {
        row = tradedOrderRow(
          instruments,
          ids.local(await alpaca.trading.orders.getOrderByClientOrderId({ clientOrderId: ids.wire(cid) }, signal)),
          'lookup',
        );
      } catch (err) {
        const f = wireFailure(err);
        answer(
          f.httpStatus === 404
            ? cancelReject(cid, f, 'not_found', 'lookup before cancel: ')
            : cancelReject(cid, f, 'transient', 'lookup before cancel failed: '),
        );
        return;
      }
      if (row === null) {
        answer({
          kind: 'CancelRejectReport',
          clientOrderId: cid,
          code: 'unreadable',
          reason: 'lookup before cancel: the order could not be read',
          failure: 'transient',
        });
        return;
      }
      if (TERMINAL.has(row.status)) {
        answer(finishedAnswer(cid, row.status));
        return;
      }
      id = row.venueOrderId;
    }
    try {
      await alpaca.trading.orders.deleteOrderByOrderID({ orderId: id }, signal);
    } catch (err) {
      answer(cancelFailure(cid, wireFailure(err)));
      return;
    }
    this.confirmCancel(cid, id, pending);
  }

  /** After a 204: wait for the stream's `canceled`, and look the order up meanwhile. */
  private confirmCancel(cid: ClientOrderId, venueOrderId: string, pending: PendingCancel): void {
    const { alpaca, instruments, clock, ids, reports } = this.link;
    const answer = (report: VenueMessage): void => this.settleCancel(cid, pending, report);
    const lookup = (attempt: number): void => {
      if (pending.done || reports.stopped) return;
      alpaca.trading.orders.getOrderByOrderID({ orderId: venueOrderId }, { signal: this.link.signal }).then(
        (o) => {
          const row = tradedOrderRow(instruments, ids.local(o), 'lookup');
          if (row !== null && TERMINAL.has(row.status)) answer(finishedAnswer(cid, row.status));
          else next(attempt, `the order is still ${orderFields(ids.local(o)).status}`);
        },
        (err: unknown) => next(attempt, `lookup failed: ${failureText(wireFailure(err))}`),
      );
    };
    const next = (attempt: number, why: string): void => {
      if (pending.done || reports.stopped) return;
      if (attempt + 1 >= this.confirmLookups) {
        answer({
          kind: 'OutcomeUnknownReport',
          clientOrderId: cid,
          request: 'cancel',
          reason: `cancel accepted (204) but not confirmed after ${this.confirmLookups} lookups: ${why}`,
        });
        return;
      }
      const timer = clock.schedule(() => lookup(attempt + 1), this.confirmFirstDelayMs * 2 ** attempt);
      pending.timer = timer;
      this.timers.add(timer);
      timer.add(() => this.timers.delete(timer));
    };
    lookup(0);
  }
}

/** A failed DELETE: the cancel's answer by what the wire gave. */
function cancelFailure(cid: ClientOrderId, f: WireFailure): VenueMessage {
  if (f.noAnswer && f.notSent) return cancelReject(cid, f, 'transient', 'not sent: ');
  if (f.noAnswer || (f.httpStatus !== undefined && (f.httpStatus >= 500 || f.httpStatus === 408)))
    return {
      kind: 'OutcomeUnknownReport',
      clientOrderId: cid,
      request: 'cancel',
      reason: failureText(f),
      category: unknownCategory(f),
    };
  if (f.httpStatus === 404) return cancelReject(cid, f, 'not_found');
  // 422: "order is already in "filled" state" (and pending_replace): it cannot be canceled. An
  // order already cancelled is what the cancel asked for: answered as done, as a cancel by
  // client id (which looks the order up first) answers it.
  if (f.httpStatus === 422 && /"canceled"/.test(f.message)) return { kind: 'CancelReport', clientOrderId: cid };
  if (f.httpStatus === 422) return cancelReject(cid, f, 'not_cancelable');
  // 429 and anything else (401/403: the cancel was not processed): ask again later.
  return cancelReject(cid, f, 'transient');
}

function cancelReject(
  cid: ClientOrderId,
  f: WireFailure,
  failure: CancelRejectReport['failure'],
  prefix = '',
): CancelRejectReport {
  return {
    kind: 'CancelRejectReport',
    clientOrderId: cid,
    code: failureCode(f),
    reason: prefix + failureText(f),
    failure,
  };
}

/** The answer to a cancel of an order that is already finished. */
function finishedAnswer(cid: ClientOrderId, status: OrderStatusReport['status']): VenueMessage {
  if (status === 'canceled') return { kind: 'CancelReport', clientOrderId: cid };
  return {
    kind: 'CancelRejectReport',
    clientOrderId: cid,
    code: status,
    reason: `order is already ${status}`,
    failure: 'not_cancelable',
  };
}
