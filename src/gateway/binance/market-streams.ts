// Binance's market streams at the gateway: raw streams at /ws/<stream> and combined streams at
// /stream?streams=<a>/<b>, with Binance's control requests (SUBSCRIBE, LIST_SUBSCRIPTIONS, ...:
// stream-control.ts).
// Depth, bookTicker, trade and kline events of every served symbol (each stream its symbol's
// market: symbol-market.ts), and once a second its tickers and avgPrice (ticker-streams.ts),
// through the scenario's stream stalls; a stream of a symbol the gateway does not serve sends
// nothing, as Binance's; pings and lifetime: socket-life.ts.
// Streams, errors and timing: docs/0068-gateway-notes.md.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FeedQuote, TapePrint } from '../market-feed.ts';
import type { DepthDiff } from './depth-book.ts';
import { mergeDiffs } from './depth-book.ts';
import { KlineBuckets, type Kline } from './public-tape.ts';
import type { SymbolMarket } from './symbol-market.ts';
import { closeAll } from '../close-sockets.ts';
import { SocketLife, type SocketLifeSettings } from './socket-life.ts';
import { answerControl, type Subscriptions } from './stream-control.ts';
import { parseStream, type StreamSpec } from './stream-names.ts';
import { TickerMoment } from './ticker-streams.ts';
import { price8, qty8, quote8, ZERO8 } from './wire.ts';

interface Client extends Subscriptions {
  /** Diffs waiting for a 1000 ms depth stream's second, by stream name. */
  readonly pending: Map<string, DepthDiff[]>;
  /** The update id a partial-depth stream last sent. */
  readonly partialSent: Map<string, number>;
  /** Per kline stream: the interval it last sent (at first, the one it was subscribed in), and
   *  what it sent of it. */
  readonly klineSent: Map<string, KlineSent>;
  /** Per all-market ticker stream: each symbol's statistics it last sent. */
  readonly tickersSent: Map<string, Map<string, string>>;
}

/** What a symbol's streams read. */
export type StreamMarket = Pick<SymbolMarket, 'inst' | 'feed' | 'tape' | 'depth'>;

export interface MarketStreamsOptions {
  /** Every served symbol's market, the first served first. */
  readonly markets: readonly StreamMarket[];
  /** The venue's time now (skew applied). */
  readonly now: () => number;
  readonly life: SocketLifeSettings;
  /** Sends events through the scenario's stream stalls. */
  readonly gate: { send(deliver: () => void): void };
}

const TICK_MS = 100;

/** What a kline stream sent last: the start of its interval, and the kline's count, close and
 *  volume then ('' for nothing sent of it). */
export interface KlineSent {
  readonly start: number;
  readonly seen: string;
}

/** A kline stream just subscribed: its interval is the one of now, of which it sent nothing. */
export function klineSubscribed(interval: string, now: number): KlineSent {
  return { start: new KlineBuckets(interval).start(now), seen: '' };
}

/**
 * One second of a kline stream whose interval now starts at `start`: the closed kline of the
 * interval it sent last when that one ended since and had trades (`closedAt(sent.start)`), then
 * the interval of now's kline (`current`) when it has trades it has not sent. An interval that
 * ended counts from the one the stream was subscribed in, so its trades between the subscription
 * and the stream's first second are sent as they close, as Binance does.
 */
export function klineStep(
  sent: KlineSent,
  start: number,
  closedAt: (from: number) => Kline | undefined,
  current: Kline | undefined,
): { events: Array<[Kline, boolean]>; sent: KlineSent } {
  const events: Array<[Kline, boolean]> = [];
  if (sent.start < start) {
    const closed = closedAt(sent.start);
    if (closed) events.push([closed, true]);
  }
  const seen = current ? `${current.count}:${current.close}:${current.volume}` : '';
  if (current && (sent.start !== start || sent.seen !== seen)) events.push([current, false]);
  return { events, sent: { start, seen } };
}

export class MarketStreams {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false });
  private readonly clients = new Map<WebSocket, Client>();
  private readonly life: SocketLife;
  private readonly timer: NodeJS.Timeout;
  private ticks = 0;
  private readonly bySymbol: ReadonlyMap<string, StreamMarket>;

  constructor(private readonly o: MarketStreamsOptions) {
    this.life = new SocketLife(o.life);
    this.bySymbol = new Map(o.markets.map((m) => [m.inst.symbol as string, m]));
    for (const m of o.markets) {
      m.feed.onNews((prints, quote) => this.news(m, prints, quote));
      m.depth.onDiff((diff) => this.diff(m, diff));
    }
    this.timer = setInterval(() => this.tick(), TICK_MS).unref();
  }

  /** Whether a path is one of the market streams' endpoints. */
  static serves(path: string): boolean {
    return path === '/ws' || path.startsWith('/ws/') || path === '/stream' || path === '/stream/';
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://gateway');
    const combined = url.pathname.startsWith('/stream');
    const names = combined
      ? (url.searchParams.get('streams') ?? '').split('/')
      : url.pathname.slice('/ws'.length).split('/');
    this.wss.handleUpgrade(req, socket, head, (ws) =>
      this.connected(
        ws,
        combined,
        names.filter((n) => n !== ''),
      ),
    );
  }

  get size(): number {
    return this.clients.size;
  }

  /** How many connections are subscribed to a stream name now. */
  subscribers(name: string): number {
    return [...this.clients.values()].filter((c) => c.subs.has(name)).length;
  }

  /** Sends serverShutdown to every client and closes the streams. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    const E = Date.now();
    this.life.shutdown((ws) =>
      JSON.stringify(
        this.clients.get(ws)?.combined
          ? { stream: '!serverShutdown', data: { e: 'serverShutdown', E } }
          : { e: 'serverShutdown', E },
      ),
    );
    await closeAll(this.wss, [...this.clients.keys()]);
  }

  private connected(ws: WebSocket, combined: boolean, names: string[]): void {
    const client: Client = {
      combined,
      subs: new Map(),
      pending: new Map(),
      partialSent: new Map(),
      klineSent: new Map(),
      tickersSent: new Map(),
      forget: (name) => {
        for (const kept of [client.pending, client.partialSent, client.klineSent, client.tickersSent])
          kept.delete(name);
      },
      started: (name, spec) => {
        if (spec.kind === 'kline') client.klineSent.set(name, klineSubscribed(spec.interval, this.o.now()));
      },
    };
    for (const name of names) {
      const spec = parseStream(name);
      if (spec) {
        client.subs.set(name, spec);
        client.started(name, spec);
      }
    }
    this.clients.set(ws, client);
    this.life.watch(ws);
    ws.on('close', () => this.clients.delete(ws));
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) =>
      answerControl(client, data as Buffer, isBinary, (body) => this.reply(ws, body)),
    );
  }

  // ---- control messages ------------------------------------------------------------------

  private reply(ws: WebSocket, body: unknown): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(body));
  }

  // ---- events ------------------------------------------------------------------------------

  /** The clients' subscriptions to `m`'s symbol of a kind, as [ws, client, name, spec]. */
  private *subscribed<K extends StreamSpec['kind']>(
    m: StreamMarket,
    kind: K,
  ): Generator<[WebSocket, Client, string, Extract<StreamSpec, { kind: K }>]> {
    for (const [ws, c] of this.clients)
      for (const [name, spec] of c.subs)
        if (spec.kind === kind && spec.symbol === m.inst.symbol)
          yield [ws, c, name, spec as Extract<StreamSpec, { kind: K }>];
  }

  private event(ws: WebSocket, c: Client, stream: string, data: unknown): void {
    const frame = JSON.stringify(c.combined ? { stream, data } : data);
    this.o.gate.send(() => {
      if (ws.readyState === ws.OPEN) ws.send(frame);
    });
  }

  private news(m: StreamMarket, prints: readonly TapePrint[], quote: FeedQuote | null): void {
    const i = m.inst;
    const s = i.symbol;
    const E = this.o.now();
    const trades: Array<[WebSocket, Client, string, 'trade' | 'aggTrade']> = [
      ...[...this.subscribed(m, 'trade')].map(
        ([ws, c, name]) => [ws, c, name, 'trade'] as [WebSocket, Client, string, 'trade'],
      ),
      ...[...this.subscribed(m, 'aggTrade')].map(
        ([ws, c, name]) => [ws, c, name, 'aggTrade'] as [WebSocket, Client, string, 'aggTrade'],
      ),
    ];
    for (const [ws, c, name, kind] of trades)
      for (const p of prints) {
        const maker = m.tape.isBuyerMaker(p);
        const T = p.time + m.tape.skewMs;
        const [price, qty] = [price8(i, p.price), qty8(i, p.qty)];
        this.event(
          ws,
          c,
          name,
          kind === 'trade'
            ? { e: 'trade', E, s, t: p.id, p: price, q: qty, T, m: maker, M: true }
            : { e: 'aggTrade', E, s, a: p.id, p: price, q: qty, f: p.id, l: p.id, T, m: maker, M: true },
        );
      }
    if (quote === null) return;
    const tickers = [...this.subscribed(m, 'bookTicker')];
    if (tickers.length === 0) return;
    // The order book's update id as of this quote (Binance's `u`): what changed in the book is
    // published first, so the id is the one a depth snapshot or diff states for it.
    const u = m.depth.sync();
    for (const [ws, c, name] of tickers)
      this.event(ws, c, name, {
        u,
        s,
        b: quote.bid === null ? ZERO8 : price8(i, quote.bid),
        B: quote.bid === null ? ZERO8 : qty8(i, quote.bidQty),
        a: quote.ask === null ? ZERO8 : price8(i, quote.ask),
        A: quote.ask === null ? ZERO8 : qty8(i, quote.askQty),
      });
  }

  private depthEvent(m: StreamMarket, d: DepthDiff): Record<string, unknown> {
    const i = m.inst;
    const side = (levels: Array<[number, number]>) => levels.map(([p, q]) => [price8(i, p), qty8(i, q)]);
    return { e: 'depthUpdate', E: this.o.now(), s: i.symbol, U: d.U, u: d.u, b: side(d.bids), a: side(d.asks) };
  }

  private diff(m: StreamMarket, d: DepthDiff): void {
    for (const [ws, c, name, spec] of this.subscribed(m, 'depth')) {
      if (spec.speedMs === 100) this.event(ws, c, name, this.depthEvent(m, d));
      else c.pending.set(name, [...(c.pending.get(name) ?? []), d]);
    }
  }

  private tick(): void {
    this.ticks++;
    const second = this.ticks % (1000 / TICK_MS) === 0;
    for (const m of this.o.markets) this.tickOf(m, second);
    if (second) this.tickers();
  }

  /** Every ticker and avgPrice stream's event of this second, all at one moment. */
  private tickers(): void {
    const moment = new TickerMoment(this.o.now());
    for (const [ws, c] of this.clients)
      for (const [name, spec] of c.subs) {
        if (spec.kind !== 'ticker' && spec.kind !== 'avgPrice') continue;
        if (spec.symbol === null) {
          const seen = c.tickersSent.get(name) ?? new Map<string, string>();
          c.tickersSent.set(name, seen);
          const changed = spec.kind === 'ticker' ? moment.changed(this.o.markets, spec.ticker, seen) : [];
          if (changed.length > 0) this.event(ws, c, name, changed);
          continue;
        }
        const m = this.bySymbol.get(spec.symbol);
        if (m === undefined) continue; // a symbol the gateway does not serve: silent
        this.event(ws, c, name, spec.kind === 'ticker' ? moment.ticker(m, spec.ticker) : moment.avgPrice(m));
      }
  }

  /** One symbol's depth and kline streams at a tick (`second`: the tick that ends a second). */
  private tickOf(m: StreamMarket, second: boolean): void {
    const wantsDepth = [...this.subscribed(m, 'depth'), ...this.subscribed(m, 'partialDepth')].length > 0;
    if (wantsDepth) m.depth.sync();
    if (second)
      for (const [ws, c, name] of this.subscribed(m, 'depth')) {
        const merged = mergeDiffs(c.pending.get(name) ?? []);
        c.pending.delete(name);
        if (merged) this.event(ws, c, name, this.depthEvent(m, merged));
      }
    for (const [ws, c, name, spec] of this.subscribed(m, 'partialDepth')) {
      if (spec.speedMs === 1000 && !second) continue;
      const id = m.depth.lastUpdateId;
      if (c.partialSent.get(name) === id) continue;
      c.partialSent.set(name, id);
      const snap = m.depth.snapshot(spec.levels);
      const i = m.inst;
      const side = (levels: Array<[number, number]>) => levels.map(([p, q]) => [price8(i, p), qty8(i, q)]);
      this.event(ws, c, name, { lastUpdateId: snap.lastUpdateId, bids: side(snap.bids), asks: side(snap.asks) });
    }
    if (second) this.klines(m);
  }

  private klines(m: StreamMarket): void {
    const now = this.o.now();
    for (const [ws, c, name, spec] of this.subscribed(m, 'kline')) {
      const buckets = new KlineBuckets(spec.interval);
      const start = buckets.start(now);
      const sent = c.klineSent.get(name) ?? klineSubscribed(spec.interval, now);
      const step = klineStep(
        sent,
        start,
        (from) => m.tape.klines(buckets, from, start - 1).get(from),
        m.tape.klines(buckets, start).get(start),
      );
      c.klineSent.set(name, step.sent);
      for (const [k, closed] of step.events) this.event(ws, c, name, this.klineEvent(m, k, spec.interval, closed));
    }
  }

  private klineEvent(m: StreamMarket, k: Kline, interval: string, closed: boolean): Record<string, unknown> {
    const i = m.inst;
    return {
      e: 'kline',
      E: this.o.now(),
      s: i.symbol,
      k: {
        t: k.start,
        T: k.end,
        s: i.symbol,
        i: interval,
        f: k.firstId,
        L: k.lastId,
        o: price8(i, k.open),
        c: price8(i, k.close),
        h: price8(i, k.high),
        l: price8(i, k.low),
        v: qty8(i, k.volume),
        n: k.count,
        x: closed,
        q: quote8(i, k.quote),
        V: qty8(i, k.takerBuyVolume),
        Q: quote8(i, k.takerBuyQuote),
        B: '0',
      },
    };
  }
}
