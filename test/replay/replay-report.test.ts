// Replay statistics in the run report: the replay records one ReplayStats event, the report's
// `replay` section is a fold of the log (the same from the live run and from the log alone), it is
// printed in the text report and carried by --json, and runs on other market models have none.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatReport } from '../../src/cli/format-report.ts';
import type { LogEntry } from '../../src/core/model/events.ts';
import { makeInstrument } from '../../src/core/model/instrument.ts';
import { RunReportFold } from '../../src/core/report/run-report.ts';
import { runScenario, type RunReport } from '../../src/runtime/backtest-run.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { execsimMain } from '../support/cli-in-process.ts';

const REPLAY = 'scenarios/replay-btcusdt.yaml';

let report: RunReport;
let entries: LogEntry[];
let dir: string;

beforeAll(() => {
  const loaded = loadScenarioFile(REPLAY);
  entries = [];
  report = runScenario(loaded, { onEntry: (e) => entries.push(e) });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-replay-report-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('replay statistics in the run report', () => {
  it('come from one ReplayStats event, recorded when the run reaches its end', () => {
    const stats = entries.filter((e) => e.event.kind === 'ReplayStats');
    expect(stats).toHaveLength(1);
    const end = Date.parse('2024-08-08T23:55:00Z') + 9 * 60_000;
    // the last message applied before the end, less than a second before it
    expect(stats[0]?.time).toBeLessThanOrEqual(end);
    expect(stats[0]?.time).toBeGreaterThan(end - 1_000);
  });

  it('are a fold of the log: the same from the log alone', () => {
    const fold = new RunReportFold(makeInstrument(loadScenarioFile(REPLAY).scenario.instrument));
    for (const e of entries) fold.add(e);
    expect(fold.summary().replay).toEqual(report.replay);
  });

  it("state what was read, the gaps, and the agreement with the recording's bookTicker", () => {
    const r = report.replay;
    expect(r).not.toBeNull();
    if (r === null) return;
    expect(r.messages.total).toBe(r.messages.snapshot + r.messages.depth + r.messages.bookTicker + r.messages.trade);
    expect(r.messages.snapshot).toBe(1);
    expect(r.messages.bookTicker).toBeGreaterThan(60_000);
    expect(r.depth).toEqual({ applied: r.messages.depth - 2, skipped: 2, gaps: 0, rebuilds: 1 });
    const t = r.bookTicker;
    expect(t.checked).toBeGreaterThan(5_000);
    expect(t.agreement).toBe(Math.round((t.matched / t.checked) * 1e6) / 1e6);
    expect(t.agreement).toBeGreaterThanOrEqual(0.999);
    expect(t.maxDeviationTicks).toBe(19);
    expect(t.checked + t.superseded + t.late + t.unsynced + t.invalid + t.pending).toBe(r.messages.bookTicker);
    expect(r).toMatchObject({ crossedPrevented: 2, lockedPrevented: 0 });
  });

  it('are printed in the text report', () => {
    const lines = formatReport(report).split('\n');
    const at = lines.findIndex((l) => l.startsWith('  replay: '));
    expect(at).toBeGreaterThan(0);
    expect(lines[at]).toContain(`${report.replay?.messages.total.toLocaleString('en-US')} messages`);
    expect(lines[at + 1]).toMatch(/^ {4}bookTicker vs rebuilt book: 99\.\d{3}% same best bid\/ask/);
    expect(lines[at + 2]).toMatch(
      /^ {4}displayed book: \d+ stale depth updates, \d+ levels held back; 2 crossed and 0 locked books prevented$/,
    );
  });

  it('are carried by --json (and absent from runs on other market models)', () => {
    const { code, out } = execsimMain(['run', REPLAY, 'scenarios/static-book-sweep.yaml', '--json'], {
      EXECSIM_DB: path.join(dir, 'json.db'),
    });
    expect(code).toBe(0);
    const [replay, sweep] = out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(replay?.['replay']).toEqual(JSON.parse(JSON.stringify(report.replay)));
    expect(sweep?.['replay']).toBeNull();
    expect(formatReport(sweep as unknown as RunReport)).not.toContain('replay:');
  });
});
