// A paper service session of two symbols: `execsim serve --session` (in process, on the wall clock)
// on the local Alpaca gateway serving AAPL and MSFT on one account (scenarios/gateway/aapl-msft.yaml:
// 100,000 cash, 20 MSFT held), through the real Alpaca SDK. Orders over HTTP name their symbol;
// once they fill, the session's positions are each symbol's baseline plus its fills and equal the
// venue's own positions as the SDK reads them, its quotes are each symbol's book, and readiness
// holds for both. Every wait is a bounded condition.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.ts';
import { startServer, type RunningServer } from '../../src/cli/serve-command.ts';
import { alpacaEndpoints, makeAlpacaClient } from '../../src/live/alpaca/alpaca-sdk.ts';
import { gateway, KEY, SECRET, waitFor } from '../support/gateway-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'execsim-paper-two-'));
const TOKEN = 'paper-two-symbols-token-0123456789';
const open: RunningServer[] = [];
afterAll(async () => {
  for (const s of open) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

const SESSION = `name: paper-two-session
seed: 3
mode: paper
venue: { name: alpaca-equities }
instrument: { symbol: AAPL, tickSize: "0.01", lotSize: "1", minNotional: "1" }
otherInstruments:
  - { symbol: MSFT, tickSize: "0.01", lotSize: "1", minNotional: "1" }
reconciliation: { periodMs: 2000 }
safety:
  preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" }
`;

describe('a paper session of two symbols on the local Alpaca gateway', () => {
  it('trades both on one account, its positions and quotes per symbol the venue’s', async () => {
    const gw = await gateway('scenarios/gateway/aapl-msft.yaml');
    const file = join(dir, 'session.yaml');
    writeFileSync(file, SESSION);
    const err: string[] = [];
    const io: Io = {
      out: () => {},
      err: (t) => void err.push(t),
      env: { EXECSIM_TOKEN: TOKEN, APCA_API_KEY_ID: KEY, APCA_API_SECRET_KEY: SECRET },
    };
    const args = ['--session', file, '--db', join(dir, 's.db'), '--port', '0', '--workers', '1'];
    const server = await startServer([...args, '--venue-url', gw.url, '--market-hours', 'always', '--quiet'], io, 't');
    if (server === null) throw new Error('no server');
    open.push(server);
    const call = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(`${server.url}api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: r.status, body: (await r.json()) as ReturnType<typeof JSON.parse> };
    };
    const session = server.session!;
    await waitFor(() => session.readiness().ready, 30_000);
    expect((await call('GET', '/session')).body.symbols).toEqual(['AAPL', 'MSFT']);

    const aapl = await call('POST', '/orders', {
      parentId: 'a-1',
      symbol: 'AAPL',
      side: 'buy',
      qty: '30',
      type: 'market',
    });
    expect(aapl.status, JSON.stringify(aapl.body)).toBe(201);
    const msft = await call('POST', '/orders', {
      parentId: 'm-1',
      symbol: 'MSFT',
      side: 'sell',
      qty: '5',
      type: 'market',
    });
    expect(msft.status, JSON.stringify(msft.body)).toBe(201);
    await waitFor(
      () => ['a-1', 'm-1'].every((id) => session.ledger.parents.get(id as never)?.completed?.status === 'filled'),
      30_000,
    );

    const positions = await call('GET', '/positions');
    expect(
      positions.body.items.map((p: { symbol: string; position: string; baseline: string | null }) => [
        p.symbol,
        p.position,
        p.baseline,
      ]),
    ).toEqual([
      ['AAPL', '30', '0'],
      ['MSFT', '15', '20'],
    ]);
    // The venue's own positions, as an operator reads them with the SDK.
    const alpaca = makeAlpacaClient({
      keyId: KEY,
      secret: SECRET,
      endpoints: alpacaEndpoints(gw.url),
      requestTimeoutMs: 5_000,
    });
    const venue = await alpaca.trading.positions.getAllOpenPositions();
    expect(Object.fromEntries(venue.map((p) => [p.symbol, p.qty]))).toEqual({ AAPL: '30', MSFT: '15' });
    // Each symbol's quote is its own book's (AAPL's 10 at 187.50 taken by our buy).
    const q = async (s: string) => (await call('GET', `/quotes/${s}/latest`)).body as { bid: string; ask: string };
    await waitFor(async () => (await q('AAPL')).ask === '187.6', 10_000);
    expect(await q('AAPL')).toMatchObject({ bid: '187.4', ask: '187.6' });
    expect(await q('MSFT')).toMatchObject({ bid: '415', ask: '415.2' });
    expect(session.readiness()).toEqual({ ready: true, reasons: [] });
  });
});
