// Market data for the Alpaca adapter (MarketDataPort's source), for each symbol it trades: the
// latest quote over REST at start, then the SDK's stock data stream (IEX feed, one connection for
// every symbol), optionally REST polling as a fallback, all recorded in a bounded MarketRecorder
// per symbol at ARRIVAL time; each symbol's FeedHealth says whether its data works now.
// The market before the start and the warm-up bars: docs/0066-live-adapter-notes.md.
import type { Instrument } from '../../core/model/instrument.ts';
import type { TopOfBook } from '../../core/ports/broker.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Subscription } from 'rxjs';
import { lotsOf, msOf, ticksOf } from './alpaca-convert.ts';
import { failureText, wireFailure } from './alpaca-failures.ts';
import { MAX_SPAN_MS, readMinuteBars } from './alpaca-market-history.ts';
import type { AlpacaClient } from './alpaca-sdk.ts';
import {
  backfillOfSymbols,
  MarketBackfiller,
  readVenueBars,
  type BarSource,
  type MarketBackfill,
} from '../market-backfill.ts';
import type { VenueBars } from '../market-history.ts';
import { MarketRecorder, type RecorderLimits } from '../market-recorder.ts';
import { FeedHealth } from '../feed-health.ts';

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

/** What the bars are, for the events that name where a warm-up came from. */
const BARS_SOURCE = 'alpaca 1Min bars (iex)';

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

/** One symbol's market: its recorder, its feed's health, its history and the last polled trade. */
interface SymbolFeed {
  readonly inst: Instrument;
  readonly recorder: MarketRecorder;
  readonly health: FeedHealth;
  readonly history: MarketBackfiller;
  readonly bars: BarSource;
  lastTradeId: string | null;
}

export class AlpacaMarketFeed {
  /** Each symbol's recorder and health (the port reads them), by symbol, the run's first. */
  readonly feeds: ReadonlyMap<string, SymbolFeed>;
  private stream: DataStream | null = null;
  private poll: Subscription | null = null;
  private stopped = false;

  constructor(
    private readonly alpaca: AlpacaClient,
    instruments: readonly Instrument[],
    private readonly clock: Clock,
    private readonly url: string,
    private readonly options: MarketFeedOptions,
    private readonly signal: AbortSignal,
    private readonly onConnection: ConnectionListener,
    private readonly reconnect: { initialReconnectMs?: number },
    private readonly scrub: (text: string) => string,
  ) {
    const feeds = new Map<string, SymbolFeed>();
    for (const inst of instruments) {
      const recorder = new MarketRecorder(options.limits);
      const bars: BarSource = {
        readBars: (from, until, abort) => readMinuteBars(alpaca, inst, from, until, abort),
        failureText: (err) => failureText(wireFailure(err)),
      };
      const history = new MarketBackfiller(bars, {
        recorder,
        clock,
        timeoutMs: options.historyTimeoutMs ?? 10_000,
        scrub,
      });
      const health = new FeedHealth(options.stream ?? true, (options.pollMs ?? 0) > 0);
      feeds.set(inst.symbol, { inst, recorder, health, history, bars, lastTradeId: null });
    }
    this.feeds = feeds;
  }

  /** Starts recording; `since`: also read the market's history from then (epoch ms, our clock). */
  start(since?: number): void {
    for (const feed of this.feeds.values()) {
      feed.recorder.liveFrom(this.clock.now());
      if (since !== undefined) feed.history.start(since, this.options.stream ?? true);
    }
    void this.pollAll();
    if (this.options.stream ?? true) this.connect();
    const every = this.options.pollMs;
    if (every !== undefined && every > 0) {
      const tick = (): void => {
        if (this.stopped) return;
        void this.pollAll().finally(() => {
          if (!this.stopped) this.poll = this.clock.schedule(tick, every);
        });
      };
      this.poll = this.clock.schedule(tick, every);
    }
  }

  /** Settles once the history asked for in start() is in or has failed, for every symbol (at
   *  once when none was asked). Never rejects. */
  async backfilled(): Promise<MarketBackfill> {
    const feeds = [...this.feeds.values()];
    const outcomes = await Promise.all(feeds.map((f) => f.history.backfilled()));
    return backfillOfSymbols(feeds.map((f, i) => ({ symbol: f.inst.symbol, outcome: outcomes[i] as MarketBackfill })));
  }

  /** The symbol's minute bars starting in [from, until], as they are (a strategy's warm-up; the
   *  latest MAX_SPAN_MS of them at most). Never rejects. */
  minuteBars(symbol: string, from: number, until: number): Promise<VenueBars> {
    const feed = this.feeds.get(symbol);
    if (feed === undefined)
      return Promise.resolve({ kind: 'failed', reason: `the adapter does not trade ${symbol}`, source: BARS_SOURCE });
    return readVenueBars(feed.bars, { from, until, maxSpanMs: MAX_SPAN_MS }, this.signal, this.scrub, BARS_SOURCE);
  }

  stop(): void {
    this.stopped = true;
    for (const feed of this.feeds.values()) feed.history.stop();
    this.poll?.unsubscribe();
    this.poll = null;
    this.stream?.disconnect();
    this.stream = null;
  }

  /** Every symbol's latest quote (and trade), one read after another. */
  private async pollAll(): Promise<void> {
    for (const feed of this.feeds.values()) await this.pollOnce(feed);
  }

  /** The latest quote (and trade, when polling) over REST; a failure leaves the view as it was
   *  and, when polling, is a failure of the feed until a read succeeds. */
  private async pollOnce(feed: SymbolFeed): Promise<void> {
    const { inst, recorder, health } = feed;
    const symbol = inst.symbol;
    if (this.stopped) return;
    try {
      const q = await this.alpaca.marketData.stocks.stockLatestQuoteSingle(
        { symbol, feed: 'iex' },
        { signal: this.signal },
      );
      if (!this.stopped && q.quote) recorder.quote(this.clock.now(), topOf(inst, q.quote));
      if (!this.stopped) health.polledQuote(null);
    } catch (err) {
      // No quote yet (or the data host is down): staleness shows it through lastUpdateAt.
      if (!this.stopped) health.polledQuote(this.scrub(failureText(wireFailure(err))));
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
      const price = ticksOf(inst, trade.p);
      const qty = lotsOf(inst, trade.s);
      if (id !== feed.lastTradeId && price !== null && qty !== null && qty > 0) {
        feed.lastTradeId = id;
        this.recorded(feed, msOf(trade.t), price, qty);
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
      if (this.stopped) return;
      for (const feed of this.feeds.values()) feed.health.connected();
      this.onConnection('connected', 'market data stream authenticated');
    });
    s.onDisconnect(() => {
      if (this.stopped) return;
      const why = lastError || 'market data stream closed';
      for (const feed of this.feeds.values()) feed.health.disconnected(this.scrub(why));
      this.onConnection('disconnected', why);
    });
    // One stream for every symbol: each quote and trade goes to its symbol's recorder.
    s.onQuote((q) => {
      const feed = this.feeds.get(q.symbol);
      if (this.stopped || feed === undefined) return;
      feed.recorder.quote(
        this.clock.now(),
        topOf(feed.inst, { bp: q.bidPrice, bs: q.bidSize, ap: q.askPrice, as: q.askSize }),
      );
    });
    s.onTrade((t) => {
      const feed = this.feeds.get(t.symbol);
      if (this.stopped || feed === undefined) return;
      const price = ticksOf(feed.inst, t.price);
      const qty = lotsOf(feed.inst, t.size);
      if (price !== null && qty !== null && qty > 0) this.recorded(feed, msOf(t.timestamp), price, qty);
    });
    s.on('subscription', (subs: unknown) => {
      const trades = (subs as { trades?: unknown } | null)?.trades;
      if (!Array.isArray(trades)) return;
      for (const feed of this.feeds.values()) if (trades.includes(feed.inst.symbol)) feed.history.streamSubscribed();
    });
    const symbols = [...this.feeds.keys()];
    s.subscribeForQuotes(symbols);
    s.subscribeForTrades(symbols);
    s.connect();
  }

  /** A live trade: recorded at arrival, and kept with the venue's time while history is read. */
  private recorded(feed: SymbolFeed, venueTime: number | null, price: number, qty: number): void {
    feed.recorder.trade(this.clock.now(), price, qty);
    feed.history.live(venueTime, price, qty);
  }
}
