// Venue order statuses come in many spellings: Binance "FILLED", Alpaca "filled", trade-update
// events "fill" / "partial_fill", hand-written "Partially Filled", British "cancelled". An adapter
// reads them here before it reports a status in our names (core reads only those), and must never
// read a spelling it does not know as a fill: an unknown spelling is 'unknown', never thrown,
// never guessed.
// Sources: Binance spot order status enum (NEW, PENDING_NEW, PARTIALLY_FILLED, FILLED, CANCELED,
// PENDING_CANCEL, REJECTED, EXPIRED, EXPIRED_IN_MATCH); Alpaca order statuses and trade events.
import { BoundedMemo } from '../core/model/bounded-memo.ts';

export const VENUE_STATUSES = [
  'new', // live, nothing filled yet (new, accepted, pending_new, held, stopped, ...)
  'partially_filled', // live or done, some but not all filled
  'filled', // all filled
  'pending_change', // a cancel or replace is in flight: live, may still fill, not all filled
  'canceled',
  'expired',
  'rejected',
  'replaced', // replaced by another order (Alpaca): its fills stop here
  'done_for_day', // Alpaca: no more fills until the next trading day
  'unknown', // a spelling we do not know, or not a string at all
] as const;
export type VenueStatus = (typeof VENUE_STATUSES)[number];

/** Spellings per status, already in canonical form (lower case, words joined by "_"). */
const SPELLINGS: Readonly<Record<Exclude<VenueStatus, 'unknown'>, readonly string[]>> = {
  new: ['new', 'open', 'accepted', 'pending_new', 'accepted_for_bidding', 'held', 'stopped'],
  partially_filled: ['partially_filled', 'partial_fill', 'partial', 'partially_fill'],
  filled: ['filled', 'fill', 'fully_filled'],
  pending_change: ['pending_cancel', 'pending_replace'],
  canceled: ['canceled', 'cancelled'],
  expired: ['expired', 'expired_in_match'],
  rejected: ['rejected'],
  replaced: ['replaced'],
  done_for_day: ['done_for_day'],
};
// Deliberately absent (they stay 'unknown', so quantities decide): 'closed' (ccxt's word for
// filled, but elsewhere any finished order), 'calculated' (Alpaca: filled *or* done for day),
// 'suspended', 'done', 'completed', 'trade', and 'cancel' (a request, or its result?).

// A Map, not an object literal: 'constructor' or '__proto__' must not hit a prototype key.
const LOOKUP: ReadonlyMap<string, VenueStatus> = new Map(
  Object.entries(SPELLINGS).flatMap(([status, spellings]) => spellings.map((s) => [s, status as VenueStatus] as const)),
);

/** "Partially Filled", "PARTIALLY-FILLED", " partially_filled " -> "partially_filled". */
export function canonicalSpelling(raw: string): string {
  return raw
    .trim()
    .replace(/([a-z])([A-Z])/g, '$1_$2') // PartiallyFilled -> Partially_Filled
    .toLowerCase()
    .replace(/[\s\-_.]+/g, '_');
}

/** The status a venue's spelling means, worked out from scratch each time (normalizeStatus
 *  remembers the answers). */
export function statusOfSpelling(raw: unknown): VenueStatus {
  if (typeof raw !== 'string' || raw.length > 64) return 'unknown';
  return LOOKUP.get(canonicalSpelling(raw)) ?? 'unknown';
}

/** Spellings already read, with what they mean: a venue uses a handful, each read on every
 *  verification. Bounded, so a venue sending arbitrary text cannot grow it. */
const READ = new BoundedMemo<string, VenueStatus>(256);

/** The status a venue's spelling means; 'unknown' for anything not listed (including non-strings). */
export function normalizeStatus(raw: unknown): VenueStatus {
  if (typeof raw !== 'string' || raw.length > 64) return 'unknown';
  // Every listed spelling is canonical already (canonicalSpelling leaves it as it is).
  return LOOKUP.get(raw) ?? READ.get(raw) ?? READ.remember(raw, statusOfSpelling(raw));
}
