// The session's log stream over a real sim session (the sandbox session file's simulated venue,
// on the wall clock, in this process), through the route declarations as the app registers them:
// a TWAP's entries arrive live, each once with its seq as id and its kind as event name; a
// reconnect with Last-Event-ID (header, or the query parameter; the header wins) gets exactly the
// entries after it, none repeated or missed, the same as the session's committed log; an id past
// the last entry waits for the next entry; a bad id is a 400 naming the field; a client that
// leaves is let go (its follower removed); a client that does not read is dropped once the live
// entries waiting for it pass the cap, and resumes without a gap; quiet streams get keep-alives,
// and the server's signal ends them. A server without a session answers 404.
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/core/model/events.ts';
import type { ServiceSession } from '../../src/runtime/session-root.ts';
import { buildOpenApi } from '../../src/server/openapi.ts';
import { ProblemError, problemResponse } from '../../src/server/problem.ts';
import { registerRoutes } from '../../src/server/register-routes.ts';
import { sessionStreamRoutes } from '../../src/server/routes/session-stream-routes.ts';
import type { SessionPort } from '../../src/server/session-port.ts';
import type { SessionStreamOptions } from '../../src/server/session-stream.ts';
import type { RunStore } from '../../src/store/run-store.ts';
import { openSimSession, submitTwap } from '../support/sim-session.ts';
import { SseReader, type SseEvent } from '../support/sse-reader.ts';

const API = '/api/v1';

/** The port with a count of its followers (to see a client let go). */
function counted(session: ServiceSession): { port: SessionPort; followers: () => number } {
  let n = 0;
  const port = Object.create(session) as SessionPort;
  Object.defineProperty(port, 'follow', {
    value: (l: (e: LogEntry) => void) => {
      n++;
      const stop = session.follow(l);
      let stopped = false;
      return () => {
        if (!stopped) n--;
        stopped = true;
        stop();
      };
    },
  });
  return { port, followers: () => n };
}

function appOf(port: SessionPort | null, options: SessionStreamOptions = {}): Hono {
  const app = new Hono<{ Variables: { routePattern?: string } }>();
  registerRoutes(app, sessionStreamRoutes(port, options), {
    apiBase: API,
    token: null,
    maxBodyBytes: 1000,
    checkResponses: true,
  });
  app.onError((err, c) => {
    if (err instanceof ProblemError) return problemResponse(err, c, API);
    throw err;
  });
  return app as unknown as Hono;
}

const kinds = (events: readonly SseEvent[]): string[] => events.flatMap((e) => (e.event ? [e.event] : []));
const lastId = (r: SseReader): number => r.ids().at(-1) ?? 0;
/** The session's committed entries, as the stream sends them (no market samples). */
const logged = (store: RunStore, id: string): number[] =>
  [...store.entries(id)].filter((e) => e.event.kind !== 'MarketSampled').map((e) => e.seq);

describe('GET /session/stream over a sim session', () => {
  let session: ServiceSession;
  let store: RunStore;
  beforeAll(async () => {
    ({ session, store } = await openSimSession());
  });
  afterAll(async () => {
    await session?.stop('test');
    store?.db.close();
  });

  it('is in the API document on every server, with its resume parameter and both answers', () => {
    const doc = buildOpenApi(sessionStreamRoutes(null), { apiBase: API, version: 'test' });
    const op = doc.paths[`${API}/session/stream`]?.['get'] as unknown as {
      parameters: Array<{ name: string; in: string }>;
      responses: Record<string, { content?: Record<string, unknown> }>;
    };
    expect(op.parameters.map((p) => `${p.in}.${p.name}`)).toContain('query.lastEventId');
    expect(Object.keys(op.responses['200']?.content ?? {})).toEqual(['text/event-stream']);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '204', '400', '404']));
  });

  it('answers 404 on a server that hosts no session', async () => {
    const res = await appOf(null).request(`${API}/session/stream`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { detail: string }).detail).toContain('hosts no trading session');
  });

  it("streams a TWAP's entries live; a reconnect after Last-Event-ID repeats and misses none", async () => {
    const { port, followers } = counted(session);
    const app = appOf(port);
    const res = await app.request(`${API}/session/stream`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const first = new SseReader(res);
    await first.until((es) => es.length >= 1);
    expect(followers()).toBe(1);
    expect((await submitTwap(session, 'stream-1', 100, 4, 800)).outcome).toBe('accepted');
    // Until the first fill, then the client leaves mid-TWAP.
    await first.until((es) => kinds(es).includes('FillReport'));
    await first.cancel();
    await waitFor(() => followers() === 0);
    const seen = first.ids();
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(new Set(seen).size).toBe(seen.length);
    for (const e of first.events.filter((x) => x.id !== undefined)) {
      const data = JSON.parse(e.data ?? '') as { seq: number; time: number; kind: string; event: { kind: string } };
      expect(String(data.seq)).toBe(e.id);
      expect(data.kind).toBe(e.event);
      expect(data.event.kind).toBe(data.kind);
      expect(typeof data.time).toBe('number');
    }

    const again = new SseReader(
      await app.request(`${API}/session/stream`, { headers: { 'last-event-id': String(lastId(first)) } }),
    );
    await again.until((es) => kinds(es).includes('ParentOrderCompleted'));
    await again.cancel();
    const all = [...seen, ...again.ids()];
    expect(again.ids()[0]).toBe(lastId(first) + 1);
    // Every committed entry up to the last one read, once, in order.
    expect(all).toEqual(logged(store, session.id).filter((s) => s <= (all.at(-1) ?? 0)));
    expect(kinds(again.events).filter((k) => k === 'FillReport').length).toBeGreaterThan(0);
  });

  it('reads the held entries a page at a time alike from memory and from the store', async () => {
    expect((await submitTwap(session, 'stream-pages', 60, 3, 600)).outcome).toBe('accepted');
    // The session commits as it runs: compared up to the last entry the store held when read.
    // Market samples (in memory for charts, carrying the seq before them) are not entries.
    const entries = (es: readonly LogEntry[]): number[] =>
      es.filter((e) => e.event.kind !== 'MarketSampled').map((e) => e.seq);
    const all = [...store.entries(session.id)];
    const top = all.at(-1)?.seq ?? 0;
    expect(all.length).toBeGreaterThanOrEqual(6);
    const paged = (page: (after: number) => LogEntry[]): number[] => {
      const out: LogEntry[] = [];
      for (let got = page(0); got.length > 0; got = page(got.at(-1)!.seq)) out.push(...got);
      return entries(out).filter((seq) => seq <= top);
    };
    expect(paged((after) => session.entriesAfter(after, 3))).toEqual(entries(all));
    expect(paged((after) => [...store.entries(session.id, after + 1, 3)])).toEqual(entries(all));
    expect(entries(session.entriesAfter(0)).filter((seq) => seq <= top)).toEqual(entries(all));
  });

  it('resumes after the lastEventId query parameter, and the header wins over it', async () => {
    const app = appOf(session);
    const after = session.lastSeq - 5;
    const byQuery = new SseReader(await app.request(`${API}/session/stream?lastEventId=${after}`));
    await byQuery.until((es) => es.length >= 5);
    await byQuery.cancel();
    expect(byQuery.ids().slice(0, 5)).toEqual(
      logged(store, session.id)
        .filter((s) => s > after)
        .slice(0, 5),
    );
    const both = new SseReader(
      await app.request(`${API}/session/stream?lastEventId=1`, { headers: { 'last-event-id': String(after) } }),
    );
    await both.until((es) => es.length >= 1);
    await both.cancel();
    expect(both.ids()[0]).toBe(after + 1);
  });

  it('refuses an id that is not a whole number, naming the field', async () => {
    const app = appOf(session);
    for (const bad of ['x', '-1', '1.5']) {
      const h = await app.request(`${API}/session/stream`, { headers: { 'last-event-id': bad } });
      expect(h.status).toBe(400);
      expect(JSON.stringify(await h.json())).toContain('header.Last-Event-ID');
      const q = await app.request(`${API}/session/stream?lastEventId=${bad}`);
      expect(q.status).toBe(400);
      expect(JSON.stringify(await q.json())).toContain('lastEventId');
    }
  });

  it('answers an id past the last entry with the entries after it, once they are committed', async () => {
    const app = appOf(session);
    const past = session.lastSeq + 3;
    const answer = app.request(`${API}/session/stream`, { headers: { 'last-event-id': String(past) } });
    expect((await submitTwap(session, 'stream-past', 60, 3, 600)).outcome).toBe('accepted');
    const res = await answer;
    expect(res.status).toBe(200);
    const r = new SseReader(res);
    await r.until((es) => es.length >= 1);
    await r.cancel();
    expect(r.ids()[0]).toBe(past + 1);
  });

  it('lets a client go that leaves while its answer waits', async () => {
    const { port, followers } = counted(session);
    const leave = new AbortController();
    const answer = appOf(port).request(`${API}/session/stream`, {
      headers: { 'last-event-id': String(session.lastSeq + 1_000_000) },
      signal: leave.signal,
    });
    await waitFor(() => followers() === 1);
    leave.abort();
    const res = await answer;
    expect(res.status).toBe(204);
    expect(followers()).toBe(0);
  });

  it('drops a client that does not read once the live entries waiting pass the cap; it resumes without a gap', async () => {
    const { port, followers } = counted(session);
    const app = appOf(port, { maxQueued: 5 });
    const from = session.lastSeq;
    const res = await app.request(`${API}/session/stream`, { headers: { 'last-event-id': String(from) } });
    expect(res.status).toBe(200);
    // Not read while a TWAP commits far more than 5 entries.
    expect((await submitTwap(session, 'stream-slow', 60, 3, 300)).outcome).toBe('accepted');
    await waitFor(() => followers() === 0);
    const slow = new SseReader(res);
    await slow.until(() => false).catch(() => {});
    expect(slow.ended).toBe(true);
    const behind = lastId(slow) || from;
    expect(behind).toBeLessThan(session.lastSeq);
    const rest = new SseReader(
      await app.request(`${API}/session/stream`, { headers: { 'last-event-id': String(behind) } }),
    );
    await rest.until((es) => kinds(es).includes('ParentOrderCompleted'));
    await rest.cancel();
    const all = [...slow.ids(), ...rest.ids()];
    expect(all).toEqual(logged(store, session.id).filter((s) => s > from && s <= (all.at(-1) ?? 0)));
  });

  it('sends a keep-alive comment while the session is quiet, and ends every stream when told to', async () => {
    const shutdown = new AbortController();
    const r = new SseReader(
      await appOf(session, { keepAliveMs: 20, signal: shutdown.signal }).request(`${API}/session/stream`, {
        headers: { 'last-event-id': String(session.lastSeq) },
      }),
    );
    await r.until((es) => es.some((e) => e.comment === 'keep-alive'));
    shutdown.abort();
    await r.until(() => false, 5_000).catch(() => {});
    expect(r.ended).toBe(true);
  });
});

/** Waits for a condition, bounded (the app's promises and stream writes settle on the event loop). */
async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
