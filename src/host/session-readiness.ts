// Whether a service session is ready, and every reason it is not, in words: what GET /readyz
// answers (503, "degraded: " and the reasons), the session's readiness gauge, and the refusal of
// an order while not ready. The session gathers the facts between units of work
// (service-session.ts); judging them is here, apart from the session, so each reason is checked by
// itself. Reasons come in a fixed order: stopping, startup, kill switch, circuit breaker, market
// data (missing, stale, on the quote fallback), venue streams, the strategy.
import type { FallbackStatus } from '../core/market/quote-fallback.ts';
import type { NodeStatus } from '../node/node-status.ts';
import type { StrategyStatus } from './live-strategy.ts';

/** Why a session is not ready, in words; empty when it is. */
export interface Readiness {
  readonly ready: boolean;
  readonly reasons: readonly string[];
}

/** What a session's readiness is judged by, as its last unit of work left it. */
export interface ReadinessFacts {
  /** The session was asked to stop. */
  readonly stopping: boolean;
  readonly status: Pick<NodeStatus, 'stopped' | 'gate' | 'killSwitch' | 'breaker' | 'connections'>;
  /** The startup gate opened once (startup reconciliation and recovery complete, or forced). */
  readonly started: boolean;
  /** The latest quote held for each of the session's symbols (its own first), null before the first. */
  readonly quotes: ReadonlyArray<{
    readonly symbol: string;
    readonly quote: { readonly ageMs: number; readonly stale: boolean } | null;
  }>;
  /** The symbols whose market data the node reads from the quote fallback now. */
  readonly fallback: readonly FallbackStatus[];
  /** The live strategy, null when the session runs none. */
  readonly strategy: StrategyStatus['live'] | null;
}

/** Ready, or every reason it is not: startup running or timed out, the kill switch halted, the
 *  circuit breaker tripped (new orders refused until it is reset), market data missing, stale or
 *  degraded, a venue stream disconnected, the strategy not warm yet
 *  or stopped, the session stopping. */
export function assessReadiness(f: ReadinessFacts): Readiness {
  const reasons: string[] = [];
  const { status, quotes, strategy } = f;
  if (f.stopping || status.stopped) reasons.push('the session is stopping');
  if (typeof status.gate === 'object') reasons.push(status.gate.waiting);
  else if (!f.started) reasons.push('not ready: startup reconciliation is running');
  if (status.killSwitch === 'halted') reasons.push('the kill switch is halted');
  if (status.breaker.tripped)
    reasons.push(`the circuit breaker is tripped${status.breaker.reason === null ? '' : `: ${status.breaker.reason}`}`);
  // A session of one symbol says it plainly; of several, each reason names its symbol.
  const named = quotes.length > 1;
  for (const { symbol, quote } of quotes) {
    const of = named ? ` of ${symbol}` : '';
    if (quote === null) reasons.push(`no market data${of} yet`);
    else if (quote.stale) reasons.push(`market data stale: the latest quote${of} is ${quote.ageMs} ms old`);
  }
  for (const s of f.fallback) reasons.push(degradedReason(s));
  for (const [stream, state] of Object.entries(status.connections))
    if (state !== 'connected') reasons.push(`venue stream ${stream} ${state}`);
  if (strategy) {
    if (strategy.stopped && !f.stopping) reasons.push(`strategy ${strategy.name} has stopped`);
    for (const why of strategy.notHydrated) reasons.push(`strategy ${strategy.name} not hydrated: ${why}`);
  }
  return { ready: reasons.length === 0, reasons };
}

/** A readiness reason for a symbol on the quote fallback. */
function degradedReason(f: FallbackStatus): string {
  const age = f.fallbackAgeMs === null ? null : Math.round(f.fallbackAgeMs);
  if (f.onFallback)
    return `market data degraded: ${f.symbol} reads fallback quotes (${f.reason}; the newest is ${age} ms old)`;
  const newest =
    age === null ? 'no fallback quote is held' : `the newest fallback quote is ${age} ms old, past its limit`;
  return `market data degraded: ${f.symbol} has no quote (${f.reason}; ${newest})`;
}
