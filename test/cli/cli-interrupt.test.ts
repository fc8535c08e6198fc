// Runs that do not finish: the real `execsim run` process on a long scenario, stopped once its
// run row exists (polled from another connection, bounded timeouts). SIGTERM and SIGINT mark the
// run interrupted (with the time) and exit 143 / 130; SIGKILL leaves it 'running' in the store,
// and `runs` / `show` report it as crashed (its writer pid is gone), which `prune` deletes. A
// piped stderr gets no progress drawing. In process: the warning before a long run, the
// progress line on a terminal, and a signal between scenarios.
import { storedCount } from '../support/stored-log.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main, runCli, type Io } from '../../src/cli/main.ts';
import { runProgressLine, span, WARN_SIM_EVENTS } from '../../src/cli/run-command.ts';
import type { InterruptSignalName } from '../../src/cli/io.ts';
import { hugeTwapScenario } from '../support/huge-twap.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'execsim.js');
const WAIT_MS = 60_000;

const huge = (slices: number): string => hugeTwapScenario(slices, 'long-twap');

let dir: string;
let longFile: string;
let shortFile: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-interrupt-'));
  longFile = path.join(dir, 'long.yaml');
  fs.writeFileSync(longFile, huge(50_000));
  shortFile = path.join(dir, 'short.yaml');
  fs.writeFileSync(shortFile, huge(1_500));
});

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

interface RunRowSeen {
  id: string;
  status: string;
  finished_at: string | null;
  error: string | null;
  writer_pid: number | null;
  events: number;
}

/** The run rows of `file`, read from a separate read-only connection; [] while there are none. */
function rows(file: string): RunRowSeen[] {
  if (!fs.existsSync(file)) return [];
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const rows = db.prepare('SELECT id, status, finished_at, error, writer_pid FROM runs').all() as RunRowSeen[];
    return rows.map((r) => ({ ...r, events: storedCount(db as Database.Database, r.id) }));
  } catch {
    return [];
  } finally {
    db?.close();
  }
}

/** In-process Io on `db` with an optional progress sink and signal hook. */
function io(db: string, extra: Partial<Io> = {}): Io & { out: (t: string) => void; lines: string[]; errs: string[] } {
  const lines: string[] = [];
  const errs: string[] = [];
  return {
    out: (t) => void lines.push(t),
    err: (t) => void errs.push(t),
    env: { EXECSIM_DB: db },
    lines,
    errs,
    ...extra,
  };
}

/** Starts the real `execsim run` on the long scenario, waits for its run row, sends `signal`,
 *  and returns how it exited and its stderr. */
async function stopWith(
  db: string,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; row: RunRowSeen }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['NODE_OPTIONS'];
  const child = spawn(process.execPath, [BIN, 'run', '--db', db, longFile], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout?.resume();
  const exited = once(child, 'exit');
  await vi.waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`execsim exited by itself with code ${child.exitCode}: ${stderr}`);
      if (rows(db).length === 0) throw new Error('no run row yet');
    },
    { timeout: WAIT_MS, interval: 20 },
  );
  child.kill(signal);
  const [code, sig] = (await Promise.race([
    exited,
    new Promise((_, reject) =>
      setTimeout(() => reject(new Error(`execsim did not exit within ${WAIT_MS} ms of ${signal}`)), WAIT_MS),
    ),
  ])) as [number | null, NodeJS.Signals | null];
  const [row] = rows(db);
  if (!row) throw new Error('the run row is gone');
  return { code, signal: sig, stderr, row };
}

/** `show --json` of the only run in `db`, in process. */
function shown(
  db: string,
  id: string,
): {
  code: number;
  json: { state: string; status: string; verification: { gapFree: boolean; consistent: boolean; events: number } };
} {
  const o = io(db);
  const code = main(['show', id, '--json'], o);
  return { code, json: JSON.parse(o.lines[0] ?? '{}') };
}

describe('the real process, stopped', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)(
    '%s marks the run interrupted with the time and exits %i; the stored log is a consistent prefix',
    { timeout: 3 * WAIT_MS },
    async (signal, exit) => {
      const db = path.join(dir, `${signal}.db`);
      const before = Date.now();
      const r = await stopWith(db, signal);
      expect({ code: r.code, signal: r.signal }).toEqual({ code: exit, signal: null });
      expect(r.row.status).toBe('interrupted');
      expect(r.row.error).toBe(signal);
      expect(Date.parse(r.row.finished_at ?? '')).toBeGreaterThanOrEqual(before - 1000);
      // stderr is a pipe: no progress line was drawn on it.
      expect(r.stderr).not.toContain('\r');
      const s = shown(db, r.row.id);
      expect(s.code).toBe(0);
      expect(s.json).toMatchObject({
        state: 'interrupted',
        status: 'interrupted',
        verification: { gapFree: true, consistent: true, events: r.row.events },
      });
    },
  );

  it(
    'SIGKILL leaves the run stored as running; runs and show report it crashed, and prune deletes it',
    { timeout: 3 * WAIT_MS },
    async () => {
      const db = path.join(dir, 'sigkill.db');
      const r = await stopWith(db, 'SIGKILL');
      expect(r.signal).toBe('SIGKILL');
      expect(r.row.status).toBe('running');
      const list = io(db);
      expect(main(['runs', '--json'], list)).toBe(0);
      expect(JSON.parse(list.lines[0] ?? '[]')).toEqual([
        expect.objectContaining({ runId: r.row.id, state: 'crashed', status: 'running', passed: null }),
      ]);
      const s = shown(db, r.row.id);
      expect(s.code).toBe(0);
      expect(s.json).toMatchObject({ state: 'crashed', verification: { gapFree: true, consistent: true } });
      expect(main(['prune', '--status', 'crashed'], io(db))).toBe(0);
      expect(rows(db)).toEqual([]);
    },
  );
});

describe('in process', () => {
  it(
    'warns before a run estimated above the threshold, and a signal stops it (exit 130, stored interrupted)',
    { timeout: 2 * WAIT_MS },
    async () => {
      const file = path.join(dir, 'big-estimate.yaml');
      const thin = fs.readFileSync(path.join(ROOT, 'scenarios', 'thin-book.yaml'), 'utf8');
      expect(thin).toContain('duration: PT10M');
      fs.writeFileSync(file, thin.replace('duration: PT10M', 'duration: P8D'));
      const db = path.join(dir, 'big.db');
      let handler: ((s: InterruptSignalName) => void) | null = null;
      let removed = false;
      const o = io(db, {
        onInterrupt: (h) => {
          handler = h;
          return () => void (removed = true);
        },
      });
      const done = runCli(['run', file], o);
      await vi.waitFor(
        () => {
          if (rows(db).length === 0) throw new Error('no run row yet');
        },
        { timeout: WAIT_MS, interval: 5 },
      );
      expect(o.errs.some((l) => l.startsWith(`execsim: ${file}: a long run`))).toBe(true);
      (handler as unknown as (s: InterruptSignalName) => void)('SIGINT');
      expect(await done).toBe(130);
      expect(removed).toBe(true);
      expect(rows(db)).toEqual([expect.objectContaining({ status: 'interrupted', error: 'SIGINT' })]);
      expect(o.lines).toEqual([]);
    },
  );

  it('a signal before the next scenario starts runs nothing more', async () => {
    const db = path.join(dir, 'between.db');
    let handler: ((s: InterruptSignalName) => void) | null = null;
    const o = io(db, { onInterrupt: (h) => ((handler = h), () => {}) });
    const sweep = path.join(ROOT, 'scenarios', 'static-book-sweep.yaml');
    const realOut = o.out;
    // Stop as the first report is printed.
    o.out = (t) => {
      realOut(t);
      (handler as unknown as (s: InterruptSignalName) => void)('SIGTERM');
    };
    expect(await runCli(['run', sweep, sweep, '--json'], o)).toBe(143);
    expect(rows(db).map((r) => r.status)).toEqual(['finished']);
  });

  it(
    'draws progress on a terminal sink: lines redrawn with \\r within the width, cleared at the end',
    { timeout: WAIT_MS },
    () => {
      const db = path.join(dir, 'progress.db');
      const writes: string[] = [];
      // A redraw at every step of the run (everyMs 0), however fast the machine runs it.
      const o = io(db, { progress: { write: (t) => void writes.push(t), columns: 60, everyMs: 0 } });
      expect(main(['run', shortFile], o)).toBe(0);
      expect(writes.length).toBeGreaterThanOrEqual(2);
      for (const w of writes) expect(w.startsWith('\r')).toBe(true);
      for (const w of writes.slice(0, -1)) expect(w.trimEnd().length).toBeLessThanOrEqual(60);
      expect(writes.at(-1)).toMatch(/^\r *\r$/);
    },
  );

  it('a progress line says simulated time done and in all, events and time left', () => {
    const line = runProgressLine('x', { simulatedMs: 3_600_000, totalMs: 4 * 3_600_000, events: 1234567 }, 10_000, 200);
    expect(line).toBe('run x: 1 h 00 min / 4 h 00 min simulated (25%), 1,234,567 events, about 30.0 s left');
    expect(runProgressLine('x', { simulatedMs: 0, totalMs: 10, events: 0 }, 5, 200)).toContain('time left unknown');
    expect(runProgressLine('a-long-name', { simulatedMs: 1, totalMs: 2, events: 3 }, 1, 20)).toHaveLength(19);
    expect([span(45_200), span(725_000), span(3 * 86_400_000 + 4 * 3_600_000)]).toEqual([
      '45.2 s',
      '12 min 05 s',
      '3 d 04 h',
    ]);
    expect(WARN_SIM_EVENTS).toBe(5_000_000);
  });
});
