// A run whose strategy failed fails (the run itself goes on to its end): its report has a result
// of its own naming the module and why, `execsim run` prints it as a FAIL line and exits 1, and
// its JSON report says so; unless the scenario expects the failure (`strategyFailed`, optionally
// the phase and part of the message). A backtest and a paper run alike.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPaper } from '../../src/runtime/paper-run.ts';
import { loadAnyScenarioFile, parseScenario, ScenarioError } from '../../src/scenario/load-scenario.ts';
import { execsimProcess } from '../support/bin-process.ts';
import { runLogged } from '../support/logged-run.ts';
import { alpacaPaperGateway, paperOptions, scratchStores } from '../support/paper-options.ts';

const FIXTURES = path.resolve('test/fixtures/strategies');
const { dir, store: paperStore } = scratchStores('execsim-strategy-failure-');

/** A short backtest whose strategy throws at its fifth quote, with `expect` entries. */
function scenario(expect: string, module = 'fails-at-quote.ts'): string {
  return `
name: strategy-failure
seed: 4
venue: { name: binance-spot }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: PT1M
market: { model: synthetic, initialPrice: "61000.00", volatility: 1.0, depth: ["1", "2"] }
strategy:
  module: ${path.join(FIXTURES, module)}
  params: { at: 5 }
expect:
  - noDuplicateOrders: true
${expect}`;
}

const run = (expect: string) => runLogged(parseScenario(scenario(expect), path.join(dir, 'scenario.yaml'))).report;
const FAILURE = `strategy fails-at-quote (${path.join(FIXTURES, 'fails-at-quote.ts')}) failed in quote: the model blew up`;

describe('a run whose strategy failed', () => {
  it('fails, with a result of its own naming the module and why; the run goes on to its end', () => {
    const r = run('');
    expect(r.simulatedMs).toBe(60_000);
    expect(r.passed).toBe(false);
    expect(r.expectations).toEqual([
      { name: 'noDuplicateOrders', expected: 'none', observed: 'none', pass: true },
      { name: 'strategy', expected: 'no failure (or a strategyFailed expectation)', observed: FAILURE, pass: false },
    ]);
  });

  it('passes when the scenario expects the failure, in that phase and with that in its message', () => {
    for (const e of [
      'true',
      '{ phase: quote }',
      '{ reasonIncludes: blew up }',
      '{ phase: quote, reasonIncludes: model }',
    ]) {
      const r = run(`  - strategyFailed: ${e}`);
      expect(r.passed, e).toBe(true);
      expect(r.expectations.at(-1)).toEqual({
        name: 'strategyFailed',
        expected: expect.stringMatching(/^yes/) as string,
        observed: `yes: ${FAILURE}`,
        pass: true,
      });
    }
  });

  it('fails when the failure is not the one expected, or the strategy did not fail', () => {
    const phase = run('  - strategyFailed: { phase: bar }');
    expect(phase.passed).toBe(false);
    expect(phase.expectations.at(-1)).toMatchObject({ name: 'strategyFailed', expected: 'yes in bar', pass: false });
    const reason = run('  - strategyFailed: { reasonIncludes: time budget }');
    expect(reason.expectations.at(-1)).toMatchObject({ expected: 'yes (time budget)', pass: false });
    const fine = runLogged(
      parseScenario(scenario('  - strategyFailed: true').replace('{ at: 5 }', '{ at: 100000 }'), `${dir}/s.yaml`),
    ).report;
    expect(fine.passed).toBe(false);
    expect(fine.expectations.at(-1)).toEqual({ name: 'strategyFailed', expected: 'yes', observed: 'no', pass: false });
  });

  it('refuses a strategyFailed expectation in a scenario without a strategy', () => {
    const yaml = scenario('  - strategyFailed: true').replace(/strategy:\n {2}module: .*\n {2}params: .*\n/, '');
    expect(() => parseScenario(yaml, `${dir}/s.yaml`)).toThrow(ScenarioError);
    expect(() => parseScenario(yaml, `${dir}/s.yaml`)).toThrow(
      /expect\[1\]\.strategyFailed: expects the strategy to fail: the scenario names none \(strategy:\)/,
    );
  });

  it('makes `execsim run` print a FAIL line naming the module, exit 1, and say so in --json', () => {
    const file = path.join(dir, 'cli.yaml');
    writeFileSync(file, scenario(''));
    const text = execsimProcess(['run', file, '--no-store']);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^FAIL {2}strategy-failure /m);
    expect(text.stdout).toContain(
      `  FAIL strategy: expected no failure (or a strategyFailed expectation), observed ${FAILURE}`,
    );
    const json = execsimProcess(['run', file, '--no-store', '--json']);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout.trim()) as { passed: boolean; expectations: unknown[]; strategy: unknown };
    expect(report.passed).toBe(false);
    expect(report.expectations).toContainEqual({
      name: 'strategy',
      expected: 'no failure (or a strategyFailed expectation)',
      observed: FAILURE,
      pass: false,
    });
    expect(report.strategy).toMatchObject({ failed: { phase: 'quote', message: 'the model blew up' } });
  }, 120_000);
});

describe('a paper run whose strategy failed', () => {
  const KEY = 'strategy-failure-key-id';
  const SECRET = 'strategy-failure-secret-value';

  async function paper(expect: string) {
    const gw = await alpacaPaperGateway('test/fixtures/gateway/alpaca-aapl.yaml', { id: KEY, secret: SECRET });
    const file = path.join(dir, `paper-${expect.length}.yaml`);
    const base = readFileSync('test/fixtures/paper/strategy-aapl.yaml', 'utf8').replace(
      'module: bar-buyer-minutes.ts',
      `module: ${path.join(FIXTURES, 'fails-at-quote.ts')}\n  params: { at: 1 }\n  onFailure: { killSwitch: active }`,
    );
    writeFileSync(file, `${base}${expect}`);
    const store = paperStore(path.join(dir, `paper-${expect.length}.db`));
    return runPaper(loadAnyScenarioFile(file), paperOptions(gw.url, store, { id: KEY, secret: SECRET }));
  }

  it('fails unless it expects the failure', { timeout: 60_000 }, async () => {
    const failed = await paper('');
    expect(failed.passed).toBe(false);
    expect(failed.expectations.at(-1)).toMatchObject({ name: 'strategy', pass: false });
    expect(failed.expectations.at(-1)?.observed).toMatch(/fails-at-quote\.ts\) failed in quote: the model blew up$/);
    const expected = await paper('expect:\n  - strategyFailed: { phase: quote }\n');
    expect(expected.passed).toBe(true);
  });
});
