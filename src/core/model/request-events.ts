// A request to the node from outside a run's own inputs (an operator or client over HTTP) that
// carried an idempotency key, and what the node decided: logged in the same unit of work as the
// command, so the decision is durable with its effects. The same key again, on the same route,
// is answered from it for as long as the log lives (the node's request journal), whatever the
// signal dedup window; another request under the same key is refused.

/** The command's answer as the log keeps it. `pending`: a reduce-only order or signal waiting
 *  for the venue's position; `waitsFor` names the parent or signal whose decision settles it. */
export interface RequestDecided {
  readonly kind: 'RequestDecided';
  /** The route, as method and path template: 'POST /orders'. */
  readonly route: string;
  /** The idempotency key (the Idempotency-Key header, a parent id, a signal id). */
  readonly key: string;
  /** A hash of the request's parameters and body: the same key with another hash is another request. */
  readonly hash: string;
  readonly outcome: 'accepted' | 'pending' | 'refused';
  /** The ids the command made or touched (accepted). */
  readonly ids: readonly string[];
  /** The refusal's check, code and reason (refused); null otherwise. */
  readonly check: string | null;
  readonly code: string | null;
  readonly reason: string | null;
  /** Pending: the parent (a reduce-only order) or signal (a reduce-only signal) it waits for. */
  readonly waitsFor: { readonly parentId: string } | { readonly signalId: string } | null;
}

export type RequestEvent = RequestDecided;
