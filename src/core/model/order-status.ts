// Order statuses and every allowed transition, as a data table. A report the table does not
// allow in the current status is a discrepancy: recorded, never applied. Keeping the table as
// data (not as if/else in handlers) lets tests enumerate it and lets reviewers read it at once.
import type { OrderStatusReport } from './reports.ts';

export const ORDER_STATUSES = [
  'pending_new', // stored, not yet sent
  'submitted', // sent, no answer yet
  'submitted_unconfirmed', // the send's outcome is unknown (timeout, disconnect, 5xx)
  'accepted', // acknowledged by the venue, nothing filled
  'partially_filled',
  'pending_cancel', // cancel sent, no answer yet
  'filled',
  'canceled',
  'rejected',
  'expired',
  'failed', // given up on: the venue did not know the order after lookup (revived if it proves otherwise)
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<OrderStatus> = new Set([
  'filled',
  'canceled',
  'rejected',
  'expired',
  'failed',
]);
export const isTerminal = (s: OrderStatus): boolean => TERMINAL_STATUSES.has(s);

/** The order events that move a status. */
export const ORDER_EVENT_KINDS = [
  'SubmitOrder',
  'CancelOrder',
  'AckReport',
  'RejectReport',
  'FillReport',
  'CancelReport',
  'CancelRejectReport',
  'ExpiredReport',
  'OutcomeUnknownReport',
  'OrderNotFoundReport',
  'OrderStatusReport',
  'RetryableRejectReport',
  'OrderAbandoned',
  'ChildAmended',
] as const;
export type OrderEventKind = (typeof ORDER_EVENT_KINDS)[number];

/**
 * Target of a transition: a status, or a rule resolved with the order's quantities:
 * - 'by_fill': partially_filled, or filled when nothing remains;
 * - 'open': partially_filled when something is filled, else accepted when the venue ever
 *   acknowledged the order, else submitted_unconfirmed (a failed cancel, an ack);
 * - 'late_fill': the venue raced our cancel or expiry: the fill is applied, and the order
 *   becomes filled when nothing remains, else keeps its terminal status;
 * - 'same': accepted as a no-op (e.g. an ack that arrives after we already asked to cancel);
 * - 'sync': a lookup answer: its unseen trades are applied as fills, then its status (see
 *   applyStatusReport); allowed wherever the venue's word can still change our record.
 */
export type TransitionTarget = OrderStatus | 'by_fill' | 'open' | 'late_fill' | 'same' | 'sync';

const live = { FillReport: 'by_fill', CancelReport: 'canceled', ExpiredReport: 'expired' } as const;

/**
 * The venue proving that an order we hold as not at the venue (pending_new after a send, or
 * failed) is there after all: its ack, fills, end or full state. A lookup can overtake the send
 * it asks about, and a submit can be acknowledged after we gave up on it; the venue's word is
 * the truth, so the order takes it rather than recording a discrepancy and losing the fills.
 */
const provenAtVenue = { ...live, AckReport: 'open', RejectReport: 'rejected', OrderStatusReport: 'sync' } as const;

// prettier-ignore
export const TRANSITIONS: Readonly<Record<OrderStatus, Readonly<Partial<Record<OrderEventKind, TransitionTarget>>>>> = {
  // pending_new: stored and not (or, after a refusal the venue did not process or a lookup that
  // found nothing, no longer) at the venue; its owner resubmits it with the same id, amends it
  // before sending, cancels it, or abandons it.
  pending_new: {
    ...provenAtVenue, // ...or it is there after all (a "not found" raced the send): the venue's word
    SubmitOrder: 'submitted',
    CancelOrder: 'canceled',
    OrderAbandoned: 'failed',
    ChildAmended: 'same',
    OrderNotFoundReport: 'same', // the lookup before a resubmission: still not there
    RetryableRejectReport: 'same', // the refused send's answer after a lookup already sent it back
    OutcomeUnknownReport: 'same', // likewise for a send that timed out: the retry looks it up first
  },
  submitted: {
    ...live,
    AckReport: 'accepted',
    RejectReport: 'rejected',
    RetryableRejectReport: 'pending_new',
    CancelOrder: 'pending_cancel',
    OutcomeUnknownReport: 'submitted_unconfirmed',
    OrderNotFoundReport: 'pending_new',
    OrderStatusReport: 'sync',
  },
  submitted_unconfirmed: {
    ...live,
    AckReport: 'accepted',
    RejectReport: 'rejected',
    RetryableRejectReport: 'pending_new',
    CancelOrder: 'pending_cancel',
    OutcomeUnknownReport: 'same',
    OrderNotFoundReport: 'pending_new',
    OrderStatusReport: 'sync',
  },
  // A request's timeout can arrive after the stream already told us the order's fate.
  // OrderAbandoned: reconciliation gave up on an order the venue no longer knows (not found at
  // reconciliation: marked failed); a lone "not found" stays transient (fill
  // detection counts them: unknownOrderAfterLookups).
  // A refused cancel for an order we already hold as open (a cancel sent again, answered twice)
  // changes nothing.
  accepted: { ...live, AckReport: 'same', CancelOrder: 'pending_cancel', CancelRejectReport: 'same', OutcomeUnknownReport: 'same', OrderStatusReport: 'sync', OrderAbandoned: 'failed' },
  partially_filled: { ...live, AckReport: 'same', CancelOrder: 'pending_cancel', CancelRejectReport: 'same', OutcomeUnknownReport: 'same', OrderStatusReport: 'sync', OrderAbandoned: 'failed' },
  pending_cancel: {
    ...live,
    FillReport: 'late_fill', // a fill racing our cancel: the cancel stays pending unless it completes the order
    AckReport: 'same',
    CancelOrder: 'same',
    CancelRejectReport: 'open',
    RejectReport: 'rejected',
    RetryableRejectReport: 'canceled', // we asked to cancel and the venue never took the order
    OutcomeUnknownReport: 'same',
    // An order the venue has shown us and no longer knows: nothing to cancel, nothing will fill.
    // (One it never showed may still be on its way: apply-event.ts keeps it pending_cancel.)
    OrderNotFoundReport: 'canceled',
    // Dropped after the cancel found nothing, once the order cannot be on its way any more.
    OrderAbandoned: 'canceled',
    OrderStatusReport: 'sync',
  },
  // A finished order the venue no longer lists (venues purge old finished orders) is still over.
  filled: { CancelRejectReport: 'same', CancelOrder: 'same', AckReport: 'same', OutcomeUnknownReport: 'same', OrderStatusReport: 'sync', OrderNotFoundReport: 'same' },
  // Acks travel on the REST channel and can arrive after the stream finished the order.
  // A cancel that crossed the venue's own end of the order (an IOC remainder expiring, a DAY
  // close) is refused: nothing left to cancel, which is what we wanted.
  // "Not found" for a cancelled order confirms that nothing is working there (a cancel made
  // locally while the submission was lost, then looked up).
  canceled: { FillReport: 'late_fill', CancelReport: 'same', CancelRejectReport: 'same', CancelOrder: 'same', AckReport: 'same', OutcomeUnknownReport: 'same', OrderStatusReport: 'sync', OrderNotFoundReport: 'same' },
  expired: { FillReport: 'late_fill', ExpiredReport: 'same', CancelRejectReport: 'same', CancelOrder: 'same', AckReport: 'same', OutcomeUnknownReport: 'same', OrderStatusReport: 'sync', OrderNotFoundReport: 'same' },
  // The venue refused it, so it has no such order: a lookup asked before the refusal arrived
  // (reconciliation's, of an order sent after its snapshot) answers "not found", which agrees;
  // so does the venue's refusal of a cancel sent before the refusal arrived (an algorithm
  // re-pricing its child): there was nothing to cancel.
  rejected: { OrderNotFoundReport: 'same', CancelRejectReport: 'same' },
  // Failed is where we gave up, not the venue's word: a venue that proves the order exists
  // revives it (the engine then cancels what is still working: its quantity may have been sent
  // again). Echoes of the give-up change nothing.
  failed: {
    ...provenAtVenue,
    RejectReport: 'same', // the refusal of a send we had given up on: over either way
    CancelOrder: 'same',
    CancelRejectReport: 'same',
    OutcomeUnknownReport: 'same',
    OrderNotFoundReport: 'same',
    RetryableRejectReport: 'same',
    OrderAbandoned: 'same',
  },
};

export function transitionFor(status: OrderStatus, kind: OrderEventKind): TransitionTarget | undefined {
  return TRANSITIONS[status][kind];
}

/** A venue's full-state status in our names: the venue's 'new' is our 'accepted'. */
export const statusOfVenue = (s: OrderStatusReport['status']): OrderStatus => (s === 'new' ? 'accepted' : s);
