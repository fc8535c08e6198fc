// The Idempotency-Key of POST /runs and POST /sweeps: which run (or sweep) each key started, so
// that a client retrying after a lost answer gets the first answer again instead of a second job.
// A key is remembered in this server process only, for its life (the newest MAX_RUN_KEYS keys), and
// forgotten with its run when the run is deleted; each route keeps its own keys. Why not in the
// store across restarts, as a session's keys are: docs/0093-idempotent-run-starts.md.
import type { HeaderParam } from './route-spec.ts';
import { ProblemError } from './problem.ts';
import { IDEMPOTENCY_KEY } from './idempotent-command.ts';

/** Keys remembered at most; the oldest is forgotten first. */
export const MAX_RUN_KEYS = 10_000;

/** The Idempotency-Key header as POST /runs declares it: the session routes' name, pattern and
 *  replay header, with this route's lifetime. */
export const RUN_IDEMPOTENCY_KEY: HeaderParam = {
  ...IDEMPOTENCY_KEY,
  description:
    'the request’s key: the same request again under it (same body) starts no second run and is answered as the ' +
    'first was, even while that run is going (header Idempotent-Replayed: true); another body under the key is a ' +
    '409. Remembered by this server process until it stops (the newest 10,000 keys), and forgotten when the run ' +
    'it started is deleted',
};

/** The Idempotency-Key header as POST /sweeps declares it: that of POST /runs, for a sweep (which
 *  is never deleted, so its key is kept for the server process's life). */
export const SWEEP_IDEMPOTENCY_KEY: HeaderParam = {
  ...IDEMPOTENCY_KEY,
  description:
    'the request’s key: the same request again under it (same body) starts no second sweep and is answered as ' +
    'the first was, even while that sweep is going (header Idempotent-Replayed: true); another body under the key ' +
    'is a 409. Remembered by this server process until it stops (the newest 10,000 keys)',
};

/** What a key started: the hash of the request that used it, the run's (or sweep's) id, and the
 *  first answer's body. */
export interface KeyedRun<A> {
  readonly hash: string;
  readonly runId: string;
  readonly answer: A;
}

export class RunKeys<A> {
  private readonly byKey = new Map<string, KeyedRun<A>>();
  private readonly keyOfRun = new Map<string, string>();

  /** `route` names the request in a 409 (POST /runs). */
  constructor(
    private readonly route: string,
    private readonly max = MAX_RUN_KEYS,
  ) {}

  /** The run `key` started, or null when the key is new; a 409 when it was used for another
   *  request (another hash). */
  prior(key: string, hash: string): KeyedRun<A> | null {
    const known = this.byKey.get(key);
    if (known === undefined) return null;
    if (known.hash !== hash)
      throw new ProblemError(
        'conflict',
        `the key ${key} was used for another ${this.route} request (other body): a key names one request`,
      );
    return known;
  }

  /** Remembers that `key` started `runId`, answered with `answer`. */
  remember(key: string, run: KeyedRun<A>): void {
    const before = this.byKey.get(key);
    if (before !== undefined) {
      this.byKey.delete(key);
      this.keyOfRun.delete(before.runId);
    }
    this.byKey.set(key, run);
    this.keyOfRun.set(run.runId, key);
    for (const [oldest, r] of this.byKey) {
      if (this.byKey.size <= this.max) break;
      this.byKey.delete(oldest);
      this.keyOfRun.delete(r.runId);
    }
  }

  /** Forgets the key that started `runId` (the run was deleted): the key may start a new run. */
  forgetRun(runId: string): void {
    const key = this.keyOfRun.get(runId);
    if (key === undefined) return;
    this.keyOfRun.delete(runId);
    this.byKey.delete(key);
  }

  /** Keys remembered now. */
  get size(): number {
    return this.byKey.size;
  }
}
