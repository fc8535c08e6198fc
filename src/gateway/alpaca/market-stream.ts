// Alpaca's stocks market-data websocket at /v2/{feed} (iex, sip, delayed_sip: one simulated
// venue), in MessagePack or JSON as the upgrade request asks: auth (a message, or the REST key
// headers on the upgrade), subscribe, then quotes whenever the venue's market-data view changes
// and trades for every print, and a bar at the end of every minute that printed, of each served
// symbol a client subscribed to (or '*'), up to the free plan's symbol limit on its feeds.
// Protocol and error codes: docs/0068-gateway-notes.md.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { decode, encode, encodeTimeSpecToTimestamp, EXT_TIMESTAMP, ExtensionCodec } from '@msgpack/msgpack';
import { WebSocketServer, type WebSocket } from 'ws';
import { ticksToPrice, lotsToQty, type Instrument } from '../../core/model/instrument.ts';
import { authenticateSocket, type KeyCheck } from '../socket-auth.ts';
import type { FeedQuote, TapePrint } from '../market-feed.ts';
import { quoteFields, tradeFields } from './market-fields.ts';
import type { TapeMinute } from './stream-bars.ts';
import { rfc3339 } from './wire.ts';
import { closeAll } from '../close-sockets.ts';

/** The feeds the gateway answers on (/v2/{feed}); all serve the same venue. */
export const STOCK_FEEDS = ['iex', 'sip', 'delayed_sip'] as const;

const CHANNELS = [
  'trades',
  'quotes',
  'bars',
  'updatedBars',
  'dailyBars',
  'statuses',
  'lulds',
  'imbalances',
  'corrections',
  'cancelErrors',
] as const;
type Channel = (typeof CHANNELS)[number];
/** Channels Alpaca subscribes along with trades. */
const WITH_TRADES: readonly Channel[] = ['corrections', 'cancelErrors'];

/** The most symbols one connection may subscribe to, over all its channels, on the feeds Alpaca's
 *  free market-data plan streams (IEX in real time, and the delayed SIP): its plan table states
 *  websocket subscriptions of 30 symbols (paid plans: unlimited, and only they stream the real-time
 *  SIP). A subscribe past it is refused with error 405 "symbol limit exceeded" and leaves the
 *  subscriptions as they were, as Alpaca's stream documents. ('*' is one entry.) */
export const FREE_PLAN_SYMBOL_LIMIT = 30;
const LIMITED_FEEDS: ReadonlySet<string> = new Set(['/v2/iex', '/v2/delayed_sip']);

/** A time to encode: the MessagePack timestamp extension, or RFC 3339 in JSON. */
class WireTime {
  constructor(readonly ms: number) {}
  toJSON(): string {
    return rfc3339(this.ms);
  }
}

const codec = new ExtensionCodec();
codec.register({
  type: EXT_TIMESTAMP,
  encode: (value: unknown) => {
    if (!(value instanceof WireTime)) return null;
    const sec = Math.floor(value.ms / 1000);
    const nsec = Math.round((value.ms - sec * 1000) * 1e6);
    return encodeTimeSpecToTimestamp({ sec, nsec: Math.min(nsec, 999_999_999) });
  },
  decode: () => null, // clients send no timestamps
});

interface Client {
  readonly binary: boolean;
  /** The most distinct symbols it may subscribe to (its feed's plan). */
  readonly symbolLimit: number;
  authorized: boolean;
  readonly subs: Record<Channel, Set<string>>;
}

export interface MarketStreamOptions {
  /** Every served symbol's instrument. */
  readonly instruments: readonly Instrument[];
  /** The venue's clock against the wall clock, ms (times are stated on the venue's clock). */
  readonly skewMs: number;
  readonly authorized: KeyCheck;
  /** Sends data through the scenario's stream stalls (none: straight through). */
  readonly gate?: { send(deliver: () => void): void };
}

export class MarketDataStream {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false });
  private readonly clients = new Map<WebSocket, Client>();

  constructor(private readonly o: MarketStreamOptions) {}

  /** Whether `path` is one of the stream's endpoints. */
  static serves(path: string): boolean {
    return (STOCK_FEEDS as readonly string[]).some((feed) => path === `/v2/${feed}`);
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const binary = (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/msgpack');
    // Either header present means the client chose header authentication; a missing other half
    // is then a failed authentication, not an invitation to authenticate in-band.
    const key = req.headers['apca-api-key-id'];
    const secret = req.headers['apca-api-secret-key'];
    const headerAuth = key !== undefined || secret !== undefined ? { key, secret } : null;
    const path = (req.url ?? '').split('?')[0] ?? '';
    const symbolLimit = LIMITED_FEEDS.has(path) ? FREE_PLAN_SYMBOL_LIMIT : Infinity;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.connected(ws, binary, headerAuth, symbolLimit));
  }

  /** Sends what the venue printed and quoted for `symbol` to every authorized client subscribed
   *  to it. */
  publish(symbol: string, prints: readonly TapePrint[], quote: FeedQuote | null): void {
    const inst = this.instrumentOf(symbol);
    const wants = (c: Client, ch: Channel) => c.subs[ch].has(symbol) || c.subs[ch].has('*');
    const out: Array<[WebSocket, Client, unknown[]]> = [];
    for (const [ws, c] of this.clients) {
      if (!c.authorized) continue;
      const batch: Array<Record<string, unknown>> = [];
      if (wants(c, 'trades'))
        for (const p of prints)
          batch.push({
            T: 't',
            S: symbol,
            ...tradeFields(inst, p),
            t: new WireTime(p.time + this.o.skewMs),
          });
      if (quote !== null && wants(c, 'quotes'))
        batch.push({
          T: 'q',
          S: symbol,
          ...quoteFields(inst, quote),
          t: new WireTime(quote.time + this.o.skewMs),
        });
      if (batch.length > 0) out.push([ws, c, batch]);
    }
    if (out.length === 0) return;
    const gate = this.o.gate ?? { send: (deliver: () => void) => deliver() };
    gate.send(() => {
      for (const [ws, c, batch] of out) this.send(ws, c, batch);
    });
  }

  /** Sends `symbol`'s bar of a minute that ended to every authorized client subscribed to its bars. */
  publishBar(symbol: string, bar: TapeMinute): void {
    const inst = this.instrumentOf(symbol);
    const price = (ticks: number) => Number(ticksToPrice(inst, ticks));
    const lots = (n: number) => Number(lotsToQty(inst, n));
    const message = {
      T: 'b',
      S: symbol,
      o: price(bar.open),
      h: price(bar.high),
      l: price(bar.low),
      c: price(bar.close),
      v: lots(bar.lots),
      t: new WireTime(bar.start),
      n: bar.trades,
      vw: Number(((bar.notional / bar.lots) * Number(inst.tickSize)).toFixed(6)),
    };
    const to = [...this.clients].filter(([, c]) => c.authorized && (c.subs.bars.has(symbol) || c.subs.bars.has('*')));
    if (to.length === 0) return;
    const gate = this.o.gate ?? { send: (deliver: () => void) => deliver() };
    gate.send(() => {
      for (const [ws, c] of to) this.send(ws, c, [message]);
    });
  }

  private instrumentOf(symbol: string): Instrument {
    const inst = this.o.instruments.find((i) => i.symbol === symbol);
    if (inst === undefined) throw new Error(`the market-data stream does not serve ${symbol}`);
    return inst;
  }

  get size(): number {
    return this.clients.size;
  }

  /** Closes every client connection (clients see an unexpected close and reconnect). */
  dropAll(): void {
    for (const ws of this.clients.keys()) ws.terminate();
  }

  /** The gateway stops: every client is told so (1001), not dropped. */
  close(): Promise<void> {
    return closeAll(this.wss, [...this.clients.keys()]);
  }

  private connected(
    ws: WebSocket,
    binary: boolean,
    headerAuth: { key: unknown; secret: unknown } | null,
    symbolLimit: number,
  ): void {
    const subs = Object.fromEntries(CHANNELS.map((ch) => [ch, new Set<string>()])) as Record<Channel, Set<string>>;
    const client: Client = { binary, symbolLimit, authorized: false, subs };
    this.clients.set(ws, client);
    ws.on('close', () => this.clients.delete(ws));
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => this.message(ws, client, data as Buffer | Buffer[] | ArrayBuffer, isBinary));
    this.send(ws, client, [{ T: 'success', msg: 'connected' }]);
    if (headerAuth !== null) this.authenticate(ws, client, headerAuth.key, headerAuth.secret);
  }

  /** Checks a key pair (from the auth message or the upgrade's headers) and answers as Alpaca does. */
  private authenticate(ws: WebSocket, c: Client, key: unknown, secret: unknown): void {
    c.authorized = authenticateSocket(ws, this.o.authorized, key, secret, {
      granted: () => this.send(ws, c, [{ T: 'success', msg: 'authenticated' }]),
      refused: () => this.error(ws, c, 402, 'auth failed'),
      reason: 'auth failed',
    });
  }

  private send(ws: WebSocket, c: Client, messages: unknown[]): void {
    if (ws.readyState !== ws.OPEN) return;
    if (c.binary) ws.send(encode(messages, { extensionCodec: codec }), { binary: true });
    else ws.send(JSON.stringify(messages), { binary: false });
  }

  private error(ws: WebSocket, c: Client, code: 400 | 401 | 402 | 403 | 405, msg: string): void {
    this.send(ws, c, [{ T: 'error', code, msg }]);
  }

  private message(ws: WebSocket, c: Client, data: Buffer | Buffer[] | ArrayBuffer, isBinary: boolean): void {
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    let msg: unknown;
    try {
      // A MessagePack client sends binary frames; a text frame is JSON whatever the codec.
      msg = c.binary && isBinary ? decode(bytes) : JSON.parse(bytes.toString('utf8'));
    } catch {
      this.error(ws, c, 400, 'invalid syntax');
      return;
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
      this.error(ws, c, 400, 'invalid syntax');
      return;
    }
    const m = msg as Record<string, unknown>;
    switch (m['action']) {
      case 'auth': {
        if (c.authorized) {
          this.error(ws, c, 403, 'already authenticated');
          return;
        }
        this.authenticate(ws, c, m['key'], m['secret']);
        return;
      }
      case 'subscribe':
      case 'unsubscribe': {
        if (!c.authorized) {
          this.error(ws, c, 401, 'not authenticated');
          return;
        }
        const change: Array<[Channel, string[]]> = [];
        for (const ch of CHANNELS) {
          const v = m[ch];
          if (v === undefined) continue;
          if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || s === '' || s.length > 32)) {
            this.error(ws, c, 400, 'invalid syntax');
            return;
          }
          change.push([ch, v as string[]]);
          if (ch === 'trades') for (const also of WITH_TRADES) change.push([also, v as string[]]);
        }
        if (m['action'] === 'subscribe' && this.symbolsAfter(c, change) > c.symbolLimit) {
          this.error(ws, c, 405, 'symbol limit exceeded');
          return;
        }
        for (const [ch, symbols] of change)
          for (const s of symbols) {
            if (m['action'] === 'subscribe') c.subs[ch].add(s);
            else c.subs[ch].delete(s);
          }
        this.send(ws, c, [{ T: 'subscription', ...Object.fromEntries(CHANNELS.map((ch) => [ch, [...c.subs[ch]]])) }]);
        return;
      }
      default:
        this.error(ws, c, 400, 'invalid syntax');
    }
  }

  /** How many distinct symbols the client's channels would hold with `added` subscribed. */
  private symbolsAfter(c: Client, added: ReadonlyArray<[Channel, string[]]>): number {
    const all = new Set<string>();
    for (const ch of CHANNELS) for (const s of c.subs[ch]) all.add(s);
    for (const [, symbols] of added) for (const s of symbols) all.add(s);
    return all.size;
  }
}
