// Session files and how a server starts on one: every problem of a file named at once (exit 2,
// nothing stored, the server never listens), a sim session's run stored as it trades and
// finished when it stops, a sim session whose server died marked failed when the next one starts,
// and a second server refused while the first runs the session.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/scenario/load-scenario.ts';
import { parseSessionFile } from '../../src/scenario/session-file.ts';
import { SessionRefused } from '../../src/runtime/session-root.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { RunStore } from '../../src/store/run-store.ts';
import { execsimInProcess } from '../support/cli-in-process.ts';
import { settle, simSession } from '../support/session-fixture.ts';
import { readFileSync } from 'node:fs';

const dir = mkdtempSync(join(tmpdir(), 'execsim-session-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SANDBOX = readFileSync('scenarios/session/sandbox-btcusdt.yaml', 'utf8');

const problems = (text: string): string[] => {
  try {
    parseSessionFile(text, 's.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as ScenarioError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  return [];
};

describe('a session file', () => {
  it('parses the bundled sandbox as a sim session', () => {
    const s = parseSessionFile(SANDBOX, 'sandbox.yaml');
    expect(s.mode).toBe('sim');
    expect(s.loaded.scenario.instrument.symbol).toBe('BTCUSDT');
  });

  it('names every problem at once: scripted sections, a bad mode, a bad field', () => {
    const text =
      SANDBOX.replace('mode: sim', 'mode: live') +
      'orders:\n  - { id: a, side: buy, qty: "1", type: market }\nexpect:\n  - noDiscrepancies: true\n';
    const found = problems(text.replace('seed: 7', 'seed: -7'));
    expect(found.map((p) => p.split(':')[0])).toEqual(expect.arrayContaining(['mode', 'orders', 'expect', 'seed']));
    expect(found.find((p) => p.startsWith('orders'))).toMatch(/over HTTP/);
  });

  it('takes other instruments, each checked as a backtest checks them', () => {
    const eth =
      'otherInstruments:\n  - { symbol: ETHUSDT, tickSize: "0.01", lotSize: "0.0001", minNotional: "5", market: { model: synthetic, initialPrice: "2600.00", volatility: 0.2, depth: ["8"] } }\n';
    expect(problems(SANDBOX + eth)).toEqual([]);
    expect(parseSessionFile(SANDBOX + eth, 'two.yaml').loaded.scenario.otherInstruments.map((o) => o.symbol)).toEqual([
      'ETHUSDT',
    ]);
    // The same symbol twice is refused, naming the field.
    const twice = problems(SANDBOX + eth.replace('ETHUSDT', 'BTCUSDT'));
    expect(twice.length).toBeGreaterThan(0);
    expect(twice.every((p) => p.startsWith('otherInstruments'))).toBe(true);
  });

  it('needs start and market in sim mode, and says how to trade without them', () => {
    const found = problems(SANDBOX.replace('start: 2024-08-09T00:00:00Z\n', ''));
    expect(found).toEqual([
      'start: a sim session simulates its market from start; give it, or trade on a venue’s paper account with mode: paper'.replace(
        '’',
        "'",
      ),
    ]);
  });
});

describe('execsim serve --session', () => {
  it('refuses a file with problems before anything is stored or listened on (exit 2)', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, SANDBOX + 'signals:\n  - { id: s, side: buy, qty: "1" }\n');
    const db = join(dir, 'bad.db');
    const r = await execsimInProcess(['serve', '--session', file, '--db', db, '--port', '0', '--workers', '1']);
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toMatch(/signals: a session file has no signals: signals come over HTTP/);
    expect(r.stdout).not.toMatch(/listening/);
    expect(existsSync(db)).toBe(false);
  });

  it('refuses --venue-url for a sim session and a paper session without keys (exit 2)', async () => {
    const sim = await execsimInProcess([
      'serve',
      '--session',
      'scenarios/session/sandbox-btcusdt.yaml',
      '--venue-url',
      'http://127.0.0.1:1',
      '--db',
      join(dir, 'x.db'),
    ]);
    expect(sim.code).toBe(2);
    expect(sim.err.join('\n')).toMatch(/--venue-url is for a paper session/);
    const file = join(dir, 'paper.yaml');
    writeFileSync(
      file,
      'name: paper-session\nseed: 1\nmode: paper\nvenue: { name: alpaca-equities }\n' +
        'instrument: { symbol: AAPL, tickSize: "0.01", lotSize: "1", minNotional: "1" }\n',
    );
    const paper = await execsimInProcess(['serve', '--session', file, '--db', join(dir, 'p.db')]);
    expect(paper.code).toBe(2);
    expect(paper.err.join('\n')).toMatch(/APCA_API_KEY_ID and APCA_API_SECRET_KEY/);
    expect(existsSync(join(dir, 'p.db'))).toBe(false);
  });
});

describe('a sim session as a stored run', () => {
  it('is stored as it trades, finished with its report when stopped, and a dead one is marked failed by the next', async () => {
    const runDir = mkdtempSync(join(dir, 'run-'));
    const first = await simSession(undefined, { dir: runDir });
    const id = first.session.id;
    expect(first.store.getRun(id)).toMatchObject({ mode: 'session', status: 'running' });
    // A second session of the same file while the first runs: refused.
    const store = new RunStore(openDatabase(join(runDir, 'session.db')));
    await expect(simSession(undefined, { dir: runDir })).rejects.toBeInstanceOf(SessionRefused);
    await first.close();
    expect(store.getRun(id)).toMatchObject({ status: 'finished', passed: 1 });

    // A run left 'running' by a server that died (another pid): the next server marks it failed.
    store.db.prepare(`UPDATE runs SET status = 'running', writer_pid = 999999999 WHERE id = ?`).run(id);
    const next = await simSession(undefined, { dir: runDir });
    expect(next.session.id).not.toBe(id);
    expect(store.getRun(id)).toMatchObject({ status: 'failed' });
    expect(store.getRun(id)!.error).toMatch(/simulated venue ended with its server process/);
    await settle(next.clock, next.session.stop('done'));
    await next.close();
    store.db.close();
  });
});
