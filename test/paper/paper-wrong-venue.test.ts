// A paper run pointed at an API other than its venue's: an Alpaca scenario at the local Binance
// gateway, a Binance scenario at the local Alpaca gateway, either at a server that is neither.
// Each is one message saying which API the URL answers as (or that it is not the venue's),
// naming the flag; exit 2, and no database is made.
import { createServer } from 'node:http';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type Io } from '../../src/cli/main.ts';
import { API_KEY, API_SECRET, binanceGateway } from '../support/binance-gateway-harness.ts';
import { onCleanup } from '../support/gateway-harness.ts';
import { alpacaPaperGateway } from '../support/paper-options.ts';

const ALPACA_TWAP = 'test/fixtures/paper/twap-aapl.yaml';
const BINANCE_TWAP = 'test/fixtures/paper/paper-binance-twap.yaml';
const ENV = {
  APCA_API_KEY_ID: 'paper-key',
  APCA_API_SECRET_KEY: 'paper-secret',
  BINANCE_API_KEY: API_KEY,
  BINANCE_API_SECRET: API_SECRET,
};
const dir = mkdtempSync(path.join(tmpdir(), 'execsim-wrong-venue-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `file` on paper at `url` with a database in the scratch folder: the exit code, the last
 *  line said, and whether the database exists afterwards. */
async function paperRun(file: string, url: string): Promise<{ code: number; last: string; stored: boolean }> {
  const db = path.join(dir, `${path.basename(file)}-${url.replace(/\W/g, '')}.db`);
  const errs: string[] = [];
  const io: Io = { out: () => {}, err: (t) => void errs.push(t), env: { ...ENV, EXECSIM_DB: db } };
  const code = await runCli(['run', file, '--venue-url', url, '--market-hours', 'always'], io);
  return { code, last: errs.at(-1) ?? '', stored: existsSync(db) };
}

describe('a paper run at the wrong API', () => {
  it("an Alpaca scenario at the Binance gateway: the URL answers as Binance's API", async () => {
    const gw = await binanceGateway();
    expect(await paperRun(ALPACA_TWAP, gw.url)).toEqual({
      code: 2,
      last:
        `execsim: --venue-url ${gw.url} answers as Binance's API (binance-spot), but the scenario trades on ` +
        "alpaca-equities: point it at Alpaca's API (locally: execsim gateway alpaca); nothing was stored",
      stored: false,
    });
  });

  it("a Binance scenario at the Alpaca gateway: the URL answers as Alpaca's API", async () => {
    const gw = await alpacaPaperGateway('test/fixtures/gateway/alpaca-aapl.yaml', {
      id: ENV.APCA_API_KEY_ID,
      secret: ENV.APCA_API_SECRET_KEY,
    });
    expect(await paperRun(BINANCE_TWAP, gw.url)).toEqual({
      code: 2,
      last:
        `execsim: --venue-url ${gw.url} answers as Alpaca's API (alpaca-equities), but the scenario trades on ` +
        "binance-spot: point it at Binance's API (locally: execsim gateway binance); nothing was stored",
      stored: false,
    });
  });

  it("a server that is neither venue's API: the URL does not answer as the scenario's venue's", async () => {
    const server = createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>no</h1>'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const [file, label, venue, gateway] of [
      [ALPACA_TWAP, 'Alpaca', 'alpaca-equities', 'alpaca'],
      [BINANCE_TWAP, 'Binance', 'binance-spot', 'binance'],
    ] as const)
      expect(await paperRun(file, url)).toEqual({
        code: 2,
        last:
          `execsim: --venue-url ${url} does not answer as ${label}'s API, which the scenario (on ${venue}) needs: ` +
          `point it at ${label}'s API (locally: execsim gateway ${gateway}); nothing was stored`,
        stored: false,
      });
  });
});
