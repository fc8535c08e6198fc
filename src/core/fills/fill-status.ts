// What an order's status says about its fills, for the status method of fill verification. The
// status is always in our names (our order's, or a status report's): adapters map a venue's
// spelling before reporting (each venue's folder under src/live/ reads its own spellings), so
// core never reads a venue's words.
import type { OrderStatus } from '../model/order-status.ts';
import type { OrderStatusReport } from '../model/reports.ts';

export const FILL_STATUSES = [
  'new', // live, nothing filled yet
  'partially_filled', // live or done, some but not all filled
  'filled', // all filled
  'pending_change', // a cancel is in flight: live, may still fill, not all filled
  'canceled',
  'expired',
  'rejected',
  'unknown', // the status says nothing of fills (not yet answered, outcome unknown, given up)
] as const;
export type FillStatus = (typeof FILL_STATUSES)[number];

/** A status an observation of an order states: our order's, or a status report's. */
export type ObservedStatus = OrderStatus | OrderStatusReport['status'];

/** Each status an observation states, as a fill status. */
export const FILL_STATUS_OF: Readonly<Record<ObservedStatus, FillStatus>> = {
  new: 'new',
  pending_new: 'new',
  submitted: 'unknown',
  submitted_unconfirmed: 'unknown',
  accepted: 'new',
  partially_filled: 'partially_filled',
  pending_cancel: 'pending_change',
  filled: 'filled',
  canceled: 'canceled',
  rejected: 'rejected',
  expired: 'expired',
  failed: 'unknown',
};
