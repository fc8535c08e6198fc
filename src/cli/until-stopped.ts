// How `execsim gateway` and `execsim serve` wait for the end: SIGINT or SIGTERM, or (started
// through npm: npx, npm exec, npm run) the npm process that started them gone, which a shell's
// `kill %1` on `npx execsim gateway ... &` does (launcher-watch.ts). Either way the command then
// stops as on SIGTERM: it closes what it serves and exits 0.
import type { Io } from './io.ts';

/** Resolves once the process is told to stop, or `signal` aborts (a command's own end, such as
 *  record's --duration: the handlers and the npm watch are removed either way); `name` prefixes
 *  the line said when npm is gone. */
export function untilStopped(io: Io, name: string, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      signal?.removeEventListener('abort', stop);
      unwatch?.();
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    signal?.addEventListener('abort', stop, { once: true });
    const unwatch = io.onLauncherGone?.(() => {
      io.err(`${name}: the npm process that started it has ended (npx or npm stopped)`);
      stop();
    });
  });
}
