// Binance's WebSocket API at /ws-api/v3, for the user data stream (the listenKey is gone):
// requests {id, method, params}, answers {id, status, result} or {id, status, error}; a signed
// subscription gets every account event (executionReport, outboundAccountPosition) through the
// scenario's stream stalls. Methods served and refused: docs/0068-gateway-notes.md.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { UserEvent } from './binance-orders.ts';
import {
  timingError,
  wsPayload,
  DEFAULT_RECV_WINDOW_MS,
  MAX_RECV_WINDOW_MS,
  type RequestSigner,
} from './signed-request.ts';
import { closeAll } from '../close-sockets.ts';
import { SocketLife, validId, type SocketLifeSettings } from './socket-life.ts';
import { BAD_SIGNATURE, binanceError, mandatory, type BinanceError } from './wire.ts';

interface Session {
  readonly subscriptions: Set<number>;
  nextId: number;
}

export interface WsApiOptions {
  readonly signer: RequestSigner;
  /** The venue's time now (skew applied). */
  readonly now: () => number;
  readonly life: SocketLifeSettings;
  readonly gate: { send(deliver: () => void): void };
}

/** Subscriptions one connection may open over its life. */
const MAX_SUBSCRIPTION_IDS = 65_535;

export class WsApi {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false });
  private readonly sessions = new Map<WebSocket, Session>();
  private readonly life: SocketLife;

  constructor(private readonly o: WsApiOptions) {
    this.life = new SocketLife(o.life);
  }

  static serves(path: string): boolean {
    return path === '/ws-api/v3';
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.connected(ws));
  }

  get size(): number {
    return this.sessions.size;
  }

  /** User data stream subscriptions open, over every connection: a client's account events
   *  reach it only once one is (a connection alone is not a subscription). */
  get subscriptions(): number {
    let n = 0;
    for (const s of this.sessions.values()) n += s.subscriptions.size;
    return n;
  }

  /** Sends an account event to every subscription. */
  publish(event: UserEvent): void {
    const to = [...this.sessions].filter(([, s]) => s.subscriptions.size > 0);
    if (to.length === 0) return;
    this.o.gate.send(() => {
      for (const [ws, s] of to) {
        if (ws.readyState !== ws.OPEN) continue;
        for (const subscriptionId of s.subscriptions) ws.send(JSON.stringify({ subscriptionId, event }));
      }
    });
  }

  /** Drops every connection without a close handshake (a server-side drop: clients see an
   *  unexpected close, and their subscriptions end with it). */
  dropAll(): void {
    for (const ws of this.sessions.keys()) ws.terminate();
  }

  async close(): Promise<void> {
    const E = Date.now();
    this.life.shutdown(() => JSON.stringify({ event: { e: 'serverShutdown', E } }));
    await closeAll(this.wss, [...this.sessions.keys()]);
  }

  private connected(ws: WebSocket): void {
    const session: Session = { subscriptions: new Set(), nextId: 0 };
    this.sessions.set(ws, session);
    this.life.watch(ws);
    ws.on('close', () => this.sessions.delete(ws));
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => this.message(ws, session, data as Buffer, isBinary));
  }

  private send(ws: WebSocket, body: unknown): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(body));
  }

  private fail(ws: WebSocket, id: unknown, e: BinanceError): void {
    this.send(ws, { id, status: e.status, error: { code: e.code, msg: e.msg } });
  }

  private message(ws: WebSocket, s: Session, data: Buffer | Buffer[] | ArrayBuffer, isBinary: boolean): void {
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    let msg: unknown;
    try {
      if (isBinary) throw new Error('binary');
      msg = JSON.parse(bytes.toString('utf8'));
    } catch {
      this.fail(ws, null, binanceError(400, -1135, 'Invalid JSON Request'));
      return;
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
      this.fail(ws, null, binanceError(400, -1135, 'Invalid JSON Request'));
      return;
    }
    const m = msg as Record<string, unknown>;
    const id = m['id'];
    if (!('id' in m) || !validId(id)) {
      this.fail(ws, null, mandatory('id'));
      return;
    }
    const method = m['method'];
    if (typeof method !== 'string' || method === '') {
      this.fail(ws, id, mandatory('method'));
      return;
    }
    const raw = m['params'];
    if (raw !== undefined && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) {
      this.fail(ws, id, binanceError(400, -1130, "Data sent for parameter 'params' is not valid."));
      return;
    }
    const params = (raw ?? {}) as Record<string, unknown>;
    const ok = (result: unknown) => this.send(ws, { id, status: 200, result });
    switch (method.replace(/^v3\//, '')) {
      case 'ping':
        ok({});
        return;
      case 'time':
        ok({ serverTime: this.o.now() });
        return;
      case 'userDataStream.subscribe.signature': {
        const refused = this.checkSignature(params);
        if (refused) return this.fail(ws, id, refused);
        if (s.subscriptions.size > 0)
          return this.fail(ws, id, binanceError(400, -2035, 'User Data Stream subscription already active.'));
        if (s.nextId >= MAX_SUBSCRIPTION_IDS)
          return this.fail(ws, id, binanceError(400, -2042, 'Maximum subscription ID reached for this connection.'));
        const subscriptionId = s.nextId++;
        s.subscriptions.add(subscriptionId);
        ok({ subscriptionId });
        return;
      }
      case 'userDataStream.unsubscribe': {
        const which = params['subscriptionId'];
        if (which === undefined) s.subscriptions.clear();
        else if (typeof which === 'number' && s.subscriptions.has(which)) s.subscriptions.delete(which);
        else return this.fail(ws, id, binanceError(400, -2036, 'User Data Stream subscription not active.'));
        ok({});
        return;
      }
      case 'session.subscriptions':
        ok([...s.subscriptions].map((subscriptionId) => ({ subscriptionId })));
        return;
      case 'userDataStream.subscribe':
        this.fail(ws, id, binanceError(401, -1002, 'You are not authorized to execute this request.'));
        return;
      default:
        this.fail(ws, id, binanceError(400, -1020, 'This operation is not supported.'));
    }
  }

  /** userDataStream.subscribe.signature's params: key, signature and timing, as REST's. */
  private checkSignature(p: Record<string, unknown>): BinanceError | null {
    const known = ['apiKey', 'timestamp', 'recvWindow', 'signature'];
    const extra = Object.keys(p).filter((k) => !known.includes(k));
    if (extra.length > 0)
      return binanceError(
        400,
        -1104,
        `Not all sent parameters were read; read '${Object.keys(p).length - extra.length}' parameter(s) but was sent '${Object.keys(p).length}'.`,
      );
    const key = p['apiKey'];
    if (typeof key !== 'string' || key === '') return mandatory('apiKey');
    const keyError = this.o.signer.checkKey(key);
    if (keyError) return keyError;
    const stamp = p['timestamp'];
    const timestamp = typeof stamp === 'string' && /^[0-9]{1,20}$/.test(stamp) ? Number(stamp) : stamp;
    if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp < 0)
      return mandatory('timestamp');
    const signature = p['signature'];
    if (typeof signature !== 'string' || signature === '') return mandatory('signature');
    // A number, or its text as REST takes it (ms, up to three decimal places), as timestamp is.
    const windowParam = p['recvWindow'] ?? DEFAULT_RECV_WINDOW_MS;
    const recvWindow =
      typeof windowParam === 'string' && /^[0-9]{1,20}(\.[0-9]{1,3})?$/.test(windowParam)
        ? Number(windowParam)
        : windowParam;
    if (typeof recvWindow !== 'number' || !(recvWindow >= 0)) return mandatory('recvWindow');
    if (recvWindow > MAX_RECV_WINDOW_MS)
      return binanceError(
        400,
        -1102,
        `'recvWindow' contains unexpected value. Cannot be greater than ${MAX_RECV_WINDOW_MS}.`,
      );
    if (!this.o.signer.signedBy(wsPayload(p), signature)) return BAD_SIGNATURE;
    return timingError(timestamp, recvWindow, this.o.now());
  }
}
