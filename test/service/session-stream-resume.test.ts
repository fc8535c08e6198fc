// The session stream's resume and back-pressure rules against a log the test commits to batch by
// batch (as the session commits a unit's entries): whatever was committed before the client came,
// wherever its Last-Event-ID points and however the rest arrives, the stream sends exactly the
// entries after the id, in order, each once, never a market sample (which carries the seq of the
// entry before it); an id past the last entry is answered no earlier than an entry past it; a
// client that does not read is dropped once more than the cap of live entries wait for it, having
// been sent a run of entries with no gap, and its resume after the last one it read completes the
// log exactly. Every stream ends when the server's signal aborts, and every follower is removed.
import fc from 'fast-check';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/core/model/events.ts';
import { streamSessionEntries, type SessionLog, type SessionStreamOptions } from '../../src/server/session-stream.ts';
import { resumeAfter } from '../../src/server/sse.ts';
import { SseReader } from '../support/sse-reader.ts';

/** A session's committed log, committed by the test one batch (one unit) at a time. */
class Log implements SessionLog {
  readonly entries: LogEntry[] = [];
  readonly followers = new Set<(e: LogEntry) => void>();
  private seq = 0;

  get lastSeq(): number {
    return this.seq;
  }

  /** Commits `n` entries, a market sample after the first when `sample` is set. */
  commit(n: number, sample = false): void {
    const batch: LogEntry[] = [];
    for (let i = 0; i < n; i++) {
      const seq = ++this.seq;
      batch.push({
        seq,
        time: 1_000 + seq,
        event: { kind: 'ConnectionReport', stream: 'orders', state: 'connected', reason: `r${seq}` },
      });
      if (sample && i === 0)
        batch.push({ seq, time: 1_000 + seq, event: { kind: 'MarketSampled' } as unknown as LogEntry['event'] });
    }
    this.entries.push(...batch);
    for (const f of this.followers) for (const e of batch) f(e);
  }

  entriesAfter(afterSeq: number): LogEntry[] {
    return this.entries.filter((e) => e.seq > afterSeq);
  }

  follow(listener: (entry: LogEntry) => void): () => void {
    this.followers.add(listener);
    return () => this.followers.delete(listener);
  }
}

function appOf(log: Log, options: SessionStreamOptions): Hono {
  const app = new Hono();
  app.get('/stream', (c) => streamSessionEntries(c, log, resumeAfter(c), { keepAliveMs: 60_000, ...options }));
  return app;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + 1 + i);

const batches = fc.array(fc.record({ n: fc.integer({ min: 1, max: 6 }), sample: fc.boolean() }), { maxLength: 6 });

/** Reads a stream that resumed after `afterId` to its end, which the server's signal brings once
 *  every entry up to `total` was read. */
async function readAll(res: Response, afterId: number, total: number, shutdown: AbortController): Promise<SseReader> {
  const r = new SseReader(res);
  await r.until(() => (r.ids().at(-1) ?? afterId) >= total, 5_000);
  shutdown.abort();
  await r.until(() => false, 5_000);
  return r;
}

describe('the session stream resumed after Last-Event-ID', () => {
  it('sends exactly the entries after the id, in order, once each, and waits on an id past the log', async () => {
    await fc.assert(
      fc.asyncProperty(
        batches,
        batches,
        fc.integer({ min: 0, max: 40 }),
        fc.boolean(),
        async (before, after, rawId, byQuery) => {
          const log = new Log();
          for (const b of before) log.commit(b.n, b.sample);
          const atConnect = log.lastSeq;
          const afterId = Math.min(rawId, atConnect + 8);
          const shutdown = new AbortController();
          let answeredAt = -1;
          const app = appOf(log, { signal: shutdown.signal });
          const answer = Promise.resolve(
            byQuery
              ? app.request(`/stream?lastEventId=${afterId}`)
              : app.request('/stream', { headers: { 'last-event-id': String(afterId) } }),
          ).then((res) => {
            answeredAt = log.lastSeq;
            return res;
          });
          await turn();
          for (const b of after) {
            log.commit(b.n, b.sample);
            await turn();
          }
          const total = log.lastSeq;
          if (afterId > atConnect && afterId >= total) {
            // Past the log, and nothing past it came: the server stops, the answer is 204.
            shutdown.abort();
            expect((await answer).status).toBe(204);
          } else {
            const res = await answer;
            expect(res.status).toBe(200);
            // An id past the log was answered once an entry past it was committed, no earlier.
            if (afterId > atConnect) expect(answeredAt).toBeGreaterThan(afterId);
            const r = await readAll(res, afterId, total, shutdown);
            expect(r.ended).toBe(true);
            expect(r.ids()).toEqual(range(afterId, total));
            expect(r.events.every((e) => e.comment !== undefined || e.event === 'ConnectionReport')).toBe(true);
          }
          expect(log.followers.size).toBe(0);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('drops a client that does not read past the cap, after a gapless run; its resume completes the log', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 1, max: 8 }),
        batches,
        async (before, cap, live) => {
          const log = new Log();
          if (before > 0) log.commit(before);
          const from = log.lastSeq;
          const first = new AbortController();
          const res = await appOf(log, { maxQueued: cap, signal: first.signal }).request('/stream', {
            headers: { 'last-event-id': String(from) },
          });
          expect(res.status).toBe(200);
          // Not read while the live entries are committed.
          for (const b of live) {
            log.commit(b.n, b.sample);
            await turn();
          }
          const waiting = log.lastSeq - from;
          const dropped = log.followers.size === 0;
          // Dropped only when more than the cap waited; kept past it by no more than the batch
          // being written (at most the cap) and the few entries the response's streams hold.
          if (waiting <= cap) expect(dropped).toBe(false);
          if (waiting > 2 * cap + SLACK) expect(dropped).toBe(true);
          const head = new SseReader(res);
          // A dropped client's body ends by itself; a kept one reads every live entry.
          await head.until(() => !dropped && (head.ids().at(-1) ?? from) >= log.lastSeq, 5_000);
          expect(head.ended).toBe(dropped);
          expect(head.ids()).toEqual(range(from, from + head.ids().length));
          first.abort();
          await head.until(() => false, 5_000);

          const second = new AbortController();
          const last = head.ids().at(-1) ?? from;
          const rest = await appOf(log, { signal: second.signal }).request('/stream', {
            headers: { 'last-event-id': String(last) },
          });
          expect(rest.status).toBe(200);
          const tail = await readAll(rest, last, log.lastSeq, second);
          expect([...head.ids(), ...tail.ids()]).toEqual(range(from, log.lastSeq));
          expect(log.followers.size).toBe(0);
        },
      ),
      { numRuns: 100 },
    );
  });
});

/** Entries a client that does not read can be sent besides the batch and the queue (held in the
 *  response's streams and the write in flight). */
const SLACK = 4;
