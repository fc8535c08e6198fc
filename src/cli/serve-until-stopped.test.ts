// How `execsim serve` ends: on a signal (exit 0), or when its session fails (exit 1): a server
// whose session died would otherwise answer health checks while refusing every command.
import { describe, expect, it } from 'vitest';
import type { ServiceSession } from '../runtime/session-root.ts';
import { serveUntilStopped } from './serve-command.ts';

function server(done: Promise<void>) {
  const said: string[] = [];
  let closed = 0;
  const running = {
    session: { done } as unknown as ServiceSession,
    close: async () => void (closed += 1),
  };
  const io = { out: (t: string) => void said.push(t), err: (t: string) => void said.push(t) };
  return { running, io, said, closed: () => closed };
}

describe('serve until stopped', () => {
  it('a session that fails stops the server: closed once, exit 1, said so', async () => {
    let fail: (err: Error) => void = () => {};
    const s = server(new Promise<void>((_, reject) => (fail = reject)));
    const code = serveUntilStopped(s.running, s.io as never);
    fail(new Error('the session stopped'));
    expect(await code).toBe(1);
    expect(s.closed()).toBe(1);
    expect(s.said).toEqual(['execsim serve: stopping: the session failed']);
  });

  it('a signal stops it with exit 0; a session still running, or ended well, is no failure', async () => {
    for (const done of [new Promise<void>(() => {}), Promise.resolve()]) {
      const s = server(done);
      const stop = new AbortController();
      const code = serveUntilStopped(s.running, s.io as never, stop.signal);
      await Promise.resolve();
      stop.abort();
      expect(await code).toBe(0);
      expect(s.closed()).toBe(1);
      expect(s.said).toEqual(['execsim serve: stopping']);
    }
  });
});
