// Our client order ids at a venue whose ids are short (Binance: at most 36 characters), where a
// run's `<runId>-<id>` namespace (client-id-namespace.ts) does not fit: a fixed-length prefix
// hashed from the run's id, so a resumed process derives the same prefix and an id that is not
// exactly this prefix followed by a local id is not ours.
// Collisions and lengths: docs/0066-live-adapter-notes.md.
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
