// What the simulated venue answers when a scheduled fault strikes a request: a 429 (rate limit), a
// refusal inside a reject window, a timeout or a 503 (the venue may still have received and acted
// on it), each with its class and category on the report, since the simulator knows why a
// request failed (a failed read is always transient here; a sent command's outcome is unknown).
// Also the venue's refusal reports from its rules table, shared with the matching path.
import type { ClientOrderId } from '../../core/model/ids.ts';
import type { CancelRejectReport, FailureCategory, VenueMessage } from '../../core/model/reports.ts';
import type { Clock } from '../../core/ports/clock.ts';
import { refusal, type RefusalReason, type VenueRules } from '../../core/venues/venue-rules.ts';
import type { RequestFate } from '../faults.ts';
import type { Channel } from './market-data-feed.ts';

/** A refusal's code and message from the rules table. */
export function refusalReport(
  rules: VenueRules,
  reason: RefusalReason,
  vars: Readonly<Record<string, string>> = {},
): { code: string; reason: string } {
  const { code, message } = refusal(rules, reason, { price: '', symbol: '', field: 'price', ...vars });
  return { code, reason: message };
}

/** A refused cancel with its class from the rules table (not found, transient, not cancelable). */
export function cancelRefusal(
  rules: VenueRules,
  reason: RefusalReason,
  vars: Record<string, string> = {},
): { code: string; reason: string; failure: CancelRejectReport['failure'] } {
  const { failure } = refusal(rules, reason, { price: '', symbol: '', field: 'price', ...vars });
  if (failure !== 'not_found' && failure !== 'transient' && failure !== 'not_cancelable')
    throw new Error(`${rules.id}: a refused cancel cannot be of class ${failure} (${reason})`);
  return { ...refusalReport(rules, reason, vars), failure };
}

export interface FaultedRequestDeps {
  readonly clock: Clock;
  /** The REST answer channel (answers keep their order). */
  readonly rest: Channel;
  readonly rules: VenueRules;
  readonly onFault: (fault: string, detail: string) => void;
  /** The ack leg's latency. */
  readonly ackDelay: () => number;
  /** Hands an answer to our side. */
  readonly answer: (message: VenueMessage) => void;
}

export class FaultedRequests {
  constructor(private readonly deps: FaultedRequestDeps) {}

  /** Answers a request that `fate` struck; `entry` is the order-entry latency already drawn;
   *  `process` is the request's work at the venue (through the matching engine for an order or
   *  a cancel), run when a timed-out request was received all the same. */
  fail(
    fate: Exclude<RequestFate, { kind: 'deliver' }>,
    cid: ClientOrderId | null,
    what: 'submit' | 'cancel' | 'query',
    process: () => VenueMessage,
    query: 'order' | 'open_orders' | 'orders_since' | 'account',
    stamp: { askedAfterSeq?: number; requestId?: string },
    entry: number,
  ): void {
    const { clock, rest, rules, onFault, ackDelay: back, answer } = this.deps;
    const label = `${what} ${cid ?? '(snapshot)'}`;
    const unknown = (reason: string, category: FailureCategory): VenueMessage =>
      what === 'query'
        ? { kind: 'QueryFailedReport', clientOrderId: cid, query, failure: 'transient', category, reason, ...stamp }
        : {
            kind: 'OutcomeUnknownReport',
            clientOrderId: cid as ClientOrderId,
            request: what,
            reason,
            ...(category === 'timeout' || category === 'server' || category === 'network' ? { category } : {}),
          };
    switch (fate.kind) {
      case 'rate_limited':
        onFault('rate_limit', `${label}: 429`);
        rest.send(entry + back(), () =>
          answer(
            what === 'query'
              ? unknown('429 Too Many Requests', 'rate_limit')
              : what === 'submit'
                ? {
                    kind: 'RetryableRejectReport',
                    clientOrderId: cid as ClientOrderId,
                    ...refusalReport(rules, 'rate-limited'),
                  }
                : {
                    kind: 'CancelRejectReport',
                    clientOrderId: cid as ClientOrderId,
                    ...cancelRefusal(rules, 'rate-limited'),
                  },
          ),
        );
        return;
      case 'rejected':
        onFault('reject_window', `${label}: ${fate.reason}`);
        rest.send(entry + back(), () =>
          answer({ kind: 'RejectReport', clientOrderId: cid as ClientOrderId, code: fate.code, reason: fate.reason }),
        );
        return;
      case 'timeout':
      case 'server_error': {
        const detail = fate.kind === 'timeout' ? `timed out after ${fate.timeoutMs} ms` : '503 Service Unavailable';
        onFault(
          fate.kind === 'timeout' ? 'outage' : 'http_5xx',
          `${label}: ${detail}; venue received it: ${fate.received}`,
        );
        if (fate.received) clock.post(() => void process(), entry);
        const wait = fate.kind === 'timeout' ? fate.timeoutMs : entry + back();
        rest.send(wait, () => answer(unknown(detail, fate.kind === 'timeout' ? 'timeout' : 'server')));
        return;
      }
    }
  }
}
