// One abort signal per request to the venue, each aborted when the adapter stops, so the stop
// signal has one listener rather than one per request in flight (Alpaca's SDK adds one to the
// signal each request is given). What is kept is bounded by the requests of the last `keepMs`.
// Design notes: docs/0066-live-adapter-notes.md.
export class RequestSignals {
  /** The signals handed out and not yet let go, with when (oldest first: a Map keeps insertion order). */
  private readonly open = new Map<AbortController, number>();

  constructor(
    private readonly stop: AbortSignal,
    private readonly keepMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    stop.addEventListener(
      'abort',
      () => {
        for (const c of this.open.keys()) c.abort(stop.reason);
        this.open.clear();
      },
      { once: true },
    );
  }

  /** A signal for one request (or one short sequence of them); already aborted after stop. */
  next(): AbortSignal {
    if (this.stop.aborted) return AbortSignal.abort(this.stop.reason);
    const at = this.now();
    for (const [c, handedOut] of this.open) {
      if (at - handedOut < this.keepMs) break;
      this.open.delete(c);
    }
    const c = new AbortController();
    this.open.set(c, at);
    return c.signal;
  }

  /** Signals kept (tests). */
  get kept(): number {
    return this.open.size;
  }
}
