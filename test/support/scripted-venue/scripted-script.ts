// What a test scripts about the scripted venue (scripted-venue.ts): the requests it records, the
// fate of each, which pushes are lost, and how the venue states its truth.
import type { ClientOrderId } from '../../../src/core/model/ids.ts';
import type { OrderRequest } from '../../../src/core/model/order.ts';
import type { VenueMessage } from '../../../src/core/model/reports.ts';
import type { OrdersCursor } from '../../../src/core/ports/broker.ts';
import type { RefusalReason } from '../../../src/core/venues/venue-rules.ts';

/** One request as the venue received it. */
export interface Call {
  readonly call: 'submit' | 'cancel' | 'query' | 'open' | 'since' | 'account';
  /** The order it is about; null for the snapshot reads. */
  readonly id: ClientOrderId | null;
  readonly at: number;
  readonly order?: OrderRequest;
  readonly askedAfterSeq?: number;
  readonly requestId?: string;
  readonly since?: number;
  readonly limit?: number;
  readonly after?: OrdersCursor;
}

/**
 * What becomes of a request: answered; lost on the way (never reaches the venue, never
 * answered); failed without being processed (a read: a transient failure; a command: a refusal of
 * the rate-limit kind); a lookup answered "no such order" whatever the venue holds; or unanswered,
 * reported unknown by the client `lostAfterMs` after sending, the venue having acted on it unless
 * `received` is false (a timeout before or after the venue got it).
 */
export type Fate =
  | 'answer'
  | 'silent'
  | 'fail'
  | 'not_found'
  | 'rate_limited'
  | { readonly lostAfterMs: number; readonly received?: boolean };

export interface ScriptedVenueScript {
  /** One-way latency of every request, answer and push, ms. */
  readonly latencyMs: number;
  /** The fate of the n-th (1-based) request of its kind (for its order, when it has one). */
  fate(call: Call, n: number): Fate;
  /** A push (a message the venue sends on its own: acks, fills, cancels, expiries) that is lost. */
  pushLost(msg: VenueMessage): boolean;
  /** Called when a cancel reaches the venue, before it is applied (to make a fill win the race). */
  beforeCancel(id: ClientOrderId): void;
  /** The position the venue states, given its truth (a desync when they differ). */
  accountOverride(truth: number): number;
  /** Whether lookups and listings list the trades (else: the cumulative and its average). */
  readonly answerTrades: boolean;
  /** A refusal the venue gives every order that passes its rules (e.g. insufficient-balance). */
  readonly refuseOrders: RefusalReason | null;
  /** false: the venue neither matches an order against its book nor ends a market, IOC or FOK
   *  remainder by itself; only the test fills and ends orders (fill, expire, marketTrade). */
  readonly matches: boolean;
}

export const NEUTRAL_SCRIPT: ScriptedVenueScript = {
  latencyMs: 1,
  fate: () => 'answer',
  pushLost: () => false,
  beforeCancel: () => {},
  accountOverride: (p) => p,
  answerTrades: true,
  refuseOrders: null,
  matches: true,
};
