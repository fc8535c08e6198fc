// `npm run bench:stream`: what clients replaying a service session's log from its start (the
// event stream without Last-Event-ID) cost the server's other work. N clients read a log of
// 25,000 entries through the stream route in process, each to its end; a ticker on the event
// loop (setImmediate, as the server's I/O is served between turns) measures the longest time
// the loop went without a turn: how long a kill switch request could wait. Run: npm run
// bench:stream -- [--clients 1,10,50] [--entries 25000]
import { Hono } from 'hono';
import type { LogEntry } from '../src/core/model/events.ts';
import { streamSessionEntries, type SessionLog } from '../src/server/session-stream.ts';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const clients = flag('clients', '1,10,50').split(',').map(Number);
const size = Number(flag('entries', '25000'));
const entries: LogEntry[] = Array.from(
  { length: size },
  (_, i) =>
    ({
      seq: i + 1,
      time: i,
      event: { kind: 'SignalReceived', signalId: `s${i}`, side: 'buy', qty: 1, price: 100, source: 'bench' },
    }) as unknown as LogEntry,
);
// As the session answers: a page of what it holds, from memory.
const log: SessionLog = {
  entriesAfter: (after, limit = Infinity) => entries.slice(after, Number.isFinite(limit) ? after + limit : undefined),
  follow: () => () => {},
  get lastSeq() {
    return entries.length;
  },
};
const app = new Hono();
app.get('/stream', (c) => streamSessionEntries(c, log, 0, { keepAliveMs: 60_000 }));

async function replay(n: number): Promise<{ ms: number; stallMs: number }> {
  let last = performance.now();
  let worst = 0;
  let on = true;
  const tick = (): void => {
    const t = performance.now();
    worst = Math.max(worst, t - last);
    last = t;
    if (on) setImmediate(tick);
  };
  setImmediate(tick);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: n }, async () => {
      const res = await app.request('/stream');
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let ids = 0;
      while (ids < size) {
        const { value, done } = await reader.read();
        if (done) break;
        ids += (decoder.decode(value).match(/^id: /gm) ?? []).length;
      }
      await reader.cancel();
    }),
  );
  on = false;
  const end = performance.now();
  // A replay that never let the loop turn leaves the ticker unrun: the whole replay was a stall.
  return { ms: end - t0, stallMs: Math.max(worst, end - last) };
}

console.log(`node ${process.version}; ${size.toLocaleString('en-US')} entries per replay`);
for (const n of clients) {
  const r = await replay(n);
  console.log(
    `  ${String(n).padStart(3)} client(s): all replayed in ${Math.round(r.ms)} ms; ` +
      `the event loop went at most ${Math.round(r.stallMs)} ms without a turn`,
  );
}
