// One abort signal per request to the venue, each aborted when the adapter stops. A vendor SDK
// (Alpaca's v4) adds an 'abort' listener to the signal a request is given, for as long as the
// request runs (its per-attempt deadline); given the adapter's one stop signal, every request in
// flight added a listener to that one signal, and a resume's startup lookups send more than ten
// at once (Node's MaxListenersExceededWarning). Here the stop signal has one listener, which
// aborts the requests' own signals. A request's signal is kept (so that stop can abort it) for `keepMs`, past
// which the SDK's deadline has ended any request given it (callers give the adapter a few request
// timeouts: a signal may serve a lookup and then the DELETE it leads to); older ones are let go as
// new ones are handed out, so what is kept is bounded by the requests of the last `keepMs`.
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
