// How a gateway's websocket server closes its clients when the gateway stops: each is sent a close
// frame (1001, going away: the server shuts down, not an unexpected drop that SDKs reconnect
// after), given a bounded wait for the handshake, then terminated.
import type { WebSocket, WebSocketServer } from 'ws';

/** Closes a server's clients: 1001 to each still open (one the endpoint closed itself, with its
 *  own notice first, is left to finish), a bounded wait for the handshakes, then terminated. */
export async function closeAll(wss: WebSocketServer, clients: WebSocket[]): Promise<void> {
  for (const ws of clients) if (ws.readyState === ws.OPEN) ws.close(1001, 'server shutdown');
  await Promise.race([
    Promise.all(
      clients.map((ws) =>
        ws.readyState === ws.CLOSED ? undefined : new Promise<void>((resolve) => ws.once('close', () => resolve())),
      ),
    ),
    new Promise<void>((resolve) => setTimeout(resolve, 500).unref()),
  ]);
  for (const ws of clients) ws.terminate();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
}
