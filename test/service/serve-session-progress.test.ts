// `execsim serve --session` prints its session's notable events on stderr as they commit: the
// run starting, startup reconciliation, a TWAP posted over HTTP created, filled and done; with
// --status-every its status line; with --quiet none of them. Every wait is a bounded condition.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/cli/serve-command.ts';
import type { Io } from '../../src/cli/io.ts';
import { waitFor } from '../support/gateway-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'execsim-serve-progress-'));
const TOKEN = 'serve-progress-token-0123456789';
const EVENT = /^\d\d:\d\d:\d\d\.\d{3} {2}/;
const open: RunningServer[] = [];
afterAll(async () => {
  for (const s of open) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

async function serve(...flags: string[]): Promise<{ server: RunningServer; err: string[]; out: string[] }> {
  const err: string[] = [];
  const out: string[] = [];
  const io: Io = {
    out: (t) => void out.push(t),
    err: (t) => void err.push(...t.split('\n')),
    env: { EXECSIM_TOKEN: TOKEN },
  };
  const db = join(dir, `${flags.join('') || 'plain'}.db`);
  const args = ['--session', 'scenarios/session/sandbox-btcusdt.yaml', '--db', db, '--port', '0', '--workers', '1'];
  const server = await startServer([...args, ...flags], io, 'test');
  if (server === null) throw new Error('no server');
  open.push(server);
  return { server, err, out };
}

/** Posts a small TWAP to the session. */
async function twap(server: RunningServer): Promise<void> {
  const r = await fetch(`${server.url}api/v1/orders/slice`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'idempotency-key': 'tw-1' },
    body: JSON.stringify({ symbol: 'BTCUSDT', side: 'buy', qty: '0.02', duration: 'PT1S', slices: 2 }),
  });
  expect(r.status, await r.clone().text()).toBe(201);
}

describe('execsim serve --session on stderr', () => {
  it('prints the session’s run, its reconciliation, and a TWAP’s parent, fills and end', async () => {
    const { server, err } = await serve();
    const events = (): string[] => err.filter((l) => EVENT.test(l)).map((l) => l.slice(14));
    await waitFor(() => events().some((l) => l.startsWith('reconciliation (startup) done')), 10_000);
    expect(events()).toContain('run started: sandbox-btcusdt on BTCUSDT');
    await twap(server);
    const done = await waitFor(() => events().find((l) => /^parent \S+ done: /.test(l)), 15_000);
    expect(done).toMatch(/^parent \S+ done: filled, 0\.02\/0\.02 filled, avg [\d.]+$/);
    const lines = events();
    expect(lines.some((l) => /^parent \S+ created: buy 0\.02 BTCUSDT market, 2 slices/.test(l))).toBe(true);
    const fills = lines.filter((l) => l.startsWith('fill BTCUSDT buy '));
    expect(fills.length).toBeGreaterThanOrEqual(2);
    expect(fills.reduce((s, f) => s + Number(/buy ([\d.]+) @/.exec(f)?.[1]), 0)).toBeCloseTo(0.02, 9);
    // The times are the session's clock, in order.
    const times = err.filter((l) => EVENT.test(l)).map((l) => l.slice(0, 12));
    expect([...times].sort()).toEqual(times);
  });

  it('--status-every S prints the status line every S seconds of wall time, with the session’s position', async () => {
    const { server, err } = await serve('--status-every', '1');
    await twap(server);
    await waitFor(() => server.session!.entriesAfter(0).some((e) => e.event.kind === 'ParentOrderCompleted'), 15_000);
    // A status line written after the fills shows the position they made.
    const line = await waitFor(() => err.find((l) => /^status .*BTCUSDT 0\.02;/.test(l)), 15_000);
    expect(line).toMatch(/^status .+: position BTCUSDT 0\.02; parents 0 working, children 0 working; fills \d+; net /);
  });

  it('--status-every without --session is refused, naming the flag', async () => {
    const io: Io = { out: () => {}, err: () => {}, env: {} };
    await expect(
      startServer(['--status-every', '5', '--db', join(dir, 'none.db'), '--create'], io, 'test'),
    ).rejects.toThrow(/--status-every needs --session/);
  });

  it('--quiet prints none of them', async () => {
    const { server, err } = await serve('--quiet');
    const session = server.session!;
    await waitFor(() => session.entriesAfter(0).some((e) => e.event.kind === 'ReconciliationCompleted'), 10_000);
    await twap(server);
    await waitFor(() => session.entriesAfter(0).some((e) => e.event.kind === 'ParentOrderCompleted'), 15_000);
    expect(err.filter((l) => EVENT.test(l))).toEqual([]);
  });
});
