// What a paper run prints while it runs, through the execsim command in process against the local
// Alpaca gateway: a line per notable event on stderr (the run starting, readiness, the parent, each
// fill, the parent done) in the run's clock, status lines at --status-every, where the run was
// stored; --quiet prints none of it. stdout keeps the report (here --json: one JSON line).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scoped } from '../support/gateway-harness.ts';
import type { RunReport } from '../../src/runtime/backtest-run.ts';
import { execsimWrites } from '../support/cli-in-process.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { alpacaPaperGateway, interruptedPaperRun, paperOptions, scratchStores } from '../support/paper-options.ts';

const KEY = 'progress-test-key-id';
const SECRET = 'progress-test-secret-value';
const MARKET = 'test/fixtures/gateway/alpaca-aapl.yaml';
const TWAP = 'test/fixtures/paper/twap-aapl.yaml';
const scratch = scratchStores('execsim-paper-progress-');

/** An event line: its time in the run's clock, two spaces, the text. */
const EVENT = /^\d\d:\d\d:\d\d\.\d{3} {2}/;

async function paperRun(...flags: string[]) {
  const gw = await alpacaPaperGateway(MARKET, { id: KEY, secret: SECRET });
  const db = path.join(scratch.dir, `${flags.join('').replace(/\W/g, '') || 'plain'}.db`);
  const args = ['run', TWAP, '--venue-url', gw.url, '--market-hours', 'always', '--json', ...flags];
  const r = await execsimWrites(args, { EXECSIM_DB: db, APCA_API_KEY_ID: KEY, APCA_API_SECRET_KEY: SECRET });
  return { ...r, db, gw };
}

describe.concurrent('a paper run’s progress on stderr', () => {
  it(
    'prints the run, its startup reconciliation, the parent, every fill and the parent done, status lines, and where it is stored',
    scoped(async () => {
      const { code, out, err, db, gw } = await paperRun('--status-every', '1');
      expect(code, err.join('\n')).toBe(0);
      expect(out).toHaveLength(1);
      const report = JSON.parse(out[0] as string) as RunReport;
      const events = err.filter((l) => EVENT.test(l)).map((l) => l.slice(14));
      // The venue's streams come up, the run starts, startup reconciliation finds the account as it is.
      expect(events).toContain('order stream connected: trade_updates stream listening');
      const started = events.indexOf('run started: paper-twap-aapl on AAPL');
      expect(started).toBeGreaterThanOrEqual(0);
      expect(events.indexOf('reconciliation (startup) done: 0 mismatches')).toBeGreaterThan(started);
      const created = events.findIndex((l) => l.startsWith('parent twap-buy created: buy 60 AAPL market, 6 slices'));
      const fills = events.filter((l) => l.startsWith('fill AAPL buy '));
      const parent = report.parents[0]!;
      const done = events.indexOf(`parent twap-buy done: filled, 60/60 filled, avg ${Number(parent.avgPrice)}`);
      expect(created).toBeGreaterThan(started);
      expect(done, events.join('\n')).toBeGreaterThan(created);
      // One line per fill the run counted, each naming its order of the parent, the lots adding up.
      expect(fills).toHaveLength(report.fills);
      for (const f of fills)
        expect(f).toMatch(/^fill AAPL buy \d+ @ [\d.]+, fee [\d.]+ \(order \S+, parent twap-buy\)$/);
      expect(fills.reduce((s, f) => s + Number(/buy (\d+) @/.exec(f)?.[1]), 0)).toBe(60);
      // The venue's orders are what the lines say: one per slice, every one filled.
      expect(gw.orders.orders()).toHaveLength(6);
      // Status lines each second of the run (it takes at least the TWAP's 2.5 s).
      const status = err.filter((l) => l.startsWith('status '));
      expect(status.length).toBeGreaterThanOrEqual(1);
      for (const s of status)
        expect(s).toMatch(
          /^status [\d.]+ s: position AAPL \d+; parents [01] working, children \d+ working; fills \d+; net /,
        );
      // Where it went, on stderr (stdout is the JSON), the path made absolute.
      expect(err).toContain(`stored run ${report.runId} in ${path.resolve(db)}`);
      // No key in anything printed.
      expect(err.join('\n') + out.join('\n')).not.toMatch(new RegExp(`${KEY}|${SECRET}`));
    }),
  );

  it(
    '--quiet prints none of it: no event, status or stored line, the report only',
    scoped(async () => {
      const { code, out, err } = await paperRun('--quiet', '--status-every', '1');
      expect(code, err.join('\n')).toBe(0);
      expect((JSON.parse(out[0] as string) as RunReport).passed).toBe(true);
      expect(err.filter((l) => EVENT.test(l) || /^(status|stored) /.test(l) || l.includes('paper run on'))).toEqual([]);
    }),
  );

  it(
    'resume prints what happens from the restart on, not the stored run again, and where it is stored',
    scoped(async () => {
      const gw = await alpacaPaperGateway(MARKET, { id: KEY, secret: SECRET });
      const store = scratch.store();
      const keys = { id: KEY, secret: SECRET };
      const runId = await interruptedPaperRun(
        loadScenarioFile(TWAP),
        paperOptions(gw.url, store, keys),
        (e) => e.event.kind === 'FillReport',
      );
      const db = store.db.name;
      store.db.close();
      const args = ['resume', runId, '--db', db, '--venue-url', gw.url, '--market-hours', 'always', '--json'];
      const { code, out, err } = await execsimWrites(args, { APCA_API_KEY_ID: KEY, APCA_API_SECRET_KEY: SECRET });
      expect(code, err.join('\n')).toBe(0);
      const report = JSON.parse(out[0] as string) as RunReport;
      const events = err.filter((l) => EVENT.test(l)).map((l) => l.slice(14));
      expect(events.some((l) => /^process restarted after [\d.]+ s down/.test(l))).toBe(true);
      expect(events.filter((l) => l.startsWith('run started') || l.startsWith('parent twap-buy created'))).toEqual([]);
      // The parent's end counts the fills from before the stop too: the stored log was folded first.
      expect(events).toContain(
        `parent twap-buy done: filled, 60/60 filled, avg ${Number(report.parents[0]?.avgPrice)}`,
      );
      expect(err).toContain(`stored run ${runId} in ${path.resolve(db)}`);
    }),
  );
});
