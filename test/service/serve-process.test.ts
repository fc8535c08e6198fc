// `execsim serve` as a real process on a real socket (127.0.0.1, a free port it picks and
// prints): health, the runs list, a run started over HTTP and followed to its end through the SSE
// stream, the stored run and its page, the DNS-rebinding guard, and a clean exit on SIGTERM.
// Bad flags and a short token exit 2 with one message, before anything listens.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineMatching } from '../support/bin-process.ts';

const BIN = path.resolve('bin/execsim.js');
const TOKEN = 'serve-token-0123456789abcdef';
const WAIT_MS = 60_000;
let dir: string;
let child: ChildProcess;
let base: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-serve-'));
  child = spawn(
    process.execPath,
    [BIN, 'serve', '--db', path.join(dir, 'serve.db'), '--create', '--port', '0', '--workers', '1'],
    { env: { ...process.env, EXECSIM_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const m = await lineMatching(child, /listening on (http:\/\/127\.0\.0\.1:\d+)\//, WAIT_MS);
  base = m[1] as string;
}, WAIT_MS);

afterAll(() => {
  if (child.exitCode === null) child.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A request with a Host header of our choosing (fetch does not allow setting it). */
function rawGet(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { host }, timeout: WAIT_MS }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
}

describe('execsim serve', () => {
  it(
    'serves health, runs, a run started over HTTP and its page, then stops on SIGTERM',
    async () => {
      const health = await fetch(`${base}/api/v1/healthz`);
      expect(health.status).toBe(200);
      expect(((await health.json()) as { status: string }).status).toBe('ok');
      expect((await fetch(`${base}/api/v1/readyz`)).status).toBe(200);

      const started = await fetch(`${base}/api/v1/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ scenario: 'twap-calm' }),
        signal: AbortSignal.timeout(WAIT_MS),
      });
      expect(started.status).toBe(202);
      const location = started.headers.get('location') as string;
      const progress = await fetch(`${base}${location}/progress`, { signal: AbortSignal.timeout(WAIT_MS) });
      expect(progress.headers.get('content-type')).toContain('text/event-stream');
      const stream = await progress.text();
      expect(stream).toMatch(/event: finished/);

      const run = await fetch(`${base}${location}`);
      expect(run.status).toBe(200);
      const detail = (await run.json()) as { status: string };
      expect(detail.status).toBe('finished');
      const list = (await (await fetch(`${base}/api/v1/runs`)).json()) as { items: { id: string }[] };
      expect(list.items.map((r) => r.id)).toContain(location.split('/').at(-1));
      const page = await fetch(`${base}/runs/${location.split('/').at(-1)}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');

      const metrics = await (await fetch(`${base}/api/v1/metrics`)).text();
      expect(metrics).toMatch(/execsim_jobs_ended_total\{kind="run",outcome="finished"\} 1/);

      expect(await rawGet(`${base}/api/v1/runs`, 'evil.example')).toBe(403);

      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    },
    WAIT_MS * 2,
  );

  it('refuses bad flags and a short token with exit 2, before listening', () => {
    const bad = (args: string[], env: Record<string, string> = {}) =>
      spawnSync(process.execPath, [BIN, 'serve', '--db', path.join(dir, 'bad.db'), ...args], {
        env: { ...process.env, ...env },
        encoding: 'utf8',
        timeout: WAIT_MS,
      });
    const port = bad(['--port', '70000']);
    expect(port.status).toBe(2);
    expect(port.stderr).toContain('--port');
    const token = bad(['--port', '0'], { EXECSIM_TOKEN: 'short' });
    expect(token.status).toBe(2);
    expect(token.stderr).toContain('EXECSIM_TOKEN');
    expect(token.stderr).not.toContain('short');
  });
});
