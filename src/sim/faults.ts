// Scheduled, seeded faults of the simulated venue: request, stream, quote and model faults and
// halts. Every decision that changes an outcome is reported through onFault so it lands in the
// event log. What each fault does: docs/0069-core-and-simulator-notes.md.
import type { Rng } from '../core/clock/rng.ts';

interface Window {
  readonly from: number;
  readonly until: number;
}

export type FaultSpec =
  | (Window & {
      readonly kind: 'outage';
      readonly mode: 'timeout_before' | 'timeout_after' | 'mixed';
      readonly timeoutMs: number;
    })
  | (Window & { readonly kind: 'http_5xx'; readonly probability: number })
  /** scope all: request-weight limit (every request); orders: new-order count limit (submits only). */
  | (Window & { readonly kind: 'rate_limit'; readonly probability: number; readonly scope: 'all' | 'orders' })
  | (Window & { readonly kind: 'reject_window'; readonly code: string; readonly reason: string })
  | (Window & { readonly kind: 'lost_reports'; readonly probability: number })
  | (Window & { readonly kind: 'delayed_reports'; readonly delayMs: number })
  | (Window & { readonly kind: 'stale_quotes' })
  | (Window & { readonly kind: 'market_data_outage' })
  | (Window & { readonly kind: 'spread_shift'; readonly factor: number })
  | (Window & { readonly kind: 'liquidity_drop'; readonly depthFactor: number })
  | (Window & { readonly kind: 'halt' })
  | { readonly kind: 'price_jump'; readonly at: number; readonly bps: number };

/** What happens to one request (submit, cancel or query). */
export type RequestFate =
  | { readonly kind: 'deliver' }
  /** No answer; after `timeoutMs` the client gives up. `received`: whether the venue got it. */
  | { readonly kind: 'timeout'; readonly received: boolean; readonly timeoutMs: number }
  /** A 5xx answer: the venue may or may not have processed the request. */
  | { readonly kind: 'server_error'; readonly received: boolean }
  | { readonly kind: 'rate_limited' }
  | { readonly kind: 'rejected'; readonly code: string; readonly reason: string };

/**
 * What becomes of a request, known the moment it is sent (its fate is drawn then). A client of a
 * real venue cannot tell a timeout before receipt from one after; the venue itself can, and says
 * so to a caller that plays the venue (the gateway: an order the venue will act on exists from
 * its request, even when its answer is lost).
 * - 'answered': the venue's verdict comes back (an acknowledgement, a refusal, a 429);
 * - 'unanswered': the venue acts on the request, but its answer is lost (a timeout or a 5xx after
 *   the venue received it);
 * - 'unreceived': the venue never sees the request (a timeout or a 5xx before it got there).
 */
export type Delivery = 'answered' | 'unanswered' | 'unreceived';

export function deliveryOf(fate: RequestFate): Delivery {
  switch (fate.kind) {
    case 'deliver':
    case 'rate_limited':
    case 'rejected':
      return 'answered';
    case 'timeout':
    case 'server_error':
      return fate.received ? 'unanswered' : 'unreceived';
  }
}

export type ReportFate = { readonly kind: 'deliver'; readonly extraDelayMs: number } | { readonly kind: 'lose' };

export class FaultSchedule {
  /** Whether any market-data outage is scheduled (a read of the view checks it first). */
  readonly hasMarketDataOutage: boolean;

  constructor(
    readonly specs: readonly FaultSpec[],
    private readonly rng: Rng,
  ) {
    this.hasMarketDataOutage = specs.some((f) => f.kind === 'market_data_outage');
  }

  private active<K extends FaultSpec['kind']>(kind: K, t: number): Extract<FaultSpec, { kind: K }> | undefined {
    for (const f of this.specs) {
      if (f.kind === kind && 'from' in f && t >= f.from && t < f.until) return f as Extract<FaultSpec, { kind: K }>;
    }
    return undefined;
  }

  /** `submit` requests can also hit reject windows; cancels and queries cannot. */
  requestFate(t: number, isSubmit: boolean): RequestFate {
    const outage = this.active('outage', t);
    if (outage) {
      const received = outage.mode === 'timeout_after' || (outage.mode === 'mixed' && this.rng.next() < 0.5);
      return { kind: 'timeout', received, timeoutMs: outage.timeoutMs };
    }
    const e5 = this.active('http_5xx', t);
    if (e5 && this.rng.next() < e5.probability) return { kind: 'server_error', received: this.rng.next() < 0.5 };
    const rl = this.active('rate_limit', t);
    if (rl && (rl.scope === 'all' || isSubmit) && this.rng.next() < rl.probability) return { kind: 'rate_limited' };
    if (isSubmit) {
      const rw = this.active('reject_window', t);
      if (rw) return { kind: 'rejected', code: rw.code, reason: rw.reason };
    }
    return { kind: 'deliver' };
  }

  /** The fate of one report on the execution stream. */
  reportFate(t: number): ReportFate {
    const lost = this.active('lost_reports', t);
    if (lost && this.rng.next() < lost.probability) return { kind: 'lose' };
    const delayed = this.active('delayed_reports', t);
    return { kind: 'deliver', extraDelayMs: delayed ? delayed.delayMs : 0 };
  }

  /** Whether nothing reaches our market-data view at `t`: a stale-quotes or a market-data-outage
   *  window. */
  quotesStale(t: number): boolean {
    return this.active('stale_quotes', t) !== undefined || this.marketDataDown(t);
  }

  /** Whether any window that holds quotes back (stale quotes, market-data outage) is scheduled. */
  hasStaleQuotes(): boolean {
    return this.specs.some((f) => f.kind === 'stale_quotes' || f.kind === 'market_data_outage');
  }

  /** Whether our market-data path is out at `t` (a market_data_outage window). */
  marketDataDown(t: number): boolean {
    return this.hasMarketDataOutage && this.active('market_data_outage', t) !== undefined;
  }

  /** The largest spread factor any spread shift applies (1 without one). */
  maxSpreadFactor(): number {
    let max = 1;
    for (const f of this.specs) if (f.kind === 'spread_shift') max = Math.max(max, f.factor);
    return max;
  }

  spreadFactor(t: number): number {
    return this.active('spread_shift', t)?.factor ?? 1;
  }

  depthFactor(t: number): number {
    return this.active('liquidity_drop', t)?.depthFactor ?? 1;
  }

  /** Window edges and instants to schedule (start/end events, halts, jumps), in time order. */
  milestones(): Array<{ at: number; spec: FaultSpec; edge: 'start' | 'end' | 'at' }> {
    const out: Array<{ at: number; spec: FaultSpec; edge: 'start' | 'end' | 'at' }> = [];
    for (const spec of this.specs) {
      if (spec.kind === 'price_jump') out.push({ at: spec.at, spec, edge: 'at' });
      else {
        out.push({ at: spec.from, spec, edge: 'start' });
        out.push({ at: spec.until, spec, edge: 'end' });
      }
    }
    return out.sort((a, b) => a.at - b.at);
  }
}
