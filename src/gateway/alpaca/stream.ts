// Alpaca's trade_updates websocket at /stream: in-band authentication ({"action":"authenticate",
// "data":{"key_id","secret_key"}}, or {"action":"auth","key","secret"} -> authorization
// authorized/unauthorized; a refused client is disconnected), then listen (idempotent: each
// listen answers "listening" with the whole set and never replays or repeats an event), then one
// message per order event. Like Alpaca's paper stream, the server sends binary frames carrying
// UTF-8 JSON; clients' frames may be text or binary. Events are not kept for clients that connect
// later (Alpaca replays nothing either).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { authenticateSocket, type KeyCheck } from '../socket-auth.ts';
import type { TradeUpdate } from './alpaca-orders.ts';
import { closeAll } from '../close-sockets.ts';

interface Client {
  authorized: boolean;
  listening: boolean;
}

export class TradeUpdatesStream {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly clients = new Map<WebSocket, Client>();

  constructor(
    private readonly authorized: KeyCheck,
    /** Sends events through the scenario's stream stalls (none: straight through). */
    private readonly gate: { send(deliver: () => void): void } = { send: (deliver) => deliver() },
  ) {
    this.wss.on('connection', (ws) => this.connected(ws));
  }

  /** Takes an HTTP upgrade for /stream (the gateway routes by path). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  /** Sends an order event to every authorized client listening to trade_updates. */
  publish(update: TradeUpdate): void {
    const frame = Buffer.from(JSON.stringify({ stream: 'trade_updates', data: update }), 'utf8');
    const to = [...this.clients].filter(([, c]) => c.authorized && c.listening).map(([ws]) => ws);
    this.gate.send(() => {
      for (const ws of to) if (ws.readyState === ws.OPEN) ws.send(frame);
    });
  }

  /** Connected clients (authorized or not). */
  get size(): number {
    return this.clients.size;
  }

  /** Closes every client connection (a server-side drop: clients see an unexpected close). */
  dropAll(): void {
    for (const ws of this.clients.keys()) ws.terminate();
  }

  /** The gateway stops: every client is told so (1001), not dropped. */
  close(): Promise<void> {
    return closeAll(this.wss, [...this.clients.keys()]);
  }

  private connected(ws: WebSocket): void {
    const client: Client = { authorized: false, listening: false };
    this.clients.set(ws, client);
    ws.on('close', () => this.clients.delete(ws));
    ws.on('error', () => ws.terminate());
    ws.on('message', (data) => this.message(ws, client, data));
  }

  private send(ws: WebSocket, stream: string, data: unknown): void {
    if (ws.readyState === ws.OPEN) ws.send(Buffer.from(JSON.stringify({ stream, data }), 'utf8'));
  }

  private message(ws: WebSocket, client: Client, data: unknown): void {
    let msg: unknown;
    try {
      const text = Buffer.isBuffer(data)
        ? data.toString('utf8')
        : Array.isArray(data)
          ? Buffer.concat(data as Buffer[]).toString('utf8')
          : Buffer.from(data as ArrayBuffer).toString('utf8');
      msg = JSON.parse(text);
    } catch {
      this.send(ws, 'error', { error_message: 'invalid message: not JSON' });
      return;
    }
    const action = typeof msg === 'object' && msg !== null ? (msg as Record<string, unknown>)['action'] : undefined;
    const body = (msg as Record<string, unknown> | null)?.['data'];
    const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    if (action === 'authenticate' || action === 'auth') {
      // Alpaca documents two forms: {"action":"authenticate","data":{"key_id","secret_key"}} (the
      // SDKs send it) and {"action":"auth","key","secret"} (its current docs); either is accepted.
      const top = msg as Record<string, unknown>;
      const [key, secret] =
        action === 'auth' && fields['key_id'] === undefined
          ? [top['key'], top['secret']]
          : [fields['key_id'], fields['secret_key']];
      const reply = (status: string) => () => this.send(ws, 'authorization', { status, action: 'authenticate' });
      client.authorized = authenticateSocket(ws, this.authorized, key, secret, {
        granted: reply('authorized'),
        refused: reply('unauthorized'),
        reason: 'unauthorized',
      });
      return;
    }
    if (action === 'listen') {
      if (!client.authorized) {
        this.send(ws, 'authorization', { status: 'unauthorized', action: 'listen' });
        return;
      }
      const streams = Array.isArray(fields['streams']) ? (fields['streams'] as unknown[]) : [];
      client.listening = streams.includes('trade_updates');
      this.send(ws, 'listening', { streams: client.listening ? ['trade_updates'] : [] });
      return;
    }
    this.send(ws, 'error', { error_message: `unknown action "${String(action).slice(0, 40)}"` });
  }
}
