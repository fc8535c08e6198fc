// Server-Sent Events of a job's numbered updates (a run's or a sweep's life). Each update is one
// event: `id` its number, `event` its type, `data` the update as JSON. A client that reconnects
// sends the last id it saw (Last-Event-ID header, or `lastEventId` in the query for clients that
// cannot set headers) and gets only what came after it, or 204 when the job ended with that id
// (an id past the job's last update waits for the next one, or 204 when the job ends first).
// The stream ends after the update that ends the job; while nothing happens a comment line is
// sent every `keepAliveMs` so proxies and clients do not take a quiet run for a dead connection.
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { ProblemError } from './problem.ts';
import type { HeaderParam } from './route-spec.ts';

export const SSE_KEEP_ALIVE_MS = 15_000;

/** The Last-Event-ID header as the streams that resume after it declare it. */
export const LAST_EVENT_ID: HeaderParam = {
  name: 'Last-Event-ID',
  description: 'resume after this event id (the id of the last event received); wins over lastEventId',
  pattern: '^\\d{1,15}$',
};

/** The id after which to resume: Last-Event-ID, else the `lastEventId` query parameter, else 0. */
export function resumeAfter(c: Context): number {
  const raw = c.req.header('last-event-id') ?? c.req.query('lastEventId');
  if (raw === undefined || raw === '') return 0;
  if (!/^\d{1,15}$/.test(raw.trim())) {
    throw new ProblemError(
      'bad-request',
      'Last-Event-ID must be the id of an event this stream sent (a whole number)',
      [{ path: 'header.Last-Event-ID', message: `must be a whole number, got ${JSON.stringify(raw.slice(0, 40))}` }],
    );
  }
  return Number(raw.trim());
}

/** Streams the feed's updates after `afterId` until the final one (or the client leaves).
 *  `subscribe` hands its listener every update the feed has kept, from the first, before it
 *  returns, then each new one. Those up to `afterId` are not sent; when the final update is among
 *  them nothing more will come, so the answer is 204 No Content, which also tells an EventSource
 *  to stop reconnecting, rather than a stream that stays open with keep-alives forever. When
 *  `afterId` is past every update so far of a job still going (a client that saw an id of a
 *  previous server, or guessed one), the answer waits, bounded by the job: it is the stream from
 *  the first update past `afterId`, or 204 when the job ends before one comes. A 200 never ends
 *  without an event, so a client can tell "nothing more will come" from a stream cut short. */
export function streamUpdates<U extends { readonly id: number; readonly type: string }>(
  c: Context,
  afterId: number,
  subscribe: (listener: (u: U) => void) => (() => void) | null,
  isFinal: (u: U) => boolean,
  keepAliveMs = SSE_KEEP_ALIVE_MS,
): Response | Promise<Response> {
  const pending: U[] = [];
  let wake: (() => void) | null = null;
  const unsubscribe = subscribe((u) => {
    pending.push(u);
    wake?.();
  });
  if (unsubscribe === null) return streamSSE(c, async () => {});
  const past = (): boolean => pending.some((u) => u.id > afterId);
  const ended = (): boolean => pending.some(isFinal);
  const noContent = (): Response => {
    unsubscribe();
    return c.body(null, 204);
  };
  const open = (): Response =>
    streamSSE(c, async (stream) => {
      let left = false;
      stream.onAbort(() => {
        left = true;
        wake?.();
      });
      try {
        while (!left) {
          while (pending.length > 0) {
            const u = pending.shift() as U;
            if (u.id > afterId) await stream.writeSSE({ id: String(u.id), event: u.type, data: JSON.stringify(u) });
            if (isFinal(u)) return;
          }
          // Wait for the next update, or send a keep-alive comment after a quiet interval.
          await new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              wake = null;
              void stream.write(': keep-alive\n\n').then(
                () => resolve(),
                () => resolve(),
              );
            }, keepAliveMs);
            wake = () => {
              clearTimeout(timer);
              wake = null;
              resolve();
            };
          });
        }
      } finally {
        unsubscribe();
      }
    });
  if (past()) return open();
  if (ended()) return noContent();
  return untilPastOrEnded(c.req.raw.signal, past, ended, (w) => (wake = w)).then(() => (past() ? open() : noContent()));
}

/** Resolves once `past` or `ended` holds (checked at each update, which calls the function given
 *  to `onUpdate`) or the client has left. */
function untilPastOrEnded(
  signal: AbortSignal,
  past: () => boolean,
  ended: () => boolean,
  onUpdate: (wake: (() => void) | null) => void,
): Promise<void> {
  return new Promise<void>((resolve) => {
    const check = (): void => {
      if (!past() && !ended() && !signal.aborted) return;
      onUpdate(null);
      signal.removeEventListener('abort', check);
      resolve();
    };
    onUpdate(check);
    signal.addEventListener('abort', check, { once: true });
    check();
  });
}
