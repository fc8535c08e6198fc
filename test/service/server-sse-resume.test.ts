// Resuming a job's progress stream (Last-Event-ID) at any point of the job's life, against a feed
// the test drives update by update: the answer is 204 exactly when the job ended with an update at
// or before that id, else a 200 stream of exactly the updates after it, in order, to the final
// one; a 200 never ends without an event, and an id past the job's last update waits for the next
// one (the answer comes no earlier) rather than answering an empty 200. A client that leaves
// while the answer waits is let go and its listener removed.
import fc from 'fast-check';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { resumeAfter, streamUpdates } from '../../src/server/sse.ts';

interface Update {
  readonly id: number;
  readonly type: string;
}

/** A job's numbered updates, as the run pool keeps and hands them out. */
class Feed {
  readonly updates: Update[] = [];
  readonly listeners = new Set<(u: Update) => void>();

  push(type: string): void {
    const u = { id: this.updates.length + 1, type };
    this.updates.push(u);
    for (const l of this.listeners) l(u);
  }

  subscribe(listener: (u: Update) => void): () => void {
    for (const u of this.updates) listener(u);
    if (this.updates.some(isFinal)) return () => {};
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

const isFinal = (u: Update): boolean => u.type === 'finished';

function appOf(feed: Feed): Hono {
  const app = new Hono();
  app.get('/feed', (c) => streamUpdates<Update>(c, resumeAfter(c), (l) => feed.subscribe(l), isFinal, 60_000));
  return app;
}

/** The ids of an SSE body's events. */
async function eventIds(res: Response): Promise<number[]> {
  const text = await res.text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('id:'))
    .map((l) => Number(l.slice(3).trim()));
}

/** Lets the event loop run (the app's promises and stream writes), without waiting on time. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('a progress stream resumed after Last-Event-ID', () => {
  it('answers 204 iff the job ended at or before the id, else exactly the updates after it, never an empty 200', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }).chain((total) =>
          fc.record({
            total: fc.constant(total),
            before: fc.integer({ min: 0, max: total }),
            afterId: fc.integer({ min: 0, max: total + 3 }),
          }),
        ),
        async ({ total, before, afterId }) => {
          const feed = new Feed();
          const push = (): void => feed.push(feed.updates.length + 1 === total ? 'finished' : 'progress');
          for (let i = 0; i < before; i++) push();
          let answeredWith = -1;
          const answer = Promise.resolve(
            appOf(feed).request('/feed', { headers: { 'last-event-id': String(afterId) } }),
          ).then((res) => {
            answeredWith = feed.updates.length;
            return res;
          });
          await turn();
          while (feed.updates.length < total) {
            push();
            await turn();
          }
          const res = await answer;
          // No answer before an update past the id existed, unless the job had ended.
          expect(answeredWith).toBeGreaterThanOrEqual(Math.min(afterId + 1, total));
          if (afterId >= total) {
            expect(res.status).toBe(204);
            expect(await res.text()).toBe('');
          } else {
            expect(res.status).toBe(200);
            expect(await eventIds(res)).toEqual(Array.from({ length: total - afterId }, (_, i) => afterId + 1 + i));
          }
          expect(feed.listeners.size).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('an id past a running job waits for the next update past it, and streams from there', async () => {
    const feed = new Feed();
    feed.push('queued');
    feed.push('started');
    let answered = false;
    const answer = Promise.resolve(appOf(feed).request('/feed', { headers: { 'last-event-id': '4' } })).then((res) => {
      answered = true;
      return res;
    });
    for (let i = 0; i < 2; i++) {
      feed.push('progress'); // ids 3 and 4: not past the id
      await turn();
    }
    expect(answered).toBe(false);
    feed.push('progress'); // 5
    feed.push('finished'); // 6
    const res = await answer;
    expect(res.status).toBe(200);
    expect(await eventIds(res)).toEqual([5, 6]);
  });

  it('an id past a job that then ends without passing it answers 204', async () => {
    const feed = new Feed();
    feed.push('queued');
    const answer = Promise.resolve(appOf(feed).request('/feed', { headers: { 'last-event-id': '1000' } }));
    await turn();
    feed.push('progress');
    feed.push('finished');
    const res = await answer;
    expect(res.status).toBe(204);
    expect(feed.listeners.size).toBe(0);
  });

  it('lets a client go that leaves while its answer waits, removing its listener', async () => {
    const feed = new Feed();
    feed.push('queued');
    const leave = new AbortController();
    const answer = Promise.resolve(
      appOf(feed).request('/feed', { headers: { 'last-event-id': '9' }, signal: leave.signal }),
    );
    await turn();
    expect(feed.listeners.size).toBe(1);
    leave.abort();
    expect((await answer).status).toBe(204);
    expect(feed.listeners.size).toBe(0);
  });
});
