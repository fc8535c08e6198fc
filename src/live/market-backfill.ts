// Reading a venue's market history back when a live feed starts after the time its run will ask
// about (a resumed run's parents began in an earlier process), the same on every venue that serves
// minute bars. The read is bounded in time and its outcome is a value: backfilled() never rejects.
// Design notes: docs/0066-live-adapter-notes.md.
import type { Clock } from '../core/ports/clock.ts';
import { BAR_MS, historyBars, type LivePrint, type MinuteBar, type VenueBars } from './market-history.ts';
import type { MarketRecorder } from './market-recorder.ts';

/** What reading the market's history gave: nothing asked, the span added, or why it failed. */
export type MarketBackfill =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'added';
      readonly from: number;
      readonly until: number;
      readonly bars: number;
      readonly volume: number;
    }
  | { readonly kind: 'failed'; readonly from: number; readonly reason: string };

/** A venue's minute bars, as its adapter reads them. */
export interface BarSource {
  /** The bars starting in [from, until] (`from` a whole minute), in time order. Throws what the
   *  venue's client throws; `signal` aborts the read. */
  readBars(from: number, until: number, signal: AbortSignal): Promise<MinuteBar[]>;
  /** Why a read failed, in the venue's terms (scrubbed before it is reported). */
  failureText(err: unknown): string;
  /** The longest span one read covers (ms): an older start is moved up to it (coverage then
   *  starts there). Unbounded when not said. */
  readonly maxSpanMs?: number;
}

export interface BackfillOptions {
  readonly recorder: MarketRecorder;
  readonly clock: Clock;
  /** How long the read may take, waiting for the stream included (ms); the stream is waited for
   *  at most half of it. */
  readonly timeoutMs: number;
  /** Text bound for the outcome, with the venue's secrets taken out. */
  readonly scrub: (text: string) => string;
}

/** `p`, or the signal's reason once it is aborted, whichever comes first. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * A span of the venue's minute bars read once, as they are (a strategy's warm-up: nothing is
 * recorded): the bars starting in [from, until], at most the latest `maxSpanMs` of them (the
 * source's own limit when it states one). Never rejects: a failure says why, scrubbed.
 */
export async function readVenueBars(
  source: BarSource,
  span: { readonly from: number; readonly until: number; readonly maxSpanMs?: number },
  signal: AbortSignal,
  scrub: (text: string) => string,
  name: string,
): Promise<VenueBars> {
  const limit = Math.min(span.maxSpanMs ?? Infinity, source.maxSpanMs ?? Infinity);
  const start = Math.max(
    span.from,
    Number.isFinite(limit) ? Math.ceil((span.until - limit) / BAR_MS) * BAR_MS : -Infinity,
  );
  try {
    const bars = start <= span.until ? await untilAborted(source.readBars(start, span.until, signal), signal) : [];
    return { kind: 'read', bars, source: name };
  } catch (err) {
    const why = signal.aborted && signal.reason instanceof Error ? signal.reason.message : '';
    return { kind: 'failed', reason: scrub(why || source.failureText(err)), source: name };
  }
}

export class MarketBackfiller {
  /** Live prints recorded while the history is read (null: not reading it). */
  private liveSeen: LivePrint[] | null = null;
  private subscribed = false;
  private stopped = false;
  private started = false;
  private readonly abort = new AbortController();
  private onSubscribed: Array<() => void> = [];
  private outcome: Promise<MarketBackfill> = Promise.resolve({ kind: 'none' });

  constructor(
    private readonly source: BarSource,
    private readonly o: BackfillOptions,
  ) {}

  /** Reads the history from `since` (epoch ms, our clock) on, once; `waitForStream`: first wait
   *  (bounded) for streamSubscribed(). Call it before the feed records anything. */
  start(since: number, waitForStream: boolean): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.liveSeen = [];
    this.outcome = this.read(since, waitForStream);
  }

  /** A live trade the feed recorded: kept, with the venue's time of the print (null: not stated,
   *  not kept), while the history is read. */
  live(venueTime: number | null, price: number, qty: number): void {
    if (this.liveSeen !== null && venueTime !== null) this.liveSeen.push({ venueTime, price, qty });
  }

  /** The feed's trade stream is subscribed: from now on it misses no print. */
  streamSubscribed(): void {
    this.subscribed = true;
    for (const wake of this.onSubscribed.splice(0)) wake();
  }

  /** Settles once the history asked for in start() is in or has failed (at once when none was
   *  asked). Never rejects. */
  backfilled(): Promise<MarketBackfill> {
    return this.outcome;
  }

  /** The adapter stopped: a read in flight is aborted and fails. */
  stop(): void {
    this.stopped = true;
    this.abort.abort(new Error('the adapter stopped'));
    for (const wake of this.onSubscribed.splice(0)) wake();
  }

  private async read(since: number, waitForStream: boolean): Promise<MarketBackfill> {
    const { clock, recorder, timeoutMs } = this.o;
    const from = Math.floor(since / BAR_MS) * BAR_MS;
    const signal = this.abort.signal;
    const deadline = clock.schedule(() => this.abort.abort(new Error(`no history within ${timeoutMs} ms`)), timeoutMs);
    const stopped: MarketBackfill = { kind: 'failed', from, reason: 'the adapter stopped' };
    try {
      if (waitForStream && !this.subscribed)
        await new Promise<void>((resolve) => {
          const t = clock.schedule(resolve, timeoutMs / 2);
          this.onSubscribed.push(() => {
            t.unsubscribe();
            resolve();
          });
        });
      if (this.stopped) return stopped;
      const until = clock.now();
      // What the recorder would drop at once is not asked for, nor what one read does not span:
      // coverage then starts later.
      const kept = Math.floor((until - recorder.retainMs) / BAR_MS) * BAR_MS;
      const span = this.source.maxSpanMs;
      const spanned = span === undefined ? -Infinity : Math.ceil((until - span) / BAR_MS) * BAR_MS;
      const start = Math.max(from, kept, spanned);
      const bars = start < until ? await untilAborted(this.source.readBars(start, until, signal), signal) : [];
      if (this.stopped) return stopped;
      const history = historyBars(bars, this.liveSeen ?? [], until);
      recorder.addHistory(history, start, until);
      const volume = history.reduce((sum, b) => sum + b.volume, 0);
      return { kind: 'added', from: start, until, bars: history.length, volume };
    } catch (err) {
      const why = signal.aborted && signal.reason instanceof Error ? signal.reason.message : '';
      return { kind: 'failed', from, reason: this.o.scrub(why || this.source.failureText(err)) };
    } finally {
      this.liveSeen = null;
      deadline.unsubscribe();
    }
  }
}

/** What reading several symbols' histories gave, as one outcome: one symbol's as it is; of
 *  several, the first failure naming its symbol, else the span every added read covers (none
 *  when none was asked). */
export function backfillOfSymbols(
  outcomes: ReadonlyArray<{ readonly symbol: string; readonly outcome: MarketBackfill }>,
): MarketBackfill {
  if (outcomes.length === 1) return (outcomes[0] as { outcome: MarketBackfill }).outcome;
  let added: Extract<MarketBackfill, { kind: 'added' }> | null = null;
  for (const { symbol, outcome } of outcomes) {
    if (outcome.kind === 'failed') return { ...outcome, reason: `${symbol}: ${outcome.reason}` };
    if (outcome.kind !== 'added') continue;
    added =
      added === null
        ? outcome
        : {
            kind: 'added',
            from: Math.min(added.from, outcome.from),
            until: Math.max(added.until, outcome.until),
            bars: added.bars + outcome.bars,
            volume: added.volume + outcome.volume,
          };
  }
  return added ?? { kind: 'none' };
}
