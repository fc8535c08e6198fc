// Market data for the Alpaca adapter (MarketDataPort's source): the latest quote over REST at
// start, then quotes and trades from the SDK's stock data stream (IEX feed, msgpack), optionally
// also REST polling of the latest quote and trade (a fallback where the stream is unavailable).
// Everything is recorded in a bounded MarketRecorder on the adapter's clock at ARRIVAL time.
// Started with an earliest time of interest (a resumed run's oldest open parent), the feed also
// reads the market from then until now from the venue's minute bars (alpaca-market-history.ts)
// once the stream is subscribed, so windows reaching before the start count what traded then.
import type { Instrument } from '../../core/model/instrument.ts';
import type { TopOfBook } from '../../core/ports/broker.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Subscription } from 'rxjs';
import { lotsOf, msOf, ticksOf } from './alpaca-convert.ts';
import { failureText, wireFailure } from './alpaca-failures.ts';
import { BAR_MS, historyBars, readMinuteBars, type LivePrint } from './alpaca-market-history.ts';
import type { AlpacaClient } from './alpaca-sdk.ts';
import { MarketRecorder, type RecorderLimits } from '../market-recorder.ts';

export interface MarketFeedOptions {
  /** Connect the data stream in start() (default true). */
  readonly stream?: boolean;
  /** Poll the latest quote and trade over REST every this many ms (default: no polling). */
  readonly pollMs?: number;
  readonly limits?: RecorderLimits;
  /** How long reading the market's history may take, waiting for the stream included (ms,
   *  default 10,000); the stream is waited for at most half of it. */
  readonly historyTimeoutMs?: number;
}

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

export type ConnectionListener = (state: 'connected' | 'disconnected', reason: string) => void;

type DataStream = ReturnType<AlpacaClient['marketData']['stockStream']>;

/** Alpaca's quote: prices and sizes as numbers; a price of 0 means that side is empty. */
function topOf(inst: Instrument, q: { bp?: unknown; bs?: unknown; ap?: unknown; as?: unknown }): TopOfBook {
  const price = (v: unknown): number | null => (typeof v === 'number' && v > 0 ? ticksOf(inst, v) : null);
  const bid = price(q.bp);
  const ask = price(q.ap);
  return {
    bid,
    bidQty: bid === null ? 0 : (lotsOf(inst, q.bs) ?? 0),
    ask,
    askQty: ask === null ? 0 : (lotsOf(inst, q.as) ?? 0),
  };
}

export class AlpacaMarketFeed {
  readonly recorder: MarketRecorder;
  private stream: DataStream | null = null;
  private poll: Subscription | null = null;
  private stopped = false;
  private lastTradeId: string | null = null;
  /** Live prints recorded while the history is being read (null: not reading it). */
  private liveSeen: LivePrint[] | null = null;
  private subscribed = false;
  private onSubscribed: Array<() => void> = [];
  private history: Promise<MarketBackfill> = Promise.resolve({ kind: 'none' });

  constructor(
    private readonly alpaca: AlpacaClient,
    private readonly inst: Instrument,
    private readonly clock: Clock,
    private readonly url: string,
    private readonly options: MarketFeedOptions,
    private readonly signal: AbortSignal,
    private readonly onConnection: ConnectionListener,
    private readonly reconnect: { initialReconnectMs?: number },
    private readonly scrub: (text: string) => string,
  ) {
    this.recorder = new MarketRecorder(options.limits);
  }

  /** Starts recording; `since`: also read the market's history from then (epoch ms, our clock). */
  start(since?: number): void {
    this.recorder.liveFrom(this.clock.now());
    if (since !== undefined) {
      this.liveSeen = [];
      this.history = this.backfill(since);
    }
    void this.pollOnce();
    if (this.options.stream ?? true) this.connect();
    const every = this.options.pollMs;
    if (every !== undefined && every > 0) {
      const tick = (): void => {
        if (this.stopped) return;
        void this.pollOnce().finally(() => {
          if (!this.stopped) this.poll = this.clock.schedule(tick, every);
        });
      };
      this.poll = this.clock.schedule(tick, every);
    }
  }

  /** Settles once the history asked for in start() is in or has failed (at once when none was
   *  asked). Never rejects. */
  backfilled(): Promise<MarketBackfill> {
    return this.history;
  }

  stop(): void {
    this.stopped = true;
    for (const wake of this.onSubscribed.splice(0)) wake();
    this.poll?.unsubscribe();
    this.poll = null;
    this.stream?.disconnect();
    this.stream = null;
  }

  /** The latest quote (and trade, when polling) over REST; a failure leaves the view as it was. */
  private async pollOnce(): Promise<void> {
    const symbol = this.inst.symbol;
    try {
      const q = await this.alpaca.marketData.stocks.stockLatestQuoteSingle(
        { symbol, feed: 'iex' },
        { signal: this.signal },
      );
      if (!this.stopped && q.quote) this.recorder.quote(this.clock.now(), topOf(this.inst, q.quote));
    } catch {
      // No quote yet (or the data host is down): staleness shows it through lastUpdateAt.
    }
    if (this.options.pollMs === undefined) return;
    try {
      const t = await this.alpaca.marketData.stocks.stockLatestTradeSingle(
        { symbol, feed: 'iex' },
        { signal: this.signal },
      );
      const trade = t.trade as { i?: unknown; p?: unknown; s?: unknown; t?: unknown } | undefined;
      if (this.stopped || !trade) return;
      const id = `${String(trade.i)}@${String(trade.t)}`;
      const price = ticksOf(this.inst, trade.p);
      const qty = lotsOf(this.inst, trade.s);
      if (id !== this.lastTradeId && price !== null && qty !== null && qty > 0) {
        this.lastTradeId = id;
        this.recorded(msOf(trade.t), price, qty);
      }
    } catch {
      // as above
    }
  }

  private connect(): void {
    const s = this.alpaca.marketData.stockStream({
      feed: 'iex',
      url: this.url,
      maxReconnectAttempts: -1,
      ...this.reconnect,
    });
    this.stream = s;
    let lastError = '';
    s.onError((e) => (lastError = e));
    s.onConnect(() => {
      if (!this.stopped) this.onConnection('connected', 'market data stream authenticated');
    });
    s.onDisconnect(() => {
      if (!this.stopped) this.onConnection('disconnected', lastError || 'market data stream closed');
    });
    s.onQuote((q) => {
      if (this.stopped || q.symbol !== this.inst.symbol) return;
      this.recorder.quote(
        this.clock.now(),
        topOf(this.inst, { bp: q.bidPrice, bs: q.bidSize, ap: q.askPrice, as: q.askSize }),
      );
    });
    s.onTrade((t) => {
      if (this.stopped || t.symbol !== this.inst.symbol) return;
      const price = ticksOf(this.inst, t.price);
      const qty = lotsOf(this.inst, t.size);
      if (price !== null && qty !== null && qty > 0) this.recorded(msOf(t.timestamp), price, qty);
    });
    s.on('subscription', (subs: unknown) => {
      const trades = (subs as { trades?: unknown } | null)?.trades;
      if (!Array.isArray(trades) || !trades.includes(this.inst.symbol)) return;
      this.subscribed = true;
      for (const wake of this.onSubscribed.splice(0)) wake();
    });
    s.subscribeForQuotes([this.inst.symbol]);
    s.subscribeForTrades([this.inst.symbol]);
    s.connect();
  }

  /** A live trade: recorded at arrival, and kept with the venue's time while history is read. */
  private recorded(venueTime: number | null, price: number, qty: number): void {
    this.recorder.trade(this.clock.now(), price, qty);
    if (this.liveSeen !== null && venueTime !== null) this.liveSeen.push({ venueTime, price, qty });
  }

  /** Reads the bars from `since` (its minute) to now, after the stream is subscribed (or half the
   *  time allowed has passed), and adds them net of what the stream recorded meanwhile. */
  private async backfill(since: number): Promise<MarketBackfill> {
    const timeoutMs = this.options.historyTimeoutMs ?? 10_000;
    const from = Math.floor(since / BAR_MS) * BAR_MS;
    const abort = new AbortController();
    const onStop = (): void => abort.abort(this.signal.reason);
    this.signal.addEventListener('abort', onStop, { once: true });
    const deadline = this.clock.schedule(() => abort.abort(new Error(`no history within ${timeoutMs} ms`)), timeoutMs);
    try {
      if ((this.options.stream ?? true) && !this.subscribed)
        await new Promise<void>((resolve) => {
          const t = this.clock.schedule(resolve, timeoutMs / 2);
          this.onSubscribed.push(() => {
            t.unsubscribe();
            resolve();
          });
        });
      if (this.stopped) return { kind: 'failed', from, reason: 'the adapter stopped' };
      const until = this.clock.now();
      // What the recorder would drop at once is not asked for: coverage then starts later.
      const start = Math.max(from, Math.floor((until - this.recorder.retainMs) / BAR_MS) * BAR_MS);
      const bars = start < until ? await readMinuteBars(this.alpaca, this.inst, start, until, abort.signal) : [];
      if (this.stopped) return { kind: 'failed', from, reason: 'the adapter stopped' };
      const history = historyBars(bars, this.liveSeen ?? [], until);
      this.recorder.addHistory(history, start, until);
      const volume = history.reduce((sum, b) => sum + b.volume, 0);
      return { kind: 'added', from: start, until, bars: history.length, volume };
    } catch (err) {
      const why = abort.signal.aborted && abort.signal.reason instanceof Error ? abort.signal.reason.message : '';
      return { kind: 'failed', from, reason: this.scrub(why || failureText(wireFailure(err))) };
    } finally {
      this.liveSeen = null;
      deadline.unsubscribe();
      this.signal.removeEventListener('abort', onStop);
    }
  }
}
