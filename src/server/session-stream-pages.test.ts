// A client replaying a long session log from the start reads it page by page, the server's other
// work running between pages (a kill switch must not wait for a replay), and gets every entry
// once, in order, the ones committed while it replays included.
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../core/model/events.ts';
import { REPLAY_PAGE, streamSessionEntries, type SessionLog } from './session-stream.ts';

const entry = (seq: number): LogEntry =>
  ({ seq, time: seq, event: { kind: 'SignalReceived', signalId: `s${seq}` } }) as unknown as LogEntry;

describe('a session stream replaying a long log', () => {
  it('reads it a page at a time with turns of the event loop between, every entry once, in order', async () => {
    const entries = Array.from({ length: REPLAY_PAGE * 4 + 7 }, (_, i) => entry(i + 1));
    const followers = new Set<(e: LogEntry) => void>();
    let turns = 0;
    const pages: Array<{ size: number; turns: number }> = [];
    const log: SessionLog = {
      entriesAfter: (after, limit = Infinity) => {
        const page = entries.filter((e) => e.seq > after).slice(0, limit);
        pages.push({ size: page.length, turns });
        return page;
      },
      follow: (l) => {
        followers.add(l);
        return () => followers.delete(l);
      },
      get lastSeq() {
        return entries.at(-1)?.seq ?? 0;
      },
    };
    // Counts event-loop turns while the replay runs: a replay that never yields leaves it at 0.
    let counting = true;
    const count = (): void => {
      turns++;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const app = new Hono();
    app.get('/stream', (c) => streamSessionEntries(c, log, 0, { keepAliveMs: 60_000 }));
    const res = await app.request('/stream');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let rest = '';
    const seen: number[] = [];
    let committedWhileReplaying = false;
    const want = REPLAY_PAGE * 4 + 7 + 1;
    while (seen.length < want) {
      const { value, done } = await reader.read();
      if (done) break;
      const lines = (rest + decoder.decode(value)).split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) if (l.startsWith('id: ')) seen.push(Number(l.slice(4)));
      if (!committedWhileReplaying && seen.length > REPLAY_PAGE) {
        // An entry committed while the replay is under way: it reaches the client once.
        committedWhileReplaying = true;
        const e = entry(entries.length + 1);
        entries.push(e);
        for (const f of followers) f(e);
      }
    }
    counting = false;
    await reader.cancel();
    expect(seen).toEqual(Array.from({ length: want }, (_, i) => i + 1));
    expect(pages.every((p) => p.size <= REPLAY_PAGE)).toBe(true);
    expect(pages.length).toBeGreaterThanOrEqual(5);
    // Each later page was read after more turns of the loop than the one before it.
    for (let i = 1; i < pages.length; i++) expect(pages[i]!.turns).toBeGreaterThan(pages[i - 1]!.turns);
  });
});
