// A TCP port on 127.0.0.1 that was free a moment ago, for a server a test or bench starts in
// another process (redis-server, `execsim serve`), which must be told its port up front.
import net from 'node:net';

/** Listens on port 0, reads the port the system chose, and closes again. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
