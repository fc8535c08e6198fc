// `execsim record` of several symbols into one folder, against the local Binance gateway serving
// BTCUSDT and ETHUSDT (scenarios/gateway/btc-eth.yaml) over loopback: each symbol in its own day
// files with its own book; a recorder leaves another symbol's files alone and holds a lock of its
// own symbol while it runs; a start that fails (a symbol the venue does not trade, a REST base
// that does not answer, a symbol another recorder holds) is exit 2 and keeps nothing of the
// attempt, while what an earlier, killed recorder left is still compressed and kept.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBinanceGateway } from '../../src/gateway/binance/binance-gateway.ts';
import { compressLeftovers } from '../../src/live/binance/recording-folder.ts';
import { StreamRecorder } from '../../src/live/binance/stream-recorder.ts';
import { pidAlive } from '../../src/store/run-state.ts';
import { ReplayFileReader } from '../../src/scenario/replay-file.ts';
import { BinanceLineParser } from '../../src/sim/replay/binance-messages.ts';
import { execsimInProcess } from '../support/cli-in-process.ts';

type Gateway = Awaited<ReturnType<typeof startBinanceGateway>>;
let gw: Gateway;
const dirs: string[] = [];
const scratch = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-record-symbols-'));
  dirs.push(d);
  return d;
};

beforeAll(async () => {
  gw = await startBinanceGateway({
    scenarioFile: 'scenarios/gateway/btc-eth.yaml',
    apiKey: 'k',
    secretKey: 's',
    port: 0,
  });
});
afterAll(async () => {
  await gw?.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const streams = (): string => gw.streamUrl.replace(/\/ws$/, '');
const venueArgs = (): string[] => ['--venue', gw.url, '--streams', streams()];

/** The lines of a replay file, as text. */
function lines(file: string): string[] {
  const r = new ReplayFileReader([file]);
  const out: string[] = [];
  while (r.next()) out.push(Buffer.from(r.bytes.subarray(r.start, r.end)).toString());
  r.close();
  return out;
}

/** The best bid of the first snapshot in a replay file, in ticks of 0.01. */
function firstSnapshotBestBid(file: string, symbol: string): number {
  const parser = new BinanceLineParser({ tickSize: '0.01', lotSize: '0.00000001', symbol });
  for (const [i, line] of lines(file).entries()) {
    const m = parser.parse(line, i + 1);
    if (m.kind === 'snapshot') return m.bids[0] as number;
  }
  throw new Error(`${file} has no snapshot`);
}

/** A pid no process has now: a child's, once it has exited. */
function endedPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  if (r.pid === undefined) throw new Error('no child process');
  return r.pid;
}

describe('execsim record --symbol A,B', () => {
  it('records each symbol into its own files, each with its own book, and leaves no lock behind', async () => {
    const out = scratch();
    const r = await execsimInProcess([
      'record',
      '--symbol',
      'BTCUSDT,ETHUSDT',
      '--out',
      out,
      ...venueArgs(),
      '--duration',
      'PT1S',
    ]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    // Each line of a recording of several symbols names its symbol.
    expect(r.stdout).toMatch(/execsim record: BTCUSDT: snapshot at update id \d+ \(start of the stream\)/);
    expect(r.stdout).toMatch(/execsim record: ETHUSDT: snapshot at update id \d+ \(start of the stream\)/);
    const summaries = [...r.stdout.matchAll(/execsim record: (\w+): stopped: .*; files: (.+)/g)];
    expect(summaries.map((m) => m[1])).toEqual(['BTCUSDT', 'ETHUSDT']);
    const [btc, eth] = summaries.map((m) => m[2]!.split(', '));
    expect(btc!.map((f) => path.basename(f))).toEqual([expect.stringMatching(/^btcusdt_\d{8}\.gz$/)]);
    expect(eth!.map((f) => path.basename(f))).toEqual([expect.stringMatching(/^ethusdt_\d{8}\.gz$/)]);
    // The gateway's books: BTCUSDT's best bid 64999.00, ETHUSDT's 2599.50.
    expect(firstSnapshotBestBid(btc![0]!, 'BTCUSDT')).toBe(6_499_900);
    expect(firstSnapshotBestBid(eth![0]!, 'ETHUSDT')).toBe(259_950);
    // Each file holds its own symbol's streams only.
    expect(lines(btc![0]!).some((l) => l.includes('ethusdt@'))).toBe(false);
    expect(lines(eth![0]!).some((l) => l.includes('btcusdt@'))).toBe(false);
    expect(fs.readdirSync(out).sort()).toEqual([path.basename(btc![0]!), path.basename(eth![0]!)]);
  }, 60_000);

  it('a symbol the venue does not trade is exit 2 naming it, and nothing of the attempt is kept', async () => {
    const out = scratch();
    // What an earlier, killed recorder of BTCUSDT left: compressed at the start, and kept.
    fs.writeFileSync(path.join(out, 'btcusdt_20260101.rec'), '1 {"a":1}\n');
    const r = await execsimInProcess(['record', '--symbol', 'BTCUSDT,XRPUSDT', '--out', out, ...venueArgs()]);
    expect(r.code).toBe(2);
    expect(r.err[0]).toMatch(
      /^execsim: --symbol XRPUSDT: the venue at http:\/\/127\.0\.0\.1:\d+ does not trade XRPUSDT/,
    );
    expect(r.err[0]).toContain('-1121');
    expect(r.stdout.includes('stopped:')).toBe(false);
    // BTCUSDT had started recording; its recording and its lock are gone, the leftover is kept.
    expect(fs.readdirSync(out)).toEqual(['btcusdt_20260101.gz']);
    expect(lines(path.join(out, 'btcusdt_20260101.gz'))).toEqual(['1 {"a":1}']);
  }, 60_000);

  it('a REST base that does not answer is exit 2 at the start, nothing kept', async () => {
    const out = scratch();
    const r = await execsimInProcess([
      'record',
      '--symbol',
      'BTCUSDT',
      '--out',
      out,
      '--venue',
      'http://127.0.0.1:9',
      '--streams',
      streams(),
    ]);
    expect(r.code).toBe(2);
    expect(r.err[0]).toMatch(
      /^execsim: cannot read a depth snapshot of BTCUSDT at http:\/\/127\.0\.0\.1:9\/api\/v3\/depth\?symbol=BTCUSDT&limit=1000: /,
    );
    expect(fs.readdirSync(out)).toEqual([]);
  }, 60_000);

  it.each([
    [['--symbol', 'BTCUSDT,BTCUSDT'], '--symbol names BTCUSDT twice in "BTCUSDT,BTCUSDT"'],
    [
      ['--symbol', 'BTCUSDT,'],
      `--symbol must list the venue's symbols in capitals, separated by commas (BTCUSDT,ETHUSDT), got "" in "BTCUSDT,"`,
    ],
    [['--symbol', 'BTCUSDT, ETHUSDT'], `got " ETHUSDT" in "BTCUSDT, ETHUSDT"`],
    [['--symbol', 'BTCUSDT,ethusdt'], `got "ethusdt" in "BTCUSDT,ethusdt"`],
  ])('refuses %j before connecting: %s', async (args, message) => {
    const out = path.join(scratch(), 'never');
    const r = await execsimInProcess([
      'record',
      ...args,
      '--out',
      out,
      '--venue',
      'http://127.0.0.1:9',
      '--streams',
      'ws://127.0.0.1:9',
    ]);
    expect(r.code).toBe(2);
    expect(r.err[0]).toContain(message);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('recorders sharing a folder', () => {
  it('compresses only its own symbol’s leftovers: another symbol’s may be recording now', async () => {
    const out = scratch();
    fs.writeFileSync(path.join(out, 'btcusdt_20260101.rec'), '1 {"a":1}\n');
    fs.writeFileSync(path.join(out, 'btcusdt_20260101-2.rec'), '2 {"b":2}\n');
    fs.writeFileSync(path.join(out, 'ethusdt_20260101.rec'), '3 {"c":3}\n');
    fs.writeFileSync(path.join(out, 'btcusdtx_20260101.rec'), '4 {"d":4}\n');
    const done = await compressLeftovers(out, 'BTCUSDT');
    expect(done.map((f) => path.basename(f))).toEqual(['btcusdt_20260101-2.gz', 'btcusdt_20260101.gz']);
    expect(fs.readdirSync(out).sort()).toEqual([
      'btcusdt_20260101-2.gz',
      'btcusdt_20260101.gz',
      'btcusdtx_20260101.rec',
      'ethusdt_20260101.rec',
    ]);
  });

  it('a second recorder of the same symbol is refused while the first runs; another symbol is not', async () => {
    const out = scratch();
    const recorder = (symbol: string) =>
      new StreamRecorder({
        restUrl: gw.url,
        streamUrl: streams(),
        symbol,
        outDir: out,
        snapshotEveryMs: 0,
        processAlive: pidAlive,
      });
    const first = recorder('BTCUSDT');
    await first.start();
    try {
      expect(fs.readFileSync(path.join(out, 'btcusdt.recording'), 'utf8')).toBe(`${process.pid}\n`);
      const second = recorder('BTCUSDT');
      await expect(second.start()).rejects.toThrow(
        new RegExp(`^another recorder \\(process ${process.pid}\\) is recording BTCUSDT into ${out}`),
      );
      // The refused one took nothing of the first's: its lock and its file are still there.
      expect(fs.readdirSync(out).sort()).toEqual(['btcusdt.recording', expect.stringMatching(/^btcusdt_\d{8}\.rec$/)]);
      const eth = recorder('ETHUSDT');
      await eth.start();
      const ethStats = await eth.stop();
      expect(ethStats.files.map((f) => path.basename(f))).toEqual([expect.stringMatching(/^ethusdt_\d{8}\.gz$/)]);
    } finally {
      await first.stop();
    }
    expect(fs.readdirSync(out).filter((f) => f.endsWith('.recording') || f.endsWith('.rec'))).toEqual([]);
  }, 60_000);

  it('takes over a lock whose process has ended', async () => {
    const out = scratch();
    const dead = endedPid();
    fs.writeFileSync(path.join(out, 'btcusdt.recording'), `${dead}\n`);
    const log: string[] = [];
    const r = new StreamRecorder({
      restUrl: gw.url,
      streamUrl: streams(),
      symbol: 'BTCUSDT',
      outDir: out,
      processAlive: pidAlive,
      snapshotEveryMs: 0,
      log: (line) => log.push(line),
    });
    await r.start();
    expect(fs.readFileSync(path.join(out, 'btcusdt.recording'), 'utf8')).toBe(`${process.pid}\n`);
    const stats = await r.stop();
    expect(log).toContain(`taking over btcusdt.recording, left by process ${dead}, which has ended`);
    expect(stats.snapshots).toBe(1);
    expect(fs.existsSync(path.join(out, 'btcusdt.recording'))).toBe(false);
  }, 60_000);
});
