// Server-Sent Events of a service session's committed log: every entry after the client's resume
// point, then each one the session commits while the client stays. An event's `id` is the entry's
// seq, its `event` the entry's kind, its data {seq, time, kind, event}. The entries are the
// session's to keep (in memory, else in the store): a client that falls more than `maxQueued`
// entries behind the live feed is dropped instead of buffered without bound, and its reconnect
// with Last-Event-ID reads what it missed back from the session. Market samples (MarketSampled)
// are chart data carrying the seq of the entry they follow, not entries: they are not sent, so
// every id is sent once and a resume after it misses nothing.
import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { LogEntry } from '../core/model/events.ts';
import type { SessionPort } from './session-port.ts';
import { SSE_KEEP_ALIVE_MS } from './sse.ts';

/** What the stream reads of a session. */
export type SessionLog = Pick<SessionPort, 'entriesAfter' | 'follow' | 'lastSeq'>;

export interface SessionStreamOptions {
  /** A comment line is sent after this long without an entry; default 15 s. */
  readonly keepAliveMs?: number;
  /** Live entries waiting for a slow client beyond which it is dropped (besides the batch being
   *  written); default 10,000. */
  readonly maxQueued?: number;
  /** Ends every open stream when it aborts (the server shutting down), so none holds it open. */
  readonly signal?: AbortSignal;
}

export const DEFAULT_MAX_QUEUED = 10_000;

const isEntry = (e: LogEntry): boolean => e.event.kind !== 'MarketSampled';

/** Entries a stream reads of what the session holds at a time, before it lets the server's other
 *  work (commands, the kill switch, other clients) run: a client replaying a long log from the
 *  start must not hold the thread for the whole of it. */
export const REPLAY_PAGE = 200;

/** Resolves on the event loop's next turn (after pending I/O and timers' callbacks). */
const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Streams the session's entries after `afterSeq`. When `afterSeq` is past the session's last
 * entry (an id from another server's session, or a guess) the answer waits until an entry past
 * it is committed, rather than opening a stream on nothing; a client that leaves meanwhile is let
 * go (204). Otherwise the stream opens at once: the entries after `afterSeq` the session holds,
 * then each new one, with keep-alive comments while it is quiet, until the client leaves, falls
 * too far behind, or `signal` aborts.
 */
export function streamSessionEntries(
  c: Context,
  log: SessionLog,
  afterSeq: number,
  options: SessionStreamOptions = {},
): Response | Promise<Response> {
  const keepAliveMs = options.keepAliveMs ?? SSE_KEEP_ALIVE_MS;
  const maxQueued = options.maxQueued ?? DEFAULT_MAX_QUEUED;
  const queue: LogEntry[] = [];
  let stream: SSEStreamingApi | null = null;
  /** The client fell too far behind (the stream ends; an answer still waiting opens anyway). */
  let dropped = false;
  /** `signal` aborted: every stream ends, an answer still waiting is 204. */
  let shut = false;
  let wake: (() => void) | null = null;
  // Followed before the held entries are read (both in one synchronous turn, in open): an entry
  // committed from then on is in the queue, one before it among the held ones.
  const unfollow = log.follow((e) => {
    if (dropped || shut || !isEntry(e) || e.seq <= afterSeq) return;
    if (queue.length >= maxQueued) {
      // Too far behind: drop the client, whose reconnect reads what it missed from the session.
      dropped = true;
      queue.length = 0;
      stream?.abort();
    } else queue.push(e);
    wake?.();
  });
  const shutdown = (): void => {
    shut = true;
    stream?.abort();
    wake?.();
  };
  options.signal?.addEventListener('abort', shutdown, { once: true });
  const release = (): void => {
    unfollow();
    options.signal?.removeEventListener('abort', shutdown);
  };
  const noContent = (): Response => {
    release();
    return c.body(null, 204);
  };
  if (options.signal?.aborted) return noContent();

  const open = (): Response => {
    queue.length = 0;
    dropped = false;
    // The first page in this turn (with the follow above: no entry between them is missed); the
    // rest page by page as the stream writes, each read after the server's other work had a turn.
    let held = log.entriesAfter(afterSeq, REPLAY_PAGE);
    return streamSSE(c, async (s) => {
      stream = s;
      let left = false;
      s.onAbort(() => {
        left = true;
        // Let go at once: the writer may be waiting for its next page's turn.
        release();
        wake?.();
      });
      const ended = (): boolean => left || dropped || shut;
      let sent = afterSeq;
      const send = async (e: LogEntry): Promise<void> => {
        if (!isEntry(e) || e.seq <= sent) return;
        sent = e.seq;
        const data = JSON.stringify({ seq: e.seq, time: e.time, kind: e.event.kind, event: e.event });
        await s.writeSSE({ id: String(e.seq), event: e.event.kind, data });
      };
      try {
        // What the session held: entries committed meanwhile are both read here and queued; the
        // queue's copies are skipped (send sends each seq once).
        while (held.length > 0) {
          for (const e of held) {
            if (ended()) return;
            await send(e);
          }
          const read = (held.at(-1) as LogEntry).seq;
          await nextTurn();
          if (ended()) return;
          held = held.length < REPLAY_PAGE ? [] : log.entriesAfter(read, REPLAY_PAGE);
        }
        while (!ended()) {
          if (queue.length === 0) {
            await quiet(s, keepAliveMs, (w) => (wake = w));
            continue;
          }
          // Taken as a batch (the queue refills meanwhile, up to the cap): at most twice the cap
          // is held for a client.
          for (const e of queue.splice(0)) {
            if (ended()) return;
            await send(e);
          }
        }
      } finally {
        release();
      }
    });
  };

  if (afterSeq <= log.lastSeq) return open();
  const signal = c.req.raw.signal;
  return untilReady(
    signal,
    () => queue.length > 0 || dropped || shut,
    (w) => (wake = w),
  ).then(() => (shut || signal.aborted ? noContent() : open()));
}

/** Resolves when `wake` is called, or after `ms` once a keep-alive comment is written. */
function quiet(s: SSEStreamingApi, ms: number, onWake: (wake: (() => void) | null) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      onWake(null);
      void s.write(': keep-alive\n\n').then(
        () => resolve(),
        () => resolve(),
      );
    }, ms);
    onWake(() => {
      clearTimeout(timer);
      onWake(null);
      resolve();
    });
  });
}

/** Resolves once `ready` holds (checked at each wake) or the client has left. */
function untilReady(
  signal: AbortSignal,
  ready: () => boolean,
  onWake: (wake: (() => void) | null) => void,
): Promise<void> {
  return new Promise<void>((resolve) => {
    const check = (): void => {
      if (!ready() && !signal.aborted) return;
      onWake(null);
      signal.removeEventListener('abort', check);
      resolve();
    };
    onWake(check);
    signal.addEventListener('abort', check, { once: true });
    check();
  });
}
