// A throwaway redis-server for the queued-sweep tests and the queue bench: on 127.0.0.1 only,
// persisting nothing (no snapshots, no append-only file), its working files in `dir`.
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';

/** Starts `binary` on 127.0.0.1:`port`; `extra` arguments follow (e.g. --replicaof HOST PORT). */
export function spawnRedis(binary: string, port: number, dir: string, extra: readonly string[] = []): ChildProcess {
  return spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extra],
    { stdio: 'ignore' },
  );
}

/** Whether a Redis on 127.0.0.1:`port` answers PING (one attempt, no retries). */
export async function redisAnswers(port: number): Promise<boolean> {
  const r = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null });
  r.on('error', () => {});
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}
