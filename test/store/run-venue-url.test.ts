// A paper run stores where it trades (its venue URL and market hours, migration 19) so that the
// run list can print the whole resume command: never a credential (a user:password@ part of the
// URL is left out, whatever it holds), and a database written before the columns still opens and
// lists its runs, their resume command saying the URL was not stored.
import Database from 'better-sqlite3';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type Io } from '../../src/cli/main.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { RunStore } from '../../src/store/run-store.ts';
import { storedVenueUrl } from '../../src/store/stored-venue-url.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-run-venue-url-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function io(): Io & { outs: string[]; errs: string[] } {
  const outs: string[] = [];
  const errs: string[] = [];
  return { out: (t) => void outs.push(t), err: (t) => void errs.push(t), env: {}, outs, errs };
}

/** A database holding one run of twap-calm made an interrupted paper run at `url` (null: the
 *  columns left as a run stored before them has them), and the run's id. */
function interruptedRun(file: string, url: string | null, hours: 'venue' | 'always' | null): string {
  const store = new RunStore(openDatabase(file));
  const id = runScenario(loadScenarioFile('scenarios/twap-calm.yaml'), { store }).runId;
  store.db
    .prepare("UPDATE runs SET mode = 'paper', status = 'interrupted', venue_url = ?, market_hours = ? WHERE id = ?")
    .run(url, hours, id);
  store.db.close();
  return id;
}

describe("a paper run's venue URL in the store", () => {
  it('is stored without its user:password@ part, whatever the user and password hold', () => {
    const part = fc.string({ minLength: 1, maxLength: 12, size: 'max' }).map(encodeURIComponent);
    fc.assert(
      fc.property(
        part,
        fc.option(part, { nil: undefined }),
        fc.constantFrom('http', 'https'),
        fc.constantFrom('127.0.0.1:8788', 'paper-api.example.com', '[::1]:9'),
        fc.constantFrom('', '/', '/api', '/v2/base'),
        (user, password, scheme, host, rest) => {
          const url = `${scheme}://${user}${password === undefined ? '' : `:${password}`}@${host}${rest}`;
          const stored = storedVenueUrl(url);
          expect(stored).toBe(`${scheme}://${host}${rest}`);
          expect(stored).not.toContain('@');
        },
      ),
    );
    // A URL without credentials is kept as given (not normalized); what is not a URL is not kept.
    expect(storedVenueUrl('http://127.0.0.1:8788')).toBe('http://127.0.0.1:8788');
    expect(storedVenueUrl('the in-process simulated venue')).toBeNull();
  });

  it('createRun and claimRun store it without credentials, with the market hours', () => {
    const store = new RunStore(openDatabase(':memory:'));
    const id = runScenario(loadScenarioFile('scenarios/twap-calm.yaml'), { store }).runId;
    const row = () =>
      store.db.prepare('SELECT venue_url, market_hours FROM runs WHERE id = ?').get(id) as Record<string, unknown>;
    // A backtest stores neither.
    expect(row()).toEqual({ venue_url: null, market_hours: null });
    store.db.prepare("UPDATE runs SET mode = 'paper', status = 'interrupted' WHERE id = ?").run(id);
    store.claimRun(id, undefined, 'paper', { venueUrl: 'https://me:s3cret@paper.example.com', marketHours: 'always' });
    expect(row()).toEqual({ venue_url: 'https://paper.example.com', market_hours: 'always' });
    const run = {
      id: 'run-new',
      scenarioName: 'x',
      scenarioHash: 'h',
      scenarioJson: '{}',
      seed: 1,
      codeVersion: 'v',
      startedAt: new Date(0).toISOString(),
      simStart: 0,
      mode: 'paper',
      venueUrl: 'http://key:secret@127.0.0.1:8788',
      marketHours: 'venue',
    } as const;
    store.createRun(run);
    expect(store.db.prepare('SELECT venue_url, market_hours FROM runs WHERE id = ?').get('run-new')).toEqual({
      venue_url: 'http://127.0.0.1:8788',
      market_hours: 'venue',
    });
    store.db.close();
  });

  it('execsim runs and show print the whole resume command, as the interrupt line does', async () => {
    const file = path.join(dir, 'hinted runs.db');
    const id = interruptedRun(file, 'http://127.0.0.1:8788', 'always');
    const command = `execsim resume ${id} --db '${file}' --venue-url http://127.0.0.1:8788 --market-hours always`;
    const runs = io();
    expect(await runCli(['runs', '--db', file], runs)).toBe(0);
    expect(runs.outs.join('\n').split('\n').at(-1)).toBe(`run ${id} is interrupted; continue it with ${command}`);
    const show = io();
    await runCli(['show', id, '--db', file], show);
    expect(show.outs.join('\n')).toMatch(/\ninterrupted at \S+; continue it with /);
    expect(show.outs.join('\n')).toContain(`; continue it with ${command}\n`);
  });

  it('a database written before the columns (schema 18) opens, lists its runs and says the URL is not stored', async () => {
    const file = path.join(dir, 'old.db');
    const id = interruptedRun(file, null, null);
    const db = new Database(file);
    db.exec(`DELETE FROM schema_migrations WHERE version = 19;
      ALTER TABLE runs DROP COLUMN venue_url; ALTER TABLE runs DROP COLUMN market_hours;`);
    db.close();
    const runs = io();
    expect(await runCli(['runs', '--db', file], runs)).toBe(0);
    expect(runs.outs.join('\n').split('\n').at(-1)).toBe(
      `run ${id} is interrupted; continue it with execsim resume ${id} --db ${file} ` +
        '(its venue URL was not stored: add --venue-url with the URL it ran on)',
    );
    const json = io();
    expect(await runCli(['runs', '--db', file, '--json'], json)).toBe(0);
    expect(JSON.parse(json.outs.join(''))).toEqual([expect.objectContaining({ runId: id, resumable: true })]);
  });
});
