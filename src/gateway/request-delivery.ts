// What becomes of an order request, known the moment the gateway sends it: the venue's fault
// schedule decides a request's fate when it is sent (SimVenue and the paper desk draw it before
// the request travels). A client of a real venue cannot tell a timeout before receipt from one
// after; the venue itself can, and the gateway plays the venue: an order the venue will act on
// exists from its request, even when its answer is lost (an outage with `timeout_after` whose
// timeout is shorter than order entry answers before the order reaches the book).
import type { Rng } from '../core/clock/rng.ts';
import { FaultSchedule, type FaultSpec, type RequestFate } from '../sim/faults.ts';

/**
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

/** A fault schedule that remembers the fate of the request sent last, for the book desk. */
export class WatchedFaults extends FaultSchedule {
  private last: RequestFate | null = null;

  constructor(specs: readonly FaultSpec[], rng: Rng) {
    super(specs, rng);
  }

  override requestFate(t: number, isSubmit: boolean): RequestFate {
    const fate = super.requestFate(t, isSubmit);
    this.last = fate;
    return fate;
  }

  /** What becomes of the one request `send` makes (the venue draws its fate as it is sent). */
  deliveryOf(send: () => void): Delivery {
    this.last = null;
    send();
    const fate = this.last as RequestFate | null;
    this.last = null;
    if (fate === null) throw new Error('WatchedFaults: the request drew no fate as it was sent');
    return deliveryOf(fate);
  }
}
