// The CLI's paper venue comes from the live venue registry: the scenario's venue picks the entry,
// whose variables give the URL and the keys. One UsageError for a venue without a paper adapter
// (naming it and the registered ones) and one naming every missing key; the keys reach the
// adapter's factory and nothing the CLI prints or keeps in view.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { makeInstrument } from '../../src/core/model/instrument.ts';
import { UsageError, type Io } from '../../src/cli/io.ts';
import { paperVenue, PAPER_FLAGS_HELP } from '../../src/cli/paper-venue.ts';
import { WallClock } from '../../src/live/wall-clock.ts';
import type { LiveVenue } from '../../src/live/live-venue.ts';
import type { LiveVenueConfig, LiveVenueEntry } from '../../src/live/venue-entry.ts';
import { VenueRegistry } from '../../src/live/venue-registry.ts';

const io = (env: Record<string, string>): Io => ({ out: () => {}, err: () => {}, env });
const KEYS = { FAKE_KEY: 'key-value-1', FAKE_SECRET: 'secret-value-2' };

/** A registry of one fake venue whose factory records what it was given. */
function fakeRegistry(): { registry: VenueRegistry; built: LiveVenueConfig[] } {
  const built: LiveVenueConfig[] = [];
  const entry: LiveVenueEntry = {
    name: 'binance-spot',
    label: 'Fake',
    keys: ['FAKE_KEY', 'FAKE_SECRET'],
    urlEnv: 'FAKE_URL',
    paperUrl: 'https://paper.fake.example/',
    load: async () => (config) => {
      built.push(config);
      return {} as LiveVenue;
    },
  };
  return { registry: new VenueRegistry([entry]), built };
}

const problem = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('no UsageError');
};

describe('paperVenue', () => {
  it('refuses a venue with no paper adapter and an unknown venue, naming it and the registered ones', () => {
    const { registry } = fakeRegistry();
    expect(problem(() => paperVenue('alpaca-equities', undefined, undefined, io(KEYS), 'u', registry))).toBe(
      'venue.name: alpaca-equities has no paper adapter yet; paper runs trade on binance-spot',
    );
    expect(problem(() => paperVenue('nyse', undefined, undefined, io(KEYS), 'u', registry))).toBe(
      'venue.name: unknown venue "nyse"; paper runs trade on binance-spot',
    );
  });

  it('names every missing key in one message, and no value of any', () => {
    const { registry } = fakeRegistry();
    expect(problem(() => paperVenue('binance-spot', undefined, undefined, io({}), 'u', registry))).toBe(
      "a paper run needs FAKE_KEY and FAKE_SECRET in the environment (the venue's paper key pair); nothing was run",
    );
    const one = problem(() =>
      paperVenue('binance-spot', undefined, undefined, io({ FAKE_SECRET: KEYS.FAKE_SECRET }), 'u', registry),
    );
    expect(one).toMatch(/needs FAKE_KEY in the environment/);
    expect(one).not.toContain(KEYS.FAKE_SECRET);
  });

  it('takes the URL from the flag, else the venue variable, else the paper endpoint', () => {
    const { registry } = fakeRegistry();
    const url = (flag: string | undefined, env: Record<string, string>) =>
      paperVenue('binance-spot', flag, undefined, io({ ...KEYS, ...env }), 'u', registry).url;
    expect(url(undefined, {})).toBe('https://paper.fake.example');
    expect(url(undefined, { FAKE_URL: 'http://127.0.0.1:1/' })).toBe('http://127.0.0.1:1');
    expect(url('http://127.0.0.1:2', { FAKE_URL: 'http://127.0.0.1:1' })).toBe('http://127.0.0.1:2');
    expect(problem(() => url(undefined, { FAKE_URL: 'ftp://x' }))).toMatch(/must be an http\(s\) URL, got "ftp:\/\/x"/);
  });

  it('hands the keys, the URL, the run id and the commission prices to the factory, and keeps them out of view', async () => {
    const { registry, built } = fakeRegistry();
    const venue = paperVenue('binance-spot', undefined, 'always', io(KEYS), 'u', registry);
    expect(JSON.stringify(venue)).not.toMatch(/key-value-1|secret-value-2/);
    expect(venue).toMatchObject({ name: 'binance-spot', url: 'https://paper.fake.example', marketHours: 'always' });
    const make = await venue.factory();
    const instrument = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '0' });
    const clock = new WallClock();
    const commissionPrices = new Map([['BNB', '600']]);
    make(instrument, clock, 'run-7', { commissionPrices });
    expect(built).toEqual([
      { instrument, clock, runId: 'run-7', url: 'https://paper.fake.example', keys: KEYS, commissionPrices },
    ]);
  });

  it('binance-spot: Demo Mode by default, the testnet by venue.endpoint, and --venue-url over both', () => {
    const keys = { BINANCE_API_KEY: 'k-value-1234', BINANCE_API_SECRET: 's-value-5678' };
    const url = (endpoint: string | undefined, flag?: string) =>
      paperVenue({ name: 'binance-spot', endpoint }, flag, undefined, io(keys), 'u').url;
    expect(url(undefined)).toBe('https://demo-api.binance.com');
    expect(url('demo')).toBe('https://demo-api.binance.com');
    expect(url('testnet')).toBe('https://testnet.binance.vision');
    expect(url('testnet', 'http://127.0.0.1:8790')).toBe('http://127.0.0.1:8790');
    expect(problem(() => url('mainnet'))).toBe(
      'venue.endpoint: binance-spot has no paper endpoint "mainnet"; it has demo, testnet',
    );
    expect(
      problem(() => paperVenue({ name: 'alpaca-equities', endpoint: 'testnet' }, undefined, undefined, io({}), 'u')),
    ).toBe('venue.endpoint: alpaca-equities has no paper endpoint "testnet"');
  });

  it('binance-spot without its keys: one message naming both variables, and no value', () => {
    expect(problem(() => paperVenue('binance-spot', undefined, undefined, io({}), 'u'))).toBe(
      "a paper run needs BINANCE_API_KEY and BINANCE_API_SECRET in the environment (the venue's paper key pair); nothing was run",
    );
    const one = problem(() =>
      paperVenue('binance-spot', undefined, undefined, io({ BINANCE_API_SECRET: 'hidden-1' }), 'u'),
    );
    expect(one).toMatch(/needs BINANCE_API_KEY in the environment/);
    expect(one).not.toContain('hidden-1');
  });

  it('the help names the registered venues’ variables, never a value', () => {
    expect(PAPER_FLAGS_HELP).toContain('BINANCE_API_KEY and BINANCE_API_SECRET');
    expect(PAPER_FLAGS_HELP).toContain(
      '$BINANCE_API_URL, else https://demo-api.binance.com (https://testnet.binance.vision with venue.endpoint: testnet)',
    );
    expect(PAPER_FLAGS_HELP).toContain('APCA_API_KEY_ID and APCA_API_SECRET_KEY');
    expect(PAPER_FLAGS_HELP).toContain('$APCA_API_BASE_URL, else https://paper-api.alpaca.markets');
  });
});

describe('execsim resume', () => {
  it('refuses a stored Binance paper run without its keys, naming both variables, before touching it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'execsim-resume-venue-'));
    try {
      const db = path.join(dir, 'runs.db');
      const errs: string[] = [];
      const cli = (env: Record<string, string>): Io => ({ out: () => {}, err: (t) => void errs.push(t), env });
      expect(await runCli(['run', 'scenarios/twap-calm.yaml'], cli({ EXECSIM_DB: db }))).toBe(0);
      const sql = new Database(db);
      const { id } = sql.prepare('SELECT id FROM runs').get() as { id: string };
      sql.prepare("UPDATE runs SET mode = 'paper', status = 'interrupted' WHERE id = ?").run(id);
      sql.close();
      errs.length = 0;
      expect(await runCli(['resume', id], cli({ EXECSIM_DB: db }))).toBe(2);
      expect(errs[0]?.split('\n')[0]).toBe(
        "execsim: a paper run needs BINANCE_API_KEY and BINANCE_API_SECRET in the environment (the venue's paper key pair); nothing was run",
      );
      const after = new Database(db);
      expect(after.prepare('SELECT status FROM runs WHERE id = ?').get(id)).toEqual({ status: 'interrupted' });
      after.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
