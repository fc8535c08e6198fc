// Market data for the Alpaca adapter (MarketDataPort's source): the latest quote over REST at
// start, then the SDK's stock data stream (IEX feed), optionally REST polling as a fallback, all
// recorded in a bounded MarketRecorder at ARRIVAL time; its FeedHealth says whether it works now.
// The market before the start and the warm-up bars: docs/0066-live-adapter-notes.md.
import type { Instrument } from '../../core/model/instrument.ts';
import type { TopOfBook } from '../../core/ports/broker.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Subscription } from 'rxjs';
import { lotsOf, msOf, ticksOf } from './alpaca-convert.ts';
import { failureText, wireFailure } from './alpaca-failures.ts';
import { MAX_SPAN_MS, readMinuteBars } from './alpaca-market-history.ts';
import type { AlpacaClient } from './alpaca-sdk.ts';
import { MarketBackfiller, readVenueBars, type BarSource, type MarketBackfill } from '../market-backfill.ts';
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

export class AlpacaMarketFeed {
  readonly recorder: MarketRecorder;
  /** Whether the stream (or the polled REST quote) works now: the port's feedFailure. */
  readonly health: FeedHealth;
  private stream: DataStream | null = null;
  private poll: Subscription | null = null;
  private stopped = false;
  private lastTradeId: string | null = null;
  private readonly history: MarketBackfiller;
  private readonly bars: BarSource;

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
    this.health = new FeedHealth(options.stream ?? true, (options.pollMs ?? 0) > 0);
    this.bars = {
      readBars: (from, until, abort) => readMinuteBars(alpaca, inst, from, until, abort),
      failureText: (err) => failureText(wireFailure(err)),
    };
    this.history = new MarketBackfiller(this.bars, {
      recorder: this.recorder,
      clock,
      timeoutMs: options.historyTimeoutMs ?? 10_000,
      scrub,
    });
  }

  /** Starts recording; `since`: also read the market's history from then (epoch ms, our clock). */
  start(since?: number): void {
    this.recorder.liveFrom(this.clock.now());
    if (since !== undefined) this.history.start(since, this.options.stream ?? true);
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
    return this.history.backfilled();
  }

  /** The minute bars starting in [from, until], as they are (a strategy's warm-up; the latest
   *  MAX_SPAN_MS of them at most). Never rejects. */
  minuteBars(from: number, until: number): Promise<VenueBars> {
    return readVenueBars(this.bars, { from, until, maxSpanMs: MAX_SPAN_MS }, this.signal, this.scrub, BARS_SOURCE);
  }

  stop(): void {
    this.stopped = true;
    this.history.stop();
    this.poll?.unsubscribe();
    this.poll = null;
    this.stream?.disconnect();
    this.stream = null;
  }

  /** The latest quote (and trade, when polling) over REST; a failure leaves the view as it was
   *  and, when polling, is a failure of the feed until a read succeeds. */
  private async pollOnce(): Promise<void> {
    const symbol = this.inst.symbol;
    try {
      const q = await this.alpaca.marketData.stocks.stockLatestQuoteSingle(
        { symbol, feed: 'iex' },
        { signal: this.signal },
      );
      if (!this.stopped && q.quote) this.recorder.quote(this.clock.now(), topOf(this.inst, q.quote));
      if (!this.stopped) this.health.polledQuote(null);
    } catch (err) {
      // No quote yet (or the data host is down): staleness shows it through lastUpdateAt.
      if (!this.stopped) this.health.polledQuote(this.scrub(failureText(wireFailure(err))));
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
      if (this.stopped) return;
      this.health.connected();
      this.onConnection('connected', 'market data stream authenticated');
    });
    s.onDisconnect(() => {
      if (this.stopped) return;
      const why = lastError || 'market data stream closed';
      this.health.disconnected(this.scrub(why));
      this.onConnection('disconnected', why);
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
      if (Array.isArray(trades) && trades.includes(this.inst.symbol)) this.history.streamSubscribed();
    });
    s.subscribeForQuotes([this.inst.symbol]);
    s.subscribeForTrades([this.inst.symbol]);
    s.connect();
  }

  /** A live trade: recorded at arrival, and kept with the venue's time while history is read. */
  private recorded(venueTime: number | null, price: number, qty: number): void {
    this.recorder.trade(this.clock.now(), price, qty);
    this.history.live(venueTime, price, qty);
  }
}
