// The Alpaca adapter: execsim's venue ports (Broker, MarketDataPort) on the official SDK v4.
// Commands, queries and the trade_updates stream's events become VenueMessages through the report
// handler: every command and query gets exactly one answer, never a thrown error; no SDK type
// crosses the port; the keys never appear in a report. The adapter composes the parts beside it;
// its decisions (cancel confirmation, fills, timeouts): docs/0066-live-adapter-notes.md.
import { SymbolMarketPort } from '../symbol-market-port.ts';
import type { Symbol, ClientOrderId, VenueOrderId } from '../../core/model/ids.ts';
import type { Instrument } from '../../core/model/instrument.ts';
import type { OrderRequest } from '../../core/model/order.ts';
import type { ConnectionReport } from '../../core/model/reports.ts';
import type { MarketWindow, OrdersCursor, ReportHandler, TapeSlice, TopOfBook } from '../../core/ports/broker.ts';
import type { Clock } from '../../core/ports/clock.ts';
import { ALPACA_EQUITIES } from '../../core/venues/alpaca-equities.ts';
import type { VenueRules } from '../../core/venues/venue-rules.ts';
import type { DailyVolumes, LiveVenue, MarketClockReading } from '../live-venue.ts';
import type { MarketBackfill } from '../market-backfill.ts';
import type { VenueBars } from '../market-history.ts';
import { AlpacaCancelFlow, type CancelConfirmOptions } from './alpaca-cancel-flow.ts';
import { AlpacaClientIds } from './alpaca-client-ids.ts';
import { msOf } from './alpaca-convert.ts';
import { readDailyVolumes } from './alpaca-daily-volume.ts';
import { failureText, redactor, wireFailure } from './alpaca-failures.ts';
import type { AlpacaLink } from './alpaca-link.ts';
import { AlpacaMarketFeed, type MarketFeedOptions } from './alpaca-market-data.ts';
import { AlpacaQueries } from './alpaca-queries.ts';
import { ReportSink } from '../report-sink.ts';
import { RequestSignals } from '../request-signals.ts';
import { alpacaEndpoints, makeAlpacaClient, type AlpacaClient } from './alpaca-sdk.ts';
import { submitOrder } from './alpaca-submit.ts';
import { VenueInstruments } from '../venue-instruments.ts';
import { AlpacaTradeUpdates } from './alpaca-trade-updates.ts';

/** A stream's connection changed: reported as a ConnectionReport on every transition (a
 *  reconnect is disconnected then connected). */
export type ConnectionChange = Omit<ConnectionReport, 'kind'>;

export interface AlpacaAdapterOptions {
  readonly instrument: Instrument;
  /** Every instrument traded on the account, `instrument` first (absent: it alone): orders,
   *  reads, positions and market data cover each, by the symbol Alpaca names. */
  readonly instruments?: readonly Instrument[];
  /** Alpaca's key id and secret (the runtime reads APCA_API_KEY_ID / APCA_API_SECRET_KEY). */
  readonly keyId: string;
  readonly secret: string;
  /** Trading REST base (default Alpaca paper); any other URL receives trading AND market data. */
  readonly baseUrl?: string;
  /** trade_updates websocket; default derived from baseUrl (ws(s)://…/stream). */
  readonly tradeStreamUrl?: string;
  /** Market-data websocket; default `${base as ws}/v2/iex`, or Alpaca's data host for Alpaca's base. */
  readonly dataStreamUrl?: string;
  readonly clock: Clock;
  readonly rules?: VenueRules;
  /**
   * Put before our client order ids on the wire (`<namespace>-<id>`) and taken off what comes
   * back: Alpaca keeps a client id unique forever, and the same scenario run twice on one day
   * derives the same ids, so a paper run names its orders by its run. Orders at the venue
   * without it are not this run's (reconciliation sees them as orphans).
   */
  readonly clientIdNamespace?: string;
  /** Per-request deadline, ms (default 10,000). */
  readonly requestTimeoutMs?: number;
  /** Follow-up lookups after a cancel's 204: how many, and the first delay (doubling). */
  readonly cancelConfirm?: CancelConfirmOptions;
  readonly marketData?: MarketFeedOptions;
  /** First reconnect delay of both streams, ms (SDK default 1 s, doubling to 64 s; retried forever). */
  readonly reconnectInitialMs?: number;
}

type TradeStream = ReturnType<AlpacaClient['trading']['stream']>;

export class AlpacaAdapter implements LiveVenue {
  readonly clientIdMaxLength: number;
  /** Alpaca's `after` and `until` compare submission times. */
  readonly ordersSinceBy = 'submitted' as const;
  private readonly rules: VenueRules;
  private readonly abort = new AbortController();
  /** What the parts share; its report sink also says whether the adapter has stopped. */
  /** The market-data port over the feed's recorders (the traded symbols; empty for others). */
  private readonly market: SymbolMarketPort;
  private readonly link: AlpacaLink;
  private readonly cancels: AlpacaCancelFlow;
  private readonly queries: AlpacaQueries;
  private readonly tradeUpdates: AlpacaTradeUpdates;
  private readonly feed: AlpacaMarketFeed;
  private readonly tradeStreamUrl: string;
  private stream: TradeStream | null = null;
  private started = false;
  /** Takes the key id and secret out of text that leaves the adapter. */
  private readonly scrub: (text: string) => string;

  constructor(private readonly options: AlpacaAdapterOptions) {
    if (options.keyId === '' || options.secret === '')
      throw new Error('Alpaca adapter: key id and secret are required');
    const timeout = options.requestTimeoutMs ?? 10_000;
    if (!Number.isFinite(timeout) || timeout <= 0)
      throw new Error(`Alpaca adapter: requestTimeoutMs must be a positive number, got ${timeout}`);
    const endpoints = alpacaEndpoints(options.baseUrl);
    this.rules = options.rules ?? ALPACA_EQUITIES;
    const ns = options.clientIdNamespace;
    this.clientIdMaxLength = this.rules.clientIdMaxLength - (ns === undefined ? 0 : ns.length + 1);
    const scrub = redactor([options.keyId, options.secret]);
    this.scrub = scrub;
    const reports = new ReportSink(scrub, 'AlpacaAdapter');
    const alpaca = makeAlpacaClient({
      keyId: options.keyId,
      secret: options.secret,
      endpoints,
      requestTimeoutMs: timeout,
    });
    this.tradeStreamUrl = options.tradeStreamUrl ?? endpoints.tradeStreamUrl;
    const requests = new RequestSignals(this.abort.signal, 3 * timeout);
    const instruments = new VenueInstruments(options.instrument, options.instruments);
    this.link = {
      alpaca,
      instruments,
      clock: options.clock,
      get signal() {
        return requests.next();
      },
      ids: new AlpacaClientIds(ns),
      reports,
    };
    this.cancels = new AlpacaCancelFlow(this.link, options.cancelConfirm);
    this.queries = new AlpacaQueries(this.link);
    this.tradeUpdates = new AlpacaTradeUpdates(this.link, this.cancels);
    const reconnect =
      options.reconnectInitialMs === undefined ? {} : { initialReconnectMs: options.reconnectInitialMs };
    this.feed = new AlpacaMarketFeed(
      alpaca,
      instruments.all,
      options.clock,
      options.dataStreamUrl ?? endpoints.dataStreamUrl,
      options.marketData ?? {},
      this.abort.signal,
      (state, reason) => reports.connection('market_data', state, reason),
      reconnect,
      scrub,
    );
    this.market = new SymbolMarketPort(this.feed.feeds);
  }

  setReportHandler(handler: ReportHandler): void {
    this.link.reports.setHandler(handler);
  }

  /**
   * Connects the trade_updates stream and market data. Idempotent. `marketSince`: the earliest
   * time the run will ask market windows about (a resumed run's oldest open parent): the market
   * from then until now is read from the venue's history (see backfilled()).
   */
  start(marketSince?: number): void {
    const reports = this.link.reports;
    if (this.started || reports.stopped) return;
    this.started = true;
    const s = this.link.alpaca.trading.stream({
      url: this.tradeStreamUrl,
      maxReconnectAttempts: -1, // a live run keeps trying; core reconciles when it is back
      ...(this.options.reconnectInitialMs === undefined ? {} : { initialReconnectMs: this.options.reconnectInitialMs }),
    });
    this.stream = s;
    let lastError = '';
    s.onError((e) => (lastError = e));
    // Connected once Alpaca confirms the listen: from then on no event is missed.
    s.on('subscription', (streams: unknown) => {
      if (Array.isArray(streams) && streams.includes('trade_updates'))
        reports.connection('orders', 'connected', 'trade_updates stream listening');
    });
    s.onDisconnect(() => reports.connection('orders', 'disconnected', lastError || 'trade_updates stream closed'));
    s.onTradeUpdate((u) => this.tradeUpdates.onTradeUpdate(u as unknown as Record<string, unknown>));
    void s.whenAuthenticated().then((r) => {
      if (!r.authenticated) reports.connection('orders', 'disconnected', `trade_updates stream: ${r.message}`, true);
    });
    s.subscribeTradeUpdates();
    s.connect();
    this.feed.start(marketSince);
  }

  /** A traded symbol's 1-minute bars starting in [from, until] from the venue's history (a strategy's
   *  warm-up). Never rejects: a failure says why. */
  async minuteBars(symbol: string, from: number, until: number): Promise<VenueBars> {
    const { instruments } = this.link;
    if (instruments.of(symbol) === null)
      return { kind: 'failed', reason: instruments.notTraded(symbol), source: 'alpaca bars' };
    return this.feed.minuteBars(symbol, from, until);
  }

  /** Settles when the history asked for in start() is in, or failed and why (then windows reaching
   *  before the start say they are partial). Never rejects; at once when none was asked. */
  backfilled(): Promise<MarketBackfill> {
    return this.feed.backfilled();
  }

  /**
   * The venue's market clock (GET /v2/clock): whether it trades now and its next open and close
   * (epoch ms). Null when it cannot be read: a paper run then goes by the rules' calendar alone.
   */
  async marketClock(): Promise<MarketClockReading | null> {
    try {
      const c = (await this.link.alpaca.trading.clock.legacyClock({ signal: this.abort.signal })) as unknown as Record<
        string,
        unknown
      >;
      const open = c['isOpen'] ?? c['is_open'];
      if (typeof open !== 'boolean') return null;
      return {
        isOpen: open,
        nextOpen: msOf(c['nextOpen'] ?? c['next_open']),
        nextClose: msOf(c['nextClose'] ?? c['next_close']),
      };
    } catch {
      return null;
    }
  }

  /** The last `days` complete days' volumes of the symbol from its SIP day bars
   *  (alpaca-daily-volume.ts); a failure says why. Never rejects. */
  async dailyVolumes(symbol: string, days: number): Promise<DailyVolumes> {
    const inst = this.link.instruments.of(symbol);
    if (inst === null) return { kind: 'failed', reason: this.link.instruments.notTraded(symbol) };
    try {
      const dailyLots = await readDailyVolumes(this.link.alpaca, inst, this.link.clock.now(), days, this.link.signal);
      return { kind: 'read', dailyLots, source: 'alpaca 1Day bars (sip)' };
    } catch (err) {
      return { kind: 'failed', reason: this.scrub(failureText(wireFailure(err))) };
    }
  }

  /** Closes the streams, cancels timers and in-flight requests; nothing is reported afterwards. */
  async stop(): Promise<void> {
    const reports = this.link.reports;
    if (reports.stopped) return;
    reports.stop();
    this.abort.abort();
    this.cancels.stop();
    this.stream?.disconnect();
    this.stream = null;
    this.feed.stop();
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
    submitOrder(this.link, this.rules, order);
  }

  cancel(clientOrderId: ClientOrderId, venueOrderId: VenueOrderId | null): void {
    this.cancels.cancel(clientOrderId, venueOrderId);
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
