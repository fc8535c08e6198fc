// Market data of one symbol for the Binance adapter (MarketDataPort's source; an adapter of several
// symbols has one feed each, ccxt carrying their streams on one connection) from its streams: the
// synced order book (bookTicker until then) gives the top of book, the trade stream the tape, all
// recorded in a bounded MarketRecorder at ARRIVAL time; the 'market_data' ConnectionReport and its
// FeedHealth say whether it works. Seeding, life cycle, the market before the start and warm-up
// klines: docs/0066-live-adapter-notes.md.
import type { OrderBook, Ticker } from 'ccxt';
import type { Instrument } from '../../core/model/instrument.ts';
import type { TopOfBook } from '../../core/ports/broker.ts';
import { BoundedSet } from '../bounded-set.ts';
import { MarketBackfiller, readVenueBars, type BarSource, type MarketBackfill } from '../market-backfill.ts';
import type { VenueBars } from '../market-history.ts';
import { MarketRecorder, type RecorderLimits } from '../market-recorder.ts';
import { FeedHealth } from '../feed-health.ts';
import { lotsOf, ticksOf } from '../wire-amounts.ts';
import { withRequestSignal } from './binance-ccxt.ts';
import { binanceFailure, failureText } from './binance-failures.ts';
import { MAX_SPAN_MS, readMinuteKlines } from './binance-klines.ts';
import { InstrumentRefused, type BinanceLink } from './binance-link.ts';
import type { ReadyMarket } from './binance-ready-markets.ts';
import { onSubscriptionAck } from './binance-subscription-acks.ts';
import { StreamSupervisor } from './binance-supervisor.ts';

export interface MarketFeedOptions {
  /** Subscribe to the market streams in start() (default true). */
  readonly stream?: boolean;
  readonly limits?: RecorderLimits;
  /** First delay before subscribing again after a failure (ms, doubling to 30 s). */
  readonly reconnectInitialMs?: number;
  /** How long reading the market's history may take, waiting for the trade stream included (ms,
   *  default 10,000); the stream is waited for at most half of it. */
  readonly historyTimeoutMs?: number;
}

export class BinanceMarketFeed {
  readonly recorder: MarketRecorder;
  /** Whether the market streams work now: the port's feedFailure. */
  readonly health: FeedHealth;
  private readonly supervisors: StreamSupervisor[];
  private readonly tape = new BoundedSet(10_000);
  private readonly history: MarketBackfiller;
  private readonly bars: BarSource;
  /** Aborts a warm-up read in flight when the feed stops. */
  private readonly abort = new AbortController();
  /** ccxt's hash of the trade stream's subscription, once its loop has the market. */
  private tradeHash: string | null = null;
  private bookSynced = false;
  private stopped = false;

  /** What its connection reports say first: the symbol's name when the adapter trades several. */
  private readonly label: string;

  constructor(
    private readonly link: BinanceLink,
    private readonly inst: Instrument,
    private readonly options: MarketFeedOptions = {},
  ) {
    this.label = link.instruments.several ? `${inst.symbol} ` : '';
    this.recorder = new MarketRecorder(options.limits);
    this.health = new FeedHealth(options.stream ?? true, false);
    this.bars = {
      readBars: (from, until, signal) =>
        withRequestSignal(signal, async () => {
          const ready = await this.market();
          return readMinuteKlines(link.ex, ready.market.id ?? inst.symbol, inst, from, until);
        }),
      failureText: (err) => (err instanceof InstrumentRefused ? err.message : failureText(binanceFailure(err))),
      maxSpanMs: MAX_SPAN_MS,
    };
    this.history = new MarketBackfiller(this.bars, {
      recorder: this.recorder,
      clock: link.clock,
      timeoutMs: options.historyTimeoutMs ?? 10_000,
      scrub: link.scrubbed,
    });
    onSubscriptionAck(link.ex, (hash) => {
      if (hash === this.tradeHash) this.history.streamSubscribed();
    });
    const supervise = (name: string, loop: (ready: ReadyMarket, healthy: () => void) => Promise<void>) =>
      new StreamSupervisor(async (healthy) => loop(await this.market(), healthy), {
        clock: link.clock,
        initialDelayMs: options.reconnectInitialMs ?? 1000,
        maxDelayMs: 30_000,
        onFailure: (reason) => {
          if (name === 'order book') this.bookSynced = false;
          const why = `${this.label}${name}: ${link.scrubbed(reason)}`;
          this.health.disconnected(why);
          link.reports.connection('market_data', 'disconnected', why);
        },
      });
    this.supervisors = [
      supervise('order book', (r, h) => this.bookLoop(r, h)),
      supervise('best bid and offer', (r, h) => this.tickerLoop(r, h)),
      supervise('trades', (r, h) => this.tradeLoop(r, h)),
    ];
  }

  /** The symbol's market, once the adapter's markets are ready. */
  private async market(): Promise<ReadyMarket> {
    const ready = (await this.link.ready()).of(this.inst.symbol);
    if (ready === null) throw new InstrumentRefused(`no market for ${this.inst.symbol}`);
    return ready;
  }

  /** Starts recording; `since`: also read the market's history from then (epoch ms, our clock). */
  start(since?: number): void {
    this.recorder.liveFrom(this.link.clock.now());
    if (since !== undefined) this.history.start(since, this.options.stream ?? true);
    if (this.options.stream ?? true) {
      void this.seed();
      for (const s of this.supervisors) s.start();
    }
  }

  /** The best bid and offer over REST, recorded unless a stream's top came first; a failure
   *  leaves the view to the streams (staleness shows through lastUpdateAt). */
  private async seed(): Promise<void> {
    try {
      const ready = await this.market();
      const tickers = await this.link.ex.fetchBidsAsks([ready.symbol]);
      const t = tickers[ready.symbol];
      if (!this.stopped && t !== undefined && this.recorder.lastUpdateAt() === null)
        this.record(tickerTop(this.inst, t));
    } catch {
      // The streams bring the market when they connect.
    }
  }

  /** Settles once the history asked for in start() is in or has failed (at once when none was
   *  asked). Never rejects. */
  backfilled(): Promise<MarketBackfill> {
    return this.history.backfilled();
  }

  /** The 1-minute klines starting in [from, until], as they are (a strategy's warm-up; the latest
   *  MAX_SPAN_MS of them at most). Never rejects. */
  minuteBars(from: number, until: number): Promise<VenueBars> {
    return readVenueBars(this.bars, { from, until }, this.abort.signal, this.link.scrubbed, 'binance 1m klines');
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort(new Error('the adapter stopped'));
    this.history.stop();
    for (const s of this.supervisors) s.stop();
  }

  private async bookLoop(ready: ReadyMarket, healthy: () => void): Promise<void> {
    for (;;) {
      const book = await this.link.ex.watchOrderBook(ready.symbol);
      if (this.stopped) return;
      healthy();
      this.bookSynced = true;
      this.record(topOfBook(this.inst, book));
      this.health.connected();
      this.link.reports.connection('market_data', 'connected', `${this.label}order book synced`);
    }
  }

  private async tickerLoop(ready: ReadyMarket, healthy: () => void): Promise<void> {
    for (;;) {
      const tickers = await this.link.ex.watchBidsAsks([ready.symbol]);
      if (this.stopped) return;
      healthy();
      const t = tickers[ready.symbol];
      if (this.bookSynced || t === undefined) continue;
      this.record(tickerTop(this.inst, t));
    }
  }

  private async tradeLoop(ready: ReadyMarket, healthy: () => void): Promise<void> {
    const { clock } = this.link;
    const { inst } = this;
    this.tradeHash = `trade::${ready.symbol}`;
    for (;;) {
      const trades = await this.link.ex.watchTrades(ready.symbol);
      if (this.stopped) return;
      healthy();
      for (const t of trades) {
        const id = typeof t.id === 'string' ? t.id : null;
        if (id !== null && this.tape.has(id)) continue;
        if (id !== null) this.tape.add(id);
        const price = ticksOf(inst, t.price);
        const qty = lotsOf(inst, t.amount);
        if (price === null || qty === null || qty <= 0) continue;
        this.recorder.trade(clock.now(), price, qty);
        this.history.live(typeof t.timestamp === 'number' ? t.timestamp : null, price, qty);
      }
    }
  }

  /** A top of book, recorded when it differs from the one in force. */
  private record(top: TopOfBook): void {
    const now = this.recorder.topOfBook();
    if (now.bid === top.bid && now.ask === top.ask && now.bidQty === top.bidQty && now.askQty === top.askQty) return;
    this.recorder.quote(this.link.clock.now(), top);
  }
}

/** A best bid and offer (ccxt's ticker) in ticks and lots; a side without a price is null. */
function tickerTop(inst: Instrument, t: Ticker): TopOfBook {
  const bid = typeof t.bid === 'number' && t.bid > 0 ? ticksOf(inst, t.bid) : null;
  const ask = typeof t.ask === 'number' && t.ask > 0 ? ticksOf(inst, t.ask) : null;
  return {
    bid,
    bidQty: bid === null ? 0 : (lotsOf(inst, t.bidVolume ?? 0) ?? 0),
    ask,
    askQty: ask === null ? 0 : (lotsOf(inst, t.askVolume ?? 0) ?? 0),
  };
}

/** The book's best levels in ticks and lots; an empty side is null. */
export function topOfBook(inst: Instrument, book: OrderBook): TopOfBook {
  const level = (side: OrderBook['bids']): { price: number | null; qty: number } => {
    const best = side[0];
    const price = best === undefined ? null : ticksOf(inst, best[0]);
    return { price, qty: price === null || best === undefined ? 0 : (lotsOf(inst, best[1]) ?? 0) };
  };
  const bid = level(book.bids);
  const ask = level(book.asks);
  return { bid: bid.price, bidQty: bid.qty, ask: ask.price, askQty: ask.qty };
}
