// A Binance websocket's life at the gateway, the same for the market streams and the WebSocket
// API: the server sends a ping frame every 20 s and drops a connection that has not answered one
// with a pong for a minute; a connection lasts at most 24 hours; before the gateway stops, every
// client is sent `serverShutdown` (each endpoint words it its own way) and then closed. Timers are
// Node's (the gateway's wall clock), unref'd so an idle gateway does not hold the process. Also
// what both endpoints take as a request id.
import type { WebSocket } from 'ws';

export interface SocketLifeSettings {
  readonly pingIntervalMs: number;
  /** A connection whose last pong is older than this is dropped. */
  readonly pongTimeoutMs: number;
  readonly maxLifetimeMs: number;
}

export const BINANCE_SOCKET_LIFE: SocketLifeSettings = {
  pingIntervalMs: 20_000,
  pongTimeoutMs: 60_000,
  maxLifetimeMs: 24 * 3_600_000,
};

interface Life {
  lastPong: number;
  readonly ping: NodeJS.Timeout;
  readonly end: NodeJS.Timeout;
}

export class SocketLife {
  private readonly lives = new Map<WebSocket, Life>();

  constructor(
    private readonly settings: SocketLifeSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts pinging a new connection; its timers end when it closes. */
  watch(ws: WebSocket): void {
    const life: Life = {
      lastPong: this.now(),
      ping: setInterval(() => {
        if (this.now() - life.lastPong > this.settings.pongTimeoutMs) ws.terminate();
        else if (ws.readyState === ws.OPEN) ws.ping();
      }, this.settings.pingIntervalMs).unref(),
      end: setTimeout(() => ws.close(1000, 'connection lifetime reached'), this.settings.maxLifetimeMs).unref(),
    };
    this.lives.set(ws, life);
    ws.on('pong', () => {
      life.lastPong = this.now();
    });
    ws.on('close', () => this.forget(ws));
  }

  private forget(ws: WebSocket): void {
    const life = this.lives.get(ws);
    if (!life) return;
    clearInterval(life.ping);
    clearTimeout(life.end);
    this.lives.delete(ws);
  }

  /** Tells every client the server shuts down (`notice` gives each its frame), then closes them. */
  shutdown(notice: (ws: WebSocket) => string): void {
    for (const ws of [...this.lives.keys()]) {
      if (ws.readyState === ws.OPEN) ws.send(notice(ws));
      ws.close(1001, 'server shutdown');
      this.forget(ws);
    }
  }
}

/** A request id Binance takes: a 64-bit integer, an alphanumeric string of up to 36, or null. */
export function validId(id: unknown): boolean {
  if (id === null) return true;
  if (typeof id === 'number') return Number.isSafeInteger(id);
  return typeof id === 'string' && /^[A-Za-z0-9-]{1,36}$/.test(id);
}
