// The market stream recorder against the local Binance gateway serving the end of the bundled
// recording, over loopback, never the internet. The gateway closes every stream after 4 s (its
// connection lifetime, shortened), so the recorder reconnects and resyncs several times while
// the market moves, and the recording crosses a UTC midnight. What it wrote, replayed with the
// replay's own reader, parser and depth sync, must give the gateway's final book level for level,
// and every snapshot it took (at a reconnect, or periodic mid-connection) must agree with the
// book its diffs kept. Every wait is a bounded condition.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBinanceGateway } from '../../src/gateway/binance/binance-gateway.ts';
import { execsimInProcess } from '../support/cli-in-process.ts';
import { compressDay, compressLeftovers } from '../../src/live/binance/recording-folder.ts';
import { StreamRecorder } from '../../src/live/binance/stream-recorder.ts';
import { pidAlive } from '../../src/store/run-state.ts';
import { ReplayFileReader } from '../../src/scenario/replay-file.ts';
import { L2Book } from '../../src/sim/book/l2-book.ts';
import { BinanceLineParser, type BinanceDepth, type BinanceMessage } from '../../src/sim/replay/binance-messages.ts';
import { DepthSync } from '../../src/sim/replay/depth-sync.ts';

const dirs: string[] = [];
const scratch = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-record-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const GRID = { tickSize: '0.01', lotSize: '0.00000001', symbol: 'BTCUSDT' };

async function waitFor(what: string, ok: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function messages(files: readonly string[]): BinanceMessage[] {
  const reader = new ReplayFileReader([...files]);
  const parser = new BinanceLineParser(GRID);
  const out: BinanceMessage[] = [];
  while (reader.next()) out.push(parser.parseBytes(reader.bytes, reader.start, reader.end, reader.lineNo));
  reader.close();
  return out;
}

const levels = (book: L2Book) => ({ bids: book.depth('bid', 10_000), asks: book.depth('ask', 10_000) });

// Each test starts its own gateway and recorder: they run at once (the first waits ten seconds
// for the replayed market to end).
describe.concurrent('execsim record: the market streams of a Binance-compatible venue into replay files', () => {
  it('records through reconnects and a midnight, and replays to the gateway’s book', async () => {
    const gw = await startBinanceGateway({
      scenarioFile: 'test/fixtures/gateway/btcusdt-replay-tail.yaml',
      apiKey: 'k',
      secretKey: 's',
      port: 0,
      socketLife: { maxLifetimeMs: 4_000 },
    });
    const out = scratch();
    // The recorder's clock starts 3 s before a UTC midnight: its lines fall on two days.
    const midnight = Date.UTC(2026, 0, 2);
    const recorder = new StreamRecorder({
      restUrl: gw.url,
      streamUrl: gw.streamUrl.replace(/\/ws$/, ''),
      symbol: 'BTCUSDT',
      outDir: out,
      processAlive: pidAlive,
      depthLimit: 5_000,
      // A 5000-level snapshot weighs 250 of the gateway's 6000 a minute, as on Binance: one every
      // 2 s, with those after reconnects, stays well under it.
      snapshotEveryMs: 2_000,
      reconnectMs: 50,
      now: () => midnight - 3_000,
    });
    let finalBook: { bids: number[][]; asks: number[][] };
    try {
      await recorder.start();
      // The recording's data ends about 15 s after the gateway started; the book then stands
      // still. Wait for a reconnect after that and a quiet second of depth diffs.
      // Quiet on both sides: no diff recorded and the gateway's book unchanged (on a loaded
      // machine the gateway's replay can stall past the quiet second and move on after it).
      let lastDepth = -1;
      let lastUpdate = -1;
      let quietSince = Date.now();
      await waitFor(
        'the market to stand still after two reconnects',
        () => {
          const s = recorder.stats;
          if (s.depth !== lastDepth || gw.depth.lastUpdateId !== lastUpdate) {
            lastDepth = s.depth;
            lastUpdate = gw.depth.lastUpdateId;
            quietSince = Date.now();
          }
          return s.reconnects >= 2 && Date.now() - quietSince > 1_500 && s.snapshots >= 3;
        },
        60_000,
      );
      const snap = (await (await fetch(`${gw.url}/api/v3/depth?symbol=BTCUSDT&limit=5000`)).json()) as {
        bids: string[][];
        asks: string[][];
      };
      const parsed = new BinanceLineParser(GRID).parse(`0 ${JSON.stringify(snap)}`, 1);
      if (parsed.kind !== 'snapshot') throw new Error('expected a snapshot');
      const pairs = (l: number[]) => Array.from({ length: l.length / 2 }, (_, i) => [l[2 * i], l[2 * i + 1]]);
      finalBook = { bids: pairs(parsed.bids) as number[][], asks: pairs(parsed.asks) as number[][] };
    } finally {
      await recorder.stop();
      await gw.close();
    }
    const stats = recorder.stats;
    // Two days, each compressed; nothing left as plain text.
    expect(stats.files.map((f) => path.basename(f))).toEqual(['btcusdt_20260101.gz', 'btcusdt_20260102.gz']);
    expect(fs.readdirSync(out).sort()).toEqual(['btcusdt_20260101.gz', 'btcusdt_20260102.gz']);
    const all = messages(stats.files);
    const diffs = all.filter((m) => m.kind === 'depth').length;
    expect(diffs).toBe(stats.depth);
    expect(all.filter((m) => m.kind === 'snapshot').length).toBe(stats.snapshots);
    expect(all.filter((m) => m.kind === 'trade').length).toBe(stats.trade);
    expect(stats.trade).toBeGreaterThan(10);
    expect(stats.gaps + stats.reconnects).toBeGreaterThanOrEqual(2);
    // Receive times only grow, across the files.
    for (let i = 1; i < all.length; i++) expect(all[i]!.recvMs).toBeGreaterThanOrEqual(all[i - 1]!.recvMs);

    // The replay's sync over the whole recording: resynced at each snapshot after a break.
    const main = new DepthSync(new L2Book());
    // Each snapshot's own sync (fed the diffs just before it too, as those may straddle it),
    // compared with the main book where its connection's diffs end, both then at the same update
    // id. A snapshot answered while the gateway was closing the stream is newer than the last diff
    // that stream delivered (a closing socket is sent nothing): its sync goes on with the next
    // connection's diffs (which follow from it unless the book's changes went out to no one of
    // ours in between) and is compared where those end; one they do not follow from cannot be
    // compared. Any other snapshot whose sync breaks, or ends behind the main book, fails.
    const recent: BinanceDepth[] = [];
    let checks: DepthSync[] = [];
    const carried = new Set<DepthSync>();
    let midConnection = 0;
    let compared = 0;
    const compare = (atEnd: boolean) => {
      const later: DepthSync[] = [];
      for (const c of checks) {
        if (c.state === 'awaiting-snapshot' && carried.has(c)) continue;
        expect(c.state, 'a snapshot whose sync broke on the diffs around it').not.toBe('awaiting-snapshot');
        if (c.lastUpdateId > main.lastUpdateId && !atEnd) {
          carried.add(c);
          later.push(c);
          continue;
        }
        expect(c.lastUpdateId).toBe(main.lastUpdateId);
        expect(levels(c.book)).toEqual(levels(main.book));
        compared++;
      }
      checks = later;
    };
    for (const m of all) {
      if (m.kind === 'snapshot') {
        const c = new DepthSync(new L2Book());
        for (const d of recent) c.onDepth(d);
        c.onSnapshot(m);
        checks.push(c);
        if (main.onSnapshot(m) === 'ignored') midConnection++;
      } else if (m.kind === 'depth') {
        if (main.synced && main.state === 'synced' && m.firstId !== main.lastUpdateId + 1) compare(false);
        main.onDepth(m);
        for (const c of checks) c.onDepth(m);
        recent.push(m);
        // Every diff of the last minutes: under load a 5000-level snapshot's answer came after
        // more than 50 diffs newer than its own state (at load 13 on two cores).
        if (recent.length > 5_000) recent.shift();
      }
    }
    compare(true);
    // The snapshots at the reconnects and the periodic ones between them were checked.
    expect(compared).toBeGreaterThanOrEqual(3);
    expect(midConnection).toBeGreaterThanOrEqual(1);
    // In step at the end: applying diffs, or (when a gap came as the market stopped) holding the
    // snapshot loaded after it, which no diff followed because the book stood still from then on.
    expect(['synced', 'awaiting-first-diff'], `the replay's sync at the end`).toContain(main.state);
    expect(main.counts.applied).toBeGreaterThan(20);
    expect(levels(main.book)).toEqual(finalBook!);
  }, 120_000);

  it('does not write a snapshot whose stream closed before its answer came, and snapshots the next stream', async () => {
    // The first snapshot's answer is read from the gateway at once but held (a slow network) until
    // the recorder has reconnected: the gateway closes every stream after a second, and the diffs
    // published in the 300 ms before the reconnect are lost to the recorder while the recorded
    // market moves. (The gateway works a diff out only while someone listens, as another client
    // of Binance's always does: the test publishes them every 50 ms.) That answer is as of the
    // first stream: written after the second opened, no diff of the second could follow it.
    const gw = await startBinanceGateway({
      scenarioFile: 'test/fixtures/gateway/btcusdt-replay-tail.yaml',
      apiKey: 'k',
      secretKey: 's',
      port: 0,
      socketLife: { maxLifetimeMs: 1_000 },
    });
    let recorder: StreamRecorder | null = null;
    let depthAsks = 0;
    const proxy = http.createServer((req, res) => {
      void (async () => {
        const answer = await fetch(`${gw.url}${req.url ?? '/'}`);
        const body = await answer.text();
        if (req.url?.startsWith('/api/v3/depth') && ++depthAsks === 1)
          await waitFor('the recorder to reconnect', () => (recorder?.stats.reconnects ?? 0) >= 1, 30_000);
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(body);
      })().catch((err: Error) => {
        res.writeHead(502);
        res.end(err.message);
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const publisher = setInterval(() => gw.depth.sync(), 50);
    const lines: string[] = [];
    const out = scratch();
    try {
      recorder = new StreamRecorder({
        restUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
        streamUrl: gw.streamUrl.replace(/\/ws$/, ''),
        symbol: 'BTCUSDT',
        outDir: out,
        processAlive: pidAlive,
        depthLimit: 5_000,
        snapshotEveryMs: 0,
        reconnectMs: 300,
        log: (line) => lines.push(line),
      });
      await recorder.start();
      // The second stream's own snapshot, then a second of its diffs.
      const depthAt = recorder.stats.depth;
      await waitFor('diffs after the first written snapshot', () => recorder!.stats.depth >= depthAt + 5, 30_000);
    } finally {
      clearInterval(publisher);
      await recorder?.stop();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await gw.close();
    }
    const stats = recorder.stats;
    expect(stats.snapshots).toBeGreaterThanOrEqual(1);
    // Every snapshot written syncs with the diffs recorded before it: each is older than it or
    // follows from it without a gap (a snapshot of a closed stream, written after the next one's
    // diffs, has the diffs lost between the streams after it).
    const all = messages(stats.files);
    expect(all.filter((m) => m.kind === 'snapshot')).toHaveLength(stats.snapshots);
    const before: BinanceDepth[] = [];
    for (const m of all) {
      if (m.kind === 'depth') before.push(m);
      if (m.kind !== 'snapshot') continue;
      const sync = new DepthSync(new L2Book());
      for (const d of before) sync.onDepth(d);
      expect(sync.onSnapshot(m)).toBe('loaded');
      expect(sync.counts.gaps, `the snapshot at update id ${m.lastUpdateId}`).toBe(0);
    }
    expect(lines.filter((l) => /not written: its stream closed before the answer came/.test(l))).toHaveLength(1);
  }, 90_000);

  it('compresses what a killed recorder left, without its partial last line', async () => {
    const out = scratch();
    const base = path.join(out, 'btcusdt_20260101');
    fs.writeFileSync(`${base}.rec`, '1 {"a":1}\n2 {"b":2}\n3 {"c":');
    fs.writeFileSync(path.join(out, 'btcusdt_20260102.rec'), '4 {"d":4}\n');
    // A file of the first day is there already (an earlier recorder's): the new one goes beside it.
    fs.writeFileSync(`${base}.gz`, 'x');
    const done = await compressLeftovers(out, 'BTCUSDT');
    expect(done.map((f) => path.basename(f))).toEqual(['btcusdt_20260101-2.gz', 'btcusdt_20260102.gz']);
    expect(fs.readdirSync(out).sort()).toEqual(['btcusdt_20260101-2.gz', 'btcusdt_20260101.gz', 'btcusdt_20260102.gz']);
    const text = (f: string) => {
      const r = new ReplayFileReader([path.join(out, f)]);
      const lines: string[] = [];
      while (r.next()) lines.push(Buffer.from(r.bytes.subarray(r.start, r.end)).toString());
      r.close();
      return lines;
    };
    expect(text('btcusdt_20260101-2.gz')).toEqual(['1 {"a":1}', '2 {"b":2}']);
    expect(text('btcusdt_20260102.gz')).toEqual(['4 {"d":4}']);
    // A file with no complete line compresses to an empty one.
    fs.writeFileSync(`${base}-9.rec`, 'partial');
    expect(text(path.basename(await compressDay(`${base}-9`)))).toEqual([]);
  });

  it('says at once when the streams cannot be reached', async () => {
    const recorder = new StreamRecorder({
      restUrl: 'http://127.0.0.1:9',
      streamUrl: 'ws://127.0.0.1:9',
      symbol: 'BTCUSDT',
      outDir: scratch(),
      processAlive: pidAlive,
    });
    await expect(recorder.start()).rejects.toThrow(/cannot open the market streams at ws:\/\/127\.0\.0\.1:9\/stream/);
  });
});

describe('execsim record as a command', () => {
  it('records for --duration and says what it wrote', async () => {
    const gw = await startBinanceGateway({
      scenarioFile: 'test/fixtures/gateway/binance-synthetic.yaml',
      apiKey: 'k',
      secretKey: 's',
      port: 0,
    });
    const out = scratch();
    try {
      const r = await execsimInProcess([
        'record',
        '--symbol',
        'BTCUSDT',
        '--out',
        out,
        '--venue',
        gw.url,
        '--streams',
        gw.streamUrl.replace(/\/ws$/, ''),
        '--duration',
        'PT1.5S',
      ]);
      expect(r.err).toEqual([]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/execsim record: snapshot at update id \d+ \(start of the stream\)/);
      const summary =
        /stopped: (\d+) depth diffs, (\d+) bookTicker, (\d+) trades, 1 snapshots, 0 gaps, 0 reconnects; files: (.+)/.exec(
          r.stdout,
        );
      expect(summary).not.toBeNull();
      const files = summary![4]!.split(', ');
      expect(files).toHaveLength(1);
      const got = messages(files);
      expect(got.filter((m) => m.kind === 'depth')).toHaveLength(Number(summary![1]));
      expect(got.filter((m) => m.kind === 'bbo')).toHaveLength(Number(summary![2]));
      expect(got.filter((m) => m.kind === 'snapshot')).toHaveLength(1);
    } finally {
      await gw.close();
    }
  }, 60_000);

  it.each([
    [['record', '--out', 'x'], '--symbol S is required'],
    [['record', '--symbol', 'btc-usdt', '--out', 'x'], "--symbol must be the venue's symbol in capitals"],
    [['record', '--symbol', 'BTCUSDT'], '--out DIR is required'],
    [['record', '--symbol', 'BTCUSDT', '--out', 'x', '--streams', 'http://a'], '--streams must be a ws: or wss: URL'],
    [
      ['record', '--symbol', 'BTCUSDT', '--out', 'x', '--duration', 'an hour'],
      '--duration must be an ISO 8601 duration',
    ],
    [['record', '--symbol', 'BTCUSDT', '--out', 'x', '--depth-limit', '9000'], '--depth-limit'],
    [
      ['record', '--symbol', 'BTCUSDT', '--out', 'x', '--streams', 'ws://127.0.0.1:9'],
      'cannot open the market streams',
    ],
  ])('refuses %j: %s', async (args, message) => {
    const r = await execsimInProcess(args.map((a) => (a === 'x' ? scratch() : a)));
    expect(r.code).toBe(2);
    expect(r.err[0]).toContain(message);
    expect(r.stdout.includes('stopped:')).toBe(false);
  });
});
