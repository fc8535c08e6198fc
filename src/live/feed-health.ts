// Whether a live adapter's market data path works now, as its feed last learned it: the market
// stream connected or down (and why), and, for a feed that polls the latest quote over REST,
// whether the last such read succeeded. The adapter's market-data port answers feedFailure from
// it (the quote fallback in core reads it on every quote: a field read, nothing more). A feed
// starts healthy: before its stream first connects its start read stands, and staleness shows
// through lastUpdateAt as before.

export class FeedHealth {
  private streamDown: string | null = null;
  private pollFailed: string | null = null;
  private pollOkSinceDown = false;

  /**
   * @param polled whether the feed reads the latest quote over REST on a period: then a stream
   * that is down is covered while those reads succeed, and a failed read is a failure.
   * @param streamed whether the feed keeps a market stream.
   */
  constructor(
    private readonly streamed: boolean,
    private readonly polled: boolean,
  ) {}

  /** The stream connected (again). */
  connected(): void {
    this.streamDown = null;
  }

  /** The stream dropped, and why. */
  disconnected(reason: string): void {
    this.streamDown = reason;
    this.pollOkSinceDown = false;
  }

  /** A periodic read of the latest quote succeeded, or failed and why. */
  polledQuote(failure: string | null): void {
    this.pollFailed = failure;
    if (failure === null) this.pollOkSinceDown = true;
  }

  /** Why the market data cannot be trusted now, or null. */
  failure(): string | null {
    if (this.streamed && this.streamDown !== null && !(this.polled && this.pollOkSinceDown && this.pollFailed === null))
      return `market data stream disconnected: ${this.streamDown}`;
    if (this.polled && this.pollFailed !== null && (!this.streamed || this.streamDown !== null))
      return `latest quote read failed: ${this.pollFailed}`;
    return null;
  }
}
