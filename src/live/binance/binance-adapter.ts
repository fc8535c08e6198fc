// The Binance spot adapter: execsim's venue ports (Broker, MarketDataPort) on ccxt 4.5
// (ccxt.pro.binance: REST and websockets in one class). Commands, reads and the user data stream's
// events become VenueMessages through the report handler: every command and read gets exactly one
// answer, never a thrown error; no ccxt type crosses the port; the keys and request signatures
// never appear in a report. Its decisions, file by file: docs/0066-live-adapter-notes.md.
import { SymbolMarketPort } from '../symbol-market-port.ts';
import type { ClientOrderId, Symbol, VenueOrderId } from '../../core/model/ids.ts';
import type { Instrument } from '../../core/model/instrument.ts';
import type { OrderRequest } from '../../core/model/order.ts';
import type { MarketWindow, OrdersCursor, ReportHandler, TapeSlice, TopOfBook } from '../../core/ports/broker.ts';
import type { Clock } from '../../core/ports/clock.ts';
import { BINANCE_SPOT } from '../../core/venues/binance-spot.ts';
import type { VenueRules } from '../../core/venues/venue-rules.ts';
import { BoundedSet } from '../bounded-set.ts';
import { HashedClientIdNamespace } from '../hashed-client-id-namespace.ts';
import type { DailyVolumes, LiveVenue } from '../live-venue.ts';
import { backfillOfSymbols, type MarketBackfill } from '../market-backfill.ts';
import type { VenueBars } from '../market-history.ts';
import { redactor } from '../redact-secrets.ts';
import { ReportSink } from '../report-sink.ts';
import { binanceEndpoints, makeBinanceExchange, type BinanceExchange } from './binance-ccxt.ts';
import { CommissionPrices } from './binance-commissions.ts';
import { readDailyKlineVolumes } from './binance-daily-volume.ts';
import { binanceFailure, failureText } from './binance-failures.ts';
import { instrumentRefusal, marketOf } from './binance-filters.ts';
import { InstrumentRefused, type BinanceLink } from './binance-link.ts';
import { ReadyMarkets, type ReadyMarket } from './binance-ready-markets.ts';
import { OrderMarkets } from './binance-order-markets.ts';
import { VenueInstruments } from '../venue-instruments.ts';
import { BinanceMarketFeed, type MarketFeedOptions } from './binance-market-data.ts';
import { BinanceOrderCalls } from './binance-orders.ts';
import { BinanceQueries } from './binance-queries.ts';
import { BinanceUserStream } from './binance-user-stream.ts';

export interface BinanceAdapterOptions {
  readonly instrument: Instrument;
  /** Every instrument traded on the account, `instrument` first (absent: it alone): each is
   *  checked against exchangeInfo, and orders, reads, balances and market data cover each. They
   *  must share one quote asset (the account's one quote balance). */
  readonly instruments?: readonly Instrument[];
  /** The run's id: the client id namespace is derived from it (the same after a resume). */
  readonly runId: string;
  readonly apiKey: string;
  readonly secret: string;
  /** The venue: Demo Mode, the testnet, or a Binance-compatible server (binance-ccxt.ts). */
  readonly url: string;
  readonly clock: Clock;
  readonly rules?: VenueRules;
  /** ccxt's per-request deadline, ms (default 10,000). */
  readonly requestTimeoutMs?: number;
  /** First delay before a stream subscribes again after a failure, ms (default 1,000). */
  readonly reconnectInitialMs?: number;
  readonly marketData?: MarketFeedOptions;
  /** The scenario's quote prices of commission assets (`BNB` -> "600"), before the venue's
   *  ticker (binance-commissions.ts). */
  readonly commissionPrices?: ReadonlyMap<string, string>;
  /** How old a ticker price of a commission asset may be before a fill reads it again, ms
   *  (default a minute). */
  readonly commissionPriceRefreshMs?: number;
}

/** A request's signature in a URL or a JSON body: different on every request, never reported. */
const SIGNATURES = [/signature=[0-9A-Za-z%+/=_-]+/g, /"signature"\s*:\s*"[^"]*"/g];

export class BinanceAdapter implements LiveVenue {
  readonly clientIdMaxLength: number;
  /** allOrders' startTime and endTime compare the order's creation time. */
  readonly ordersSinceBy = 'submitted' as const;
  private readonly abort = new AbortController();
  private readonly ex: BinanceExchange;
  /** The market-data port over the feeds' recorders (the traded symbols; empty for others). */
  private readonly market: SymbolMarketPort;
  private readonly link: BinanceLink;
  private readonly orders: BinanceOrderCalls;
  private readonly queries: BinanceQueries;
  private readonly userStream: BinanceUserStream;
  /** Each traded symbol's market feed, by symbol, the run's first. */
  private readonly feeds: ReadonlyMap<string, BinanceMarketFeed>;
  private markets: Promise<ReadyMarkets> | null = null;
  /** A load of the markets has failed: the next one asks ccxt to load them again. */
  private marketsFailed = false;
  private started = false;

  constructor(options: BinanceAdapterOptions) {
    if (options.apiKey === '' || options.secret === '')
      throw new Error('Binance adapter: the key and secret are required');
    const timeout = options.requestTimeoutMs ?? 10_000;
    if (!Number.isFinite(timeout) || timeout <= 0)
      throw new Error(`Binance adapter: requestTimeoutMs must be a positive number, got ${timeout}`);
    const rules = options.rules ?? BINANCE_SPOT;
    const ids = new HashedClientIdNamespace(options.runId, rules.clientIdMaxLength);
    this.clientIdMaxLength = ids.localMaxLength;
    const scrub = redactor([options.apiKey, options.secret], SIGNATURES);
    this.ex = makeBinanceExchange({
      apiKey: options.apiKey,
      secret: options.secret,
      endpoints: binanceEndpoints(options.url),
      requestTimeoutMs: timeout,
      signal: this.abort.signal,
    });
    const instruments = new VenueInstruments(options.instrument, options.instruments);
    this.link = {
      ex: this.ex,
      instruments,
      clock: options.clock,
      ids,
      reports: new ReportSink(scrub, 'BinanceAdapter'),
      executions: new BoundedSet(100_000),
      orderMarkets: new OrderMarkets(),
      commissions: new CommissionPrices(
        this.ex,
        options.clock,
        options.commissionPrices,
        options.commissionPriceRefreshMs,
      ),
      scrubbed: scrub,
      ready: () => this.ready(),
    };
    this.orders = new BinanceOrderCalls(this.link, rules);
    this.queries = new BinanceQueries(this.link);
    const reconnect =
      options.reconnectInitialMs === undefined ? {} : { reconnectInitialMs: options.reconnectInitialMs };
    this.userStream = new BinanceUserStream(this.link, this.orders, reconnect);
    const feedOptions = { ...reconnect, ...options.marketData };
    this.feeds = new Map(
      instruments.all.map((inst) => [inst.symbol, new BinanceMarketFeed(this.link, inst, feedOptions)]),
    );
    this.market = new SymbolMarketPort(this.feeds);
  }

  /** The markets, loaded once (again after a failed load) and checked against every instrument. */
  private ready(): Promise<ReadyMarkets> {
    if (this.markets !== null) return this.markets;
    // ccxt keeps a failed load's promise and hands it out again unless asked to reload: after a
    // failure (the venue not listening yet), the markets are asked for anew.
    const reload = this.marketsFailed;
    const load = (async (): Promise<ReadyMarkets> => {
      const markets = await this.ex.loadMarkets(reload);
      const ready = this.link.instruments.all.map((inst, i): ReadyMarket => {
        const market = marketOf(markets, inst.symbol);
        const why = instrumentRefusal(market, inst, 'Binance', i === 0 ? 'instrument' : `otherInstruments[${i - 1}]`);
        if (why !== null || market === undefined) throw new InstrumentRefused(why ?? 'no market');
        return { inst, market, symbol: market.symbol, assets: { base: market.base, quote: market.quote } };
      });
      const first = ready[0] as ReadyMarket;
      const apart = ready.find((r) => r.assets.quote !== first.assets.quote);
      if (apart !== undefined)
        throw new InstrumentRefused(
          `otherInstruments: ${apart.inst.symbol} is quoted in ${apart.assets.quote}, not ${first.assets.quote} as ${first.inst.symbol} is: the account's one quote balance is counted in one asset; nothing was sent`,
        );
      for (const r of ready) this.link.commissions.prime(r.assets);
      return new ReadyMarkets([first, ...ready.slice(1)]);
    })();
    this.markets = load;
    load.catch((err: unknown) => {
      if (!(err instanceof InstrumentRefused) && this.markets === load) {
        this.markets = null;
        this.marketsFailed = true;
      }
    });
    return load;
  }

  async instrumentRefusal(): Promise<string | null> {
    try {
      await this.ready();
      return null;
    } catch (err) {
      return err instanceof InstrumentRefused ? err.message : null;
    }
  }

  setReportHandler(handler: ReportHandler): void {
    this.link.reports.setHandler(handler);
  }

  /** Subscribes to the user data stream and the market streams. Idempotent. `marketSince`: the
   *  earliest time the run will ask market windows about (a resumed run's oldest open parent):
   *  the market from then until now is read from the venue's klines (see backfilled()). */
  start(marketSince?: number): void {
    if (this.started || this.link.reports.stopped) return;
    this.started = true;
    this.userStream.start();
    for (const feed of this.feeds.values()) feed.start(marketSince);
  }

  /** A traded symbol's 1-minute klines starting in [from, until] from the venue's history (a
   *  strategy's warm-up). Never rejects: a failure says why. */
  async minuteBars(symbol: string, from: number, until: number): Promise<VenueBars> {
    const feed = this.feeds.get(symbol);
    if (feed === undefined)
      return { kind: 'failed', reason: this.link.instruments.notTraded(symbol), source: 'binance klines' };
    return feed.minuteBars(from, until);
  }

  /** Settles when the history asked for in start() is in for every symbol, or failed and why
   *  (then windows reaching before the start say they are partial). Never rejects; at once when
   *  none was asked. */
  async backfilled(): Promise<MarketBackfill> {
    const feeds = [...this.feeds];
    const outcomes = await Promise.all(feeds.map(([, feed]) => feed.backfilled()));
    return backfillOfSymbols(feeds.map(([symbol], i) => ({ symbol, outcome: outcomes[i] as MarketBackfill })));
  }

  /** The last `days` complete UTC days' base volumes of a traded symbol from its 1d klines
   *  (binance-daily-volume.ts); a failure says why. Never rejects. */
  async dailyVolumes(symbol: string, days: number): Promise<DailyVolumes> {
    const inst = this.link.instruments.of(symbol);
    if (inst === null) return { kind: 'failed', reason: this.link.instruments.notTraded(symbol) };
    try {
      const ready = (await this.ready()).of(symbol);
      const dailyLots = await readDailyKlineVolumes(
        this.ex,
        ready?.market.id ?? inst.symbol,
        inst,
        this.link.clock.now(),
        days,
      );
      return { kind: 'read', dailyLots, source: 'binance 1d klines' };
    } catch (err) {
      const why = err instanceof InstrumentRefused ? err.message : failureText(binanceFailure(err));
      return { kind: 'failed', reason: this.link.scrubbed(why) };
    }
  }

  /** Closes the websockets, cancels timers and aborts requests in flight; nothing is reported afterwards. */
  async stop(): Promise<void> {
    if (this.link.reports.stopped) return;
    this.link.reports.stop();
    this.link.commissions.stop();
    this.userStream.stop();
    for (const feed of this.feeds.values()) feed.stop();
    this.orders.stop();
    this.abort.abort();
    await this.ex.close();
  }

  // ---- MarketDataPort ----------------------------------------------------------------------

  topOfBook(symbol: Symbol): TopOfBook {
    return this.market.topOfBook(symbol);
  }

  window(symbol: Symbol, from: number, to: number): MarketWindow {
    return this.market.window(symbol, from, to);
  }

  lastUpdateAt(symbol: Symbol): number | null {
    return this.market.lastUpdateAt(symbol);
  }

  tradesSince(symbol: Symbol, cursor: number): TapeSlice {
    return this.market.tradesSince(symbol, cursor);
  }

  feedFailure(symbol: Symbol): string | null {
    return this.market.feedFailure(symbol);
  }

  // ---- Broker ------------------------------------------------------------------------------

  submit(order: OrderRequest): void {
    this.orders.submit(order);
  }

  cancel(clientOrderId: ClientOrderId, venueOrderId: VenueOrderId | null): void {
    this.orders.cancel(clientOrderId, venueOrderId);
  }

  queryOrder(clientOrderId: ClientOrderId, askedAfterSeq?: number): void {
    this.queries.queryOrder(clientOrderId, askedAfterSeq);
  }

  queryOpenOrders(requestId?: string): void {
    this.queries.queryOpenOrders(requestId);
  }

  queryOrdersSince(since: number, limit: number, after?: OrdersCursor, requestId?: string): void {
    this.queries.queryOrdersSince(since, limit, after, requestId);
  }

  queryAccount(requestId?: string): void {
    this.queries.queryAccount(requestId);
  }
}
