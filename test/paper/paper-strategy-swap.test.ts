// A strategy swap in a paper run against the local Alpaca gateway (real loopback sockets): a
// swap_strategy action with an override swaps the bar buyer for itself with other parameters at
// one second, audited in the log; the stored scenario names the candidate's module by its
// absolute path, and a run stopped after the swap and resumed starts the candidate, not the
// strategy its file names. Every wait is bounded.
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExecEvent, LogEntry } from '../../src/core/model/events.ts';
import { resumePaper } from '../../src/runtime/paper-run.ts';
import { loadAnyScenarioFile } from '../../src/scenario/load-scenario.ts';
import { alpacaPaperGateway, interruptedPaperRun, paperOptions, scratchStores } from '../support/paper-options.ts';

const KEY = 'paper-swap-key-id';
const SECRET = 'paper-swap-secret-value';
const { dir, store } = scratchStores('execsim-paper-swap-');
const BUYER = path.join(dir, 'bar-buyer-minutes.ts');

/** The paper strategy scenario with a swap at one second, written beside a copy of the module
 *  (named relative to it, as a stored run will not). */
function scenarioFile(): string {
  for (const f of ['bar-buyer.ts', 'bar-buyer-minutes.ts'])
    copyFileSync(path.join('test/fixtures/paper', f), path.join(dir, f));
  const file = path.join(dir, 'swap.yaml');
  writeFileSync(
    file,
    `name: paper-strategy-swap
seed: 5
mode: paper
venue: { name: alpaca-equities }
instrument: { symbol: AAPL, tickSize: "0.01", lotSize: "1", minNotional: "1" }
duration: PT4S
reconciliation: { periodMs: 10000 }
safety:
  preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" }
strategy:
  module: bar-buyer-minutes.ts
actions:
  - { kind: swap_strategy, at: PT1S, module: bar-buyer-minutes.ts, params: { qty: 2 }, override: true, actor: ops, reason: bigger }
`,
  );
  return file;
}

const ofKind =
  (entries: readonly LogEntry[]) =>
  <K extends ExecEvent['kind']>(kind: K) =>
    entries.filter((e) => e.event.kind === kind) as Array<LogEntry & { event: Extract<ExecEvent, { kind: K }> }>;

describe('a strategy swap in a paper run', () => {
  it('swaps at the action’s time on an override, and a resume starts the candidate', { timeout: 30_000 }, async () => {
    const gw = await alpacaPaperGateway('test/fixtures/gateway/alpaca-aapl.yaml', { id: KEY, secret: SECRET });
    const s = store(path.join(dir, 'swap.db'));
    const options = paperOptions(gw.url, s, { id: KEY, secret: SECRET });
    const id = await interruptedPaperRun(
      loadAnyScenarioFile(scenarioFile()),
      options,
      (e) => e.event.kind === 'StrategySwapDecided',
    );
    const first = ofKind([...s.entries(id)]);
    expect(first('StrategySwapRequested').map((e) => e.event)).toEqual([
      expect.objectContaining({
        swap: 1,
        module: 'bar-buyer-minutes.ts',
        override: true,
        actor: 'ops',
        reason: 'bigger',
        params: '{"limit":true,"qty":2}',
      }),
    ]);
    const decided = first('StrategySwapDecided')[0]!;
    expect(decided.event).toMatchObject({ decision: 'accepted', reason: 'operator override by ops: bigger' });
    const runStart = first('RunStarted')[0]!.event.startTime;
    expect(decided.time - runStart).toBeGreaterThanOrEqual(1_000);
    expect(first('StrategyStarted').map((e) => JSON.parse(e.event.params))).toEqual([
      { limit: true, qty: 1 },
      { limit: true, qty: 2 },
    ]);
    const stored = JSON.parse(s.scenarioJson(id)) as { actions: Array<{ module: string }> };
    expect(stored.actions[0]?.module).toBe(BUYER);

    await resumePaper(id, options);
    const all = ofKind([...s.entries(id)]);
    const restarted = all('ProcessRestarted')[0]!;
    // The log names the candidate as the file did, the resumed scenario by its absolute path: the
    // same code and parameters, found again.
    const after = all('StrategyStarted').filter((e) => e.seq > restarted.seq);
    expect(after.map((e) => [e.event.role, e.event.module, JSON.parse(e.event.params)])).toEqual([
      ['live', BUYER, { limit: true, qty: 2 }],
    ]);
    expect(all('StrategyFailed')).toEqual([]);
    // The swap was handled before the stop: not asked again, not refused.
    expect(all('StrategySwapRequested')).toHaveLength(1);
    expect(restarted.event.refusedInputs).toEqual([]);
  });
});
