// Binance's order statuses, and ccxt's unified ones, in our words: Binance's REST `status` and
// its stream's `X` (NEW, PENDING_NEW, PARTIALLY_FILLED, FILLED, CANCELED, PENDING_CANCEL,
// REJECTED, EXPIRED, EXPIRED_IN_MATCH: the spot API's order status enum), and ccxt's `status`
// (open, closed, canceled, expired, rejected) when Binance's is missing. Read in any case and with
// any separators; a spelling not listed is 'unknown', never thrown, never guessed, and the
// adapter then reads the order by its fills (binance-convert.ts): never as done.
import type { FillStatus } from '../../core/fills/fill-status.ts';
import { BoundedMemo } from '../../core/model/bounded-memo.ts';

/** Binance's statuses read as ours: the fill statuses of core ('unknown': a spelling we do not
 *  know, or not a string at all). */
type VenueStatus = FillStatus;

/** Spellings per status, already in canonical form (lower case, words joined by "_"). */
const SPELLINGS: Readonly<Record<Exclude<VenueStatus, 'unknown'>, readonly string[]>> = {
  new: ['new', 'pending_new', 'open'],
  partially_filled: ['partially_filled'],
  filled: ['filled'],
  pending_change: ['pending_cancel'],
  canceled: ['canceled'],
  expired: ['expired', 'expired_in_match'],
  rejected: ['rejected'],
};
// Deliberately absent: ccxt's 'closed' (its word for FILLED, but elsewhere any finished order:
// binance-convert.ts reads it as filled only where Binance's own status is missing, and the
// quantities still decide).

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
