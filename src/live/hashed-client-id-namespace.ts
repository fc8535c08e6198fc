// Our client order ids at a venue whose ids are short (Binance: at most 36 characters of
// [A-Za-z0-9_-]), where a run's `<runId>-<id>` namespace (client-id-namespace.ts) does not fit.
// The namespace is a fixed-length prefix hashed from the run's id: the run id is stored with the
// run, so a resumed process derives the same prefix (nothing of it lives only in memory); run ids
// are unique, so two runs of one scenario, on one day or on two, get different prefixes; and since
// every prefix has the same length, an id that is not exactly this prefix followed by a local id
// is not ours. The venue's ids of another run can equal ours only if their prefixes collide: 60
// bits of SHA-256, one chance in about 10^18 for any two runs. The local ids get what is left of
// the venue's limit (Broker.clientIdMaxLength), 25 characters at Binance: core's ids are then 'x'
// and 24 hex digits (96 bits).
import { createHash } from 'node:crypto';
import type { ClientOrderId } from '../core/model/ids.ts';

/** The prefix's length: one letter that marks the scheme, then 10 base64url characters (60 bits). */
export const HASHED_PREFIX_LENGTH = 11;

export class HashedClientIdNamespace {
  /** What every one of our ids at the venue starts with. */
  readonly prefix: string;
  /** The longest local id that fits the venue's limit behind the prefix. */
  readonly localMaxLength: number;

  constructor(runId: string, venueMaxLength: number) {
    if (runId === '') throw new Error('a client id namespace needs a run id');
    if (venueMaxLength - HASHED_PREFIX_LENGTH < 8)
      throw new Error(`a venue limit of ${venueMaxLength} characters leaves no room for a local id behind the prefix`);
    const digest = createHash('sha256').update(`execsim client ids\u0000${runId}`).digest('base64url');
    this.prefix = `E${digest.slice(0, HASHED_PREFIX_LENGTH - 1)}`;
    this.localMaxLength = venueMaxLength - HASHED_PREFIX_LENGTH;
  }

  /** Our client id as the venue knows it. */
  wire(cid: ClientOrderId): string {
    return this.prefix + cid;
  }

  /** A client id from the venue as we know it, or null when it is not in this run's namespace
   *  (another run's, or an order placed outside execsim). */
  local(wire: string): string | null {
    return wire.length > this.prefix.length && wire.startsWith(this.prefix) ? wire.slice(this.prefix.length) : null;
  }
}
