// Multi-method verification of one observation of an order.
// Four independent methods read the same venue answer: status field, quantity match, fill price,
// timestamps. Each makes a claim about how much filled; the claims are intersected:
// - filled: at least one method confirms a full fill (any method suffices), no method
//   claims less and the quantities are valid, so "status FILLED, filled qty 0, no price" is NOT filled;
// - partially_filled: otherwise, when the quantities say 0 < filled < ordered;
// - not_filled: otherwise. Every disagreement and invalid field is recorded as a contradiction.
import { FILL_STATUS_OF, type FillStatus, type ObservedStatus } from './fill-status.ts';

/** One venue answer about an order, as plain data. Quantities in lots, prices in ticks, times epoch ms. */
export interface FillObservation {
  /** The order's status in our names (our order's, or a status report's). */
  readonly status: ObservedStatus;
  /** The order quantity the venue reports, if any. */
  readonly qty: number | null;
  readonly filledQty: number | null;
  /** Average fill price; 0 or null while nothing filled. */
  readonly avgPrice: number | null;
  /** When the venue says the order became fully filled (Alpaca filled_at); null if it does not say. */
  readonly filledAt: number | null;
  /** When the venue (or we) recorded the submission. */
  readonly submittedAt: number;
}
/** What we ordered. */
export interface ExpectedFill {
  readonly qty: number;
}

export const FILL_METHODS = ['status', 'quantity', 'price', 'timestamp'] as const;
export type FillMethod = (typeof FILL_METHODS)[number];
/** A method's claim: full, partial, some (full or partial), none, not_full (partial or none),
 *  abstain (no data, or invalid data: then it also disagrees). */
export type MethodClaim = 'full' | 'partial' | 'some' | 'none' | 'not_full' | 'abstain';
export type FillOutcome = 'filled' | 'partially_filled' | 'not_filled';

export interface Verification {
  readonly outcome: FillOutcome;
  /** Lots confirmed filled: the order's qty when filled, the observed lots when partial, else 0. */
  readonly filledQty: number;
  readonly remainingQty: number;
  readonly status: FillStatus;
  readonly claims: Readonly<Record<FillMethod, MethodClaim>>;
  readonly agreed: readonly FillMethod[];
  readonly disagreed: readonly FillMethod[];
  readonly contradictions: readonly string[];
  /** See confidenceScore. */
  readonly confidence: number;
}

type Check = { claim: MethodClaim; invalid?: string };

const STATUS_CLAIM: Record<FillStatus, MethodClaim> = {
  filled: 'full',
  partially_filled: 'partial',
  new: 'none',
  rejected: 'none',
  pending_change: 'not_full',
  canceled: 'not_full',
  expired: 'not_full',
  unknown: 'abstain',
};

function checkQuantity(o: FillObservation, ordered: number): Check {
  if (o.qty !== null && o.qty !== ordered)
    return {
      claim: 'abstain',
      invalid: `quantity: the venue's order qty ${o.qty} differs from the ${ordered} lots ordered`,
    };
  if (o.filledQty === null) return { claim: 'abstain' };
  const f = o.filledQty;
  if (!Number.isSafeInteger(f) || f < 0)
    return { claim: 'abstain', invalid: `quantity: filled qty ${f} is not a whole number of lots >= 0` };
  if (f > ordered)
    return { claim: 'abstain', invalid: `quantity: filled qty ${f} exceeds the ${ordered} lots ordered` };
  return { claim: f === ordered ? 'full' : f === 0 ? 'none' : 'partial' };
}

function checkPrice(o: FillObservation): Check {
  if (o.avgPrice === null) return { claim: 'abstain' };
  if (!Number.isFinite(o.avgPrice) || o.avgPrice < 0)
    return { claim: 'abstain', invalid: `price: average fill price ${o.avgPrice} is not a number >= 0` };
  return { claim: o.avgPrice > 0 ? 'some' : 'none' };
}

function checkTimestamp(o: FillObservation): Check {
  if (o.filledAt === null) return { claim: 'abstain' };
  if (!Number.isFinite(o.filledAt) || !Number.isFinite(o.submittedAt))
    return {
      claim: 'abstain',
      invalid: `timestamp: filled_at ${o.filledAt} or submitted_at ${o.submittedAt} is not a time`,
    };
  if (o.filledAt < o.submittedAt)
    return { claim: 'abstain', invalid: `timestamp: filled_at ${o.filledAt} is before submission at ${o.submittedAt}` };
  return { claim: 'full' };
}

/**
 * Confidence in [0, 1]: (agreeing / 4) x (1 - disagreeing / 4), over the four methods. All four
 * agreeing gives 1; each abstaining method lowers it (less evidence), each disagreeing or invalid
 * one lowers it more. Non-decreasing in `agreeing` for a fixed `disagreeing`, and vice versa.
 */
export function confidenceScore(agreeing: number, disagreeing: number): number {
  const n = FILL_METHODS.length;
  return (Math.min(Math.max(agreeing, 0), n) / n) * (1 - Math.min(Math.max(disagreeing, 0), n) / n);
}

/** Which of full, partial, none each claim allows, as bits. */
const FULL = 1;
const PARTIAL = 2;
const NONE = 4;
const CLAIM_BITS: Record<MethodClaim, number> = {
  full: FULL,
  partial: PARTIAL,
  some: FULL | PARTIAL,
  none: NONE,
  not_full: PARTIAL | NONE,
  abstain: FULL | PARTIAL | NONE,
};
const OUTCOME_BITS: Record<FillOutcome, number> = { filled: FULL, partially_filled: PARTIAL, not_filled: NONE };
/** The status method's check per status: one shared object each (a check is never changed). */
const STATUS_CHECK = Object.fromEntries(
  Object.entries(STATUS_CLAIM).map(([status, claim]) => [status, Object.freeze({ claim })]),
) as Record<FillStatus, Check>;

// Runs on every observation of every watched order: the methods are walked by index, with the
// claims as bit sets, so a verification allocates its result and little else.
export function verifyFill(observation: FillObservation, expected: ExpectedFill): Verification {
  const ordered = expected.qty;
  if (!Number.isSafeInteger(ordered) || ordered <= 0)
    throw new RangeError(`verifyFill: ordered qty must be a positive whole number of lots, got ${ordered}`);
  const status = FILL_STATUS_OF[observation.status];
  const quantity = checkQuantity(observation, ordered);
  // In the order of FILL_METHODS.
  const checks: readonly Check[] = [
    STATUS_CHECK[status],
    quantity,
    checkPrice(observation),
    checkTimestamp(observation),
  ];
  const n = checks.length;
  const contradictions: string[] = [];
  for (let i = 0; i < n; i++) {
    const invalid = (checks[i] as Check).invalid;
    if (invalid !== undefined) contradictions.push(invalid);
  }
  // Pairs of speaking (not abstaining) methods that allow nothing in common; and what every
  // speaking method allows at once (FULL alone when they all fit a full fill only).
  let allowed = FULL | PARTIAL | NONE;
  let confirmsFull = false;
  for (let i = 0; i < n; i++) {
    const a = (checks[i] as Check).claim;
    if (a === 'abstain') continue;
    const bits = CLAIM_BITS[a];
    allowed &= bits;
    if (a === 'full') confirmsFull = true;
    for (let j = i + 1; j < n; j++) {
      const b = (checks[j] as Check).claim;
      if (b !== 'abstain' && (bits & CLAIM_BITS[b]) === 0)
        contradictions.push(`${FILL_METHODS[i]} says ${a}, ${FILL_METHODS[j]} says ${b}`);
    }
  }
  // Invalid quantities veto a fill; an invalid price or timestamp is recorded but does not (a
  // venue clock a few ms off ours must not hide a fill that status and quantity confirm).
  const quantityValid = quantity.invalid === undefined;
  const outcome: FillOutcome =
    confirmsFull && quantityValid && allowed === FULL
      ? 'filled'
      : quantity.claim === 'partial'
        ? 'partially_filled'
        : 'not_filled';
  const letter = OUTCOME_BITS[outcome];
  const agreed: FillMethod[] = [];
  const disagreed: FillMethod[] = [];
  for (let i = 0; i < n; i++) {
    const c = checks[i] as Check;
    const method = FILL_METHODS[i] as FillMethod;
    const speaking = c.claim !== 'abstain';
    const agrees = speaking && (CLAIM_BITS[c.claim] & letter) !== 0;
    if (agrees) agreed.push(method);
    if (c.invalid !== undefined || (speaking && !agrees)) disagreed.push(method);
  }
  const filledQty =
    outcome === 'filled' ? ordered : outcome === 'partially_filled' ? (observation.filledQty as number) : 0;
  return {
    outcome,
    filledQty,
    remainingQty: ordered - filledQty,
    status,
    claims: {
      status: (checks[0] as Check).claim,
      quantity: quantity.claim,
      price: (checks[2] as Check).claim,
      timestamp: (checks[3] as Check).claim,
    },
    agreed,
    disagreed,
    contradictions,
    confidence: confidenceScore(agreed.length, disagreed.length),
  };
}
