// A run whose venue account already holds a position and balances: the first process reads them
// before sending anything and records them as the run's baseline (AccountBaseline); reconciliation
// and the position checks expect the venue's position to be that baseline plus our fills, so
// nothing is "corrected". A restarted process keeps the baseline from the log, takes no new one,
// and still finds the fills it missed while down.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ExecEvent, LogEntry } from '../../src/core/model/events.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';

// restart-mid-twap's TWAP (buys 2 BTC, a crash mid-way with fills during the downtime), on an
// account that starts with 3 BTC and 1,000,000 quote.
const ACCOUNT = '  account: { quote: "1000000", base: "3" }\n';
const START_LOTS = 300_000; // 3 BTC in lots of 0.00001
const TWAP_LOTS = 200_000;

function scenario(restart: boolean, account = ACCOUNT): string {
  let text = readFileSync('scenarios/restart-mid-twap.yaml', 'utf8').replace(
    '  name: binance-spot\n',
    `  name: binance-spot\n${account}`,
  );
  if (!restart) text = text.replace(/restarts:\n.*\n/, '').replace(/.*notReadyRefusals.*\n/, '');
  if (!restart)
    text = text
      .replace(/.*metric: restarts.*\n/, '')
      .replace(/.*metric: missedFills.*\n/, '')
      .replace(/.*metric: slicesRecovered.*\n/, '')
      .replace(/.*parent: while-starting.*\n/, '');
  return text;
}

function run(text: string) {
  const log: LogEntry[] = [];
  const report = runScenario(parseScenario(text, 'inline.yaml'), { onEntry: (e) => log.push(e) });
  const events = <K extends ExecEvent['kind']>(kind: K) =>
    log.filter((e) => e.event.kind === kind).map((e) => e as LogEntry<Extract<ExecEvent, { kind: K }>>);
  return { report, events, log };
}

describe('account baseline', () => {
  it('records the starting position and balances before anything is sent, and corrects nothing', () => {
    const { report, events } = run(scenario(false));
    expect(report.expectations.filter((e) => !e.pass)).toEqual([]);
    const baselines = events('AccountBaseline');
    expect(baselines.map((e) => e.event)).toEqual([
      {
        kind: 'AccountBaseline',
        symbol: 'BTCUSDT',
        position: START_LOTS,
        quote: 1_000_000 * 100 * 100_000, // 1,000,000 quote in notional units (tick 0.01 x lot 0.00001)
        balances: {
          base: { free: START_LOTS, locked: 0 },
          quote: { free: 1_000_000 * 100 * 100_000, locked: 0 },
        },
      },
    ]);
    const firstSubmit = events('SubmitOrder')[0];
    expect(firstSubmit).toBeDefined();
    expect(baselines[0]!.seq).toBeLessThan(firstSubmit!.seq);
    expect(events('PositionCorrected')).toEqual([]);
    expect(events('ReconciliationMismatch').map((e) => e.event.mismatch)).not.toContain('position');
    // The figures compared with the venue are the account's: baseline plus the TWAP's fills.
    const checks = events('PositionChecked');
    expect(checks.length).toBeGreaterThan(0);
    expect(checks.every((c) => c.event.consistent)).toBe(true);
    const audit = events('FillAudit').at(-1)?.event;
    expect(audit).toMatchObject({ expectedPosition: START_LOTS + TWAP_LOTS, venuePosition: START_LOTS + TWAP_LOTS });
    expect(report.reconciliation.positionMismatches).toBe(0);
  });

  it('without starting balances takes no baseline and no startup pass (the log is as before)', () => {
    const { events } = run(scenario(false, ''));
    expect(events('AccountBaseline')).toEqual([]);
    expect(events('ReconciliationStarted').filter((e) => e.event.mode === 'startup')).toEqual([]);
  });

  it('a restart keeps the baseline from the log, takes none, and still finds the fills missed while down', () => {
    const { report, events } = run(scenario(true));
    expect(report.expectations.filter((e) => !e.pass)).toEqual([]);
    expect(events('ProcessRestarted')).toHaveLength(1);
    const restartedAt = events('ProcessRestarted')[0]!.seq;
    // One baseline, from the first process: the restart's startup pass records none.
    expect(events('AccountBaseline').map((e) => e.seq < restartedAt)).toEqual([true]);
    expect(events('ReconciliationStarted').filter((e) => e.event.mode === 'startup')).toHaveLength(2);
    const missed = events('ReconciliationMismatch').filter((e) => e.seq > restartedAt);
    expect(missed.map((e) => e.event.mismatch)).toContain('missed_fill');
    expect(missed.map((e) => e.event.mismatch)).not.toContain('position');
    expect(events('PositionCorrected')).toEqual([]);
    expect(report.reconciliation.missedFills).toBeGreaterThanOrEqual(1);
    const audit = events('FillAudit').at(-1)?.event;
    expect(audit).toMatchObject({ expectedPosition: START_LOTS + TWAP_LOTS, venuePosition: START_LOTS + TWAP_LOTS });
  });
});
