// Strategy modules in backtests: the loader's one-line refusals (naming the field), the host's
// warm-up gate, a strategy that throws or waits on the wall clock stopped (never the run) with
// the kill switch set and its parents cancelled, Date and Math.random on the run's clock and seed,
// fresh module state per run, reproducible digests, and a grid over a strategy's parameters.
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLogged } from '../support/logged-run.ts';
import { loadScenarioFile, parseScenario, ScenarioError } from '../../src/scenario/load-scenario.ts';
import { readFileSync } from 'node:fs';
import { parseGridFlag } from '../../src/sweep/sweep-grid.ts';
import { ScenarioGrid } from '../../src/sweep/scenario-grid.ts';
import { runSweepUnits } from '../../src/sweep/sweep-threads.ts';
import { SweepCollector, type SweepDefinition } from '../../src/sweep/sweep-units.ts';
import { STRATEGY_DIR, strategyScenario } from '../support/strategy-scenario.ts';

const DIR = STRATEGY_DIR;

const SHAPE = { name: 'strategy-test', seed: 3, duration: 'PT3M' };

/** A short synthetic run with a strategy section. */
function scenario(strategy: string, extra = ''): string {
  return strategyScenario(SHAPE, strategy, extra);
}

function run(yaml: string, file = `${DIR}/scenario.yaml`) {
  const r = runLogged(parseScenario(yaml, file));
  return { ...r, entries: r.log };
}

function refusal(yaml: string, file = `${DIR}/scenario.yaml`): string {
  try {
    parseScenario(yaml, file);
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as Error).message;
  }
  throw new Error('the scenario loaded');
}

describe('loading a strategy module', () => {
  it('names the field and the module for every kind of bad module', () => {
    expect(refusal(scenario('  module: ./nowhere.ts'))).toMatch(/strategy\.module: \.\/nowhere\.ts: no such file/);
    expect(refusal(scenario('  module: ./no-export.ts'))).toMatch(
      /strategy\.module: \.\/no-export\.ts exports no strategy/,
    );
    expect(refusal(scenario('  module: ./both-forms.ts'))).toMatch(
      /exactly one of reactive\(params, inputs\) or create/,
    );
    expect(refusal(scenario('  module: ./misbehaving.ts\n  params: { mode: sleep }'))).toMatch(
      /strategy\.params\.mode: \.\/misbehaving\.ts: /,
    );
    expect(refusal(scenario('  module: ./misbehaving.ts\n  params: { mode: none, after: 0 }'))).toMatch(
      /strategy\.params\.after: /,
    );
    expect(refusal(scenario('  module: ./misbehaving.ts\n  params: { mode: none, extra: 1 }'))).toMatch(
      /strategy\.params: \.\/misbehaving\.ts: /,
    );
    expect(refusal(scenario('  module: ./misbehaving.py'))).toMatch(/strategy\.module: must name a \.ts or \.js file/);
  });

  it('says where a module does not compile', () => {
    const dir = mkdtempSync(join(tmpdir(), 'execsim-strategy-'));
    writeFileSync(join(dir, 'broken.ts'), 'export default { name: "broken", create( => ({}) };\n');
    expect(refusal(scenario('  module: ./broken.ts'), join(dir, 's.yaml'))).toMatch(
      /strategy\.module: \.\/broken\.ts does not compile: .*broken\.ts:1:/,
    );
  });

  it('refuses an async create or reactive at load, and an async handler when the strategy starts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'execsim-strategy-'));
    writeFileSync(join(dir, 'async-create.ts'), 'export default { name: "a", create: async () => ({}) };\n');
    writeFileSync(join(dir, 'async-reactive.ts'), 'export default { name: "r", async reactive() { return null; } };\n');
    writeFileSync(join(dir, 'async-bar.ts'), 'export default { name: "h", create: () => ({ async onBar() {} }) };\n');
    expect(refusal(scenario('  module: ./async-create.ts'), join(dir, 's.yaml'))).toMatch(
      /strategy\.module: \.\/async-create\.ts: create is an async function: a strategy is synchronous/,
    );
    expect(refusal(scenario('  module: ./async-reactive.ts'), join(dir, 's.yaml'))).toMatch(
      /strategy\.module: \.\/async-reactive\.ts: reactive is an async function/,
    );
    // The handlers come from create(): refused as the strategy starts, before any bar reaches it.
    const { of } = run(scenario('  module: ./async-bar.ts'), join(dir, 's.yaml'));
    const failed = of('StrategyFailed');
    expect(failed.map((e) => [e.event.phase, e.event.message])).toEqual([
      ['start', 'onBar is an async function: a strategy is synchronous (no async functions)'],
    ]);
  });

  it('makes the code part of the scenario: another module, another hash', () => {
    const a = parseScenario(scenario('  module: ./misbehaving.ts\n  params: { mode: none }'), `${DIR}/s.yaml`);
    const b = parseScenario(scenario('  module: ./stateful.ts'), `${DIR}/s.yaml`);
    expect(a.strategy?.codeHash).toMatch(/^[0-9a-f]{16}$/);
    expect(a.strategy?.codeHash).not.toBe(b.strategy?.codeHash);
    expect(a.hash).not.toBe(b.hash);
  });
});

describe('a strategy that fails', () => {
  const failing = (mode: string) => run(scenario(`  module: ./misbehaving.ts\n  params: { mode: ${mode}, after: 3 }`));

  it('is stopped, never the run: the kill switch is halted and its open parents are cancelled', () => {
    const { report, of } = failing('throw');
    const failed = of('StrategyFailed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.event).toMatchObject({ name: 'misbehaving', module: './misbehaving.ts', phase: 'bar' });
    expect(failed[0]?.event.message).toContain('the model blew up');
    const halted = of('KillSwitchChanged');
    expect(halted.map((e) => e.event.state)).toEqual(['halted']);
    expect(halted[0]?.event.actor).toBe('strategy:misbehaving');
    // Its TWAP (bought on its first bar) was working: cancelled with the failure.
    expect(of('ParentCancelRequested').length).toBe(1);
    expect(report.simulatedMs).toBe(180_000);
    expect(report.strategy?.failed).toEqual({ phase: 'bar', message: 'the model blew up' });
    // Nothing the strategy asked for after its failure.
    const failedAt = failed[0]?.seq ?? 0;
    expect(of('SignalReceived').filter((e) => e.seq > failedAt)).toHaveLength(0);
  });

  it.each([
    ['setTimeout', /setTimeout reads or waits for the wall clock/],
    ['async', /Promise/],
    ['badSide', /signal\.side: /],
    ['badQty', /signal\.qty: /],
    ['hugeQty', /^an output of bar: signal\.qty: 1e\+300 is more than any quantity \(lots of 0\.00001\)$/],
    ['offGrid', /signal\.qty: not a whole number of lots of 0\.00001/],
  ])('%s stops it with a message naming what it did', (mode, message) => {
    const { of } = failing(mode);
    const failed = of('StrategyFailed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.event.message).toMatch(message);
    // The wall clock is back for everyone else once the strategy returns.
    expect(typeof Date.now()).toBe('number');
  });

  it.each(['dateNow', 'newDate', 'random'])(
    "%s is not a failure: it reads the run's clock and random stream, the same every run",
    (mode) => {
      const { of, report } = failing(mode);
      expect(of('StrategyFailed')).toEqual([]);
      expect(of('SignalReceived').length).toBeGreaterThan(1);
      expect(failing(mode).report.digest).toBe(report.digest);
    },
  );

  it('refuses rxjs operators left on the default (wall-clock) scheduler', () => {
    const { of } = run(scenario('  module: ./rx-default-scheduler.ts'));
    expect(of('StrategyFailed')[0]?.event.message).toMatch(/setInterval reads or waits for the wall clock/);
  });

  it('leaves the kill switch alone when onFailure says active', () => {
    const { of } = run(
      scenario(
        '  module: ./misbehaving.ts\n  params: { mode: throw }\n  onFailure: { killSwitch: active, cancelParents: false }',
      ),
    );
    expect(of('StrategyFailed')).toHaveLength(1);
    expect(of('KillSwitchChanged')).toHaveLength(0);
    expect(of('ParentCancelRequested')).toHaveLength(0);
  });
});

describe('a strategy that behaves', () => {
  it('evaluates its module afresh for every run', () => {
    const yaml = scenario('  module: ./stateful.ts');
    const first = run(yaml);
    const second = run(yaml);
    expect(first.of('SignalAccepted')).toHaveLength(1);
    expect(second.of('SignalAccepted')).toHaveLength(1);
    expect(second.report.digest).toBe(first.report.digest);
  });

  it('never lets a signal out before its warm-up, and repeats itself exactly (any parameters)', () => {
    let signalled = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 30 }),
        fc.double({ min: 0.3, max: 2, noNaN: true }),
        fc.boolean(),
        (window, entryZ, reactiveFeed) => {
          const file = 'scenarios/strategy.yaml';
          const yaml = scenario(
            `  module: strategies/mean-reversion.ts\n  params: { window: ${window}, entryZ: ${entryZ}, qty: 0.01 }`,
            reactiveFeed ? 'duration: PT4M' : '',
          ).replace('duration: PT3M\n', reactiveFeed ? '' : 'duration: PT3M\n');
          const a = run(yaml, file);
          const hydrated = a.of('StrategyHydration').find((e) => e.event.state === 'hydrated');
          const signals = a.of('SignalReceived');
          for (const s of signals) expect(hydrated && s.seq > hydrated.seq).toBe(true);
          signalled += signals.length;
          const b = run(yaml, file);
          expect(b.report.digest).toBe(a.report.digest);
        },
      ),
      { numRuns: 6 },
    );
    // Not vacuous: the runs did signal.
    expect(signalled).toBeGreaterThan(0);
  }, 120_000);

  it('reports its warm-up and what became of its signals', () => {
    const { report, of } = run(
      scenario(
        '  module: ../../../scenarios/strategies/mean-reversion.ts\n  params: { window: 4, entryZ: 0.5, qty: 0.01 }',
      ),
    );
    const s = report.strategy;
    expect(s).toMatchObject({ name: 'mean-reversion', starts: 1, failed: null });
    expect(s?.warmup).toEqual([{ symbol: 'BTCUSDT', state: 'hydrated', atMs: 0, detail: 'history' }]);
    expect(s?.signals.made).toBe(of('SignalReceived').length);
    expect(s?.signals.accepted).toBe(of('SignalAccepted').length);
    expect(s?.signals.accepted).toBeGreaterThan(0);
    // A reduce-only sell may still wait for a fresh position when the run ends: neither yet.
    expect((s?.signals.accepted ?? 0) + (s?.signals.rejected ?? 0)).toBeLessThanOrEqual(s?.signals.made ?? 0);
  });

  it('counts the signals the strategy made by what they say, whatever their ids, and no others', () => {
    const { report, of } = run(
      scenario(
        '  module: ./named-ids.ts',
        'signals:\n  - { id: named-ids-by-hand, at: PT50S, side: buy, qty: "0.01" }',
      ),
    );
    const received = of('SignalReceived').map((e) => [e.event.signalId, e.event.strategy]);
    expect(received).toEqual([
      ['entry-3', 'named-ids'],
      ['named-ids-by-hand', undefined],
      ['entry-9', 'named-ids'],
    ]);
    const accepted = new Set(of('SignalAccepted').map((e) => e.event.signalId));
    expect(report.strategy?.signals.made).toBe(2);
    expect(report.strategy?.signals.accepted).toBe(['entry-3', 'entry-9'].filter((id) => accepted.has(id)).length);
    expect(report.strategy?.signals.accepted).toBeGreaterThan(0);
  });

  it('warms up on history drawn from the market model before the start', () => {
    const { of } = run(
      scenario('  module: ../../../scenarios/strategies/breakout.ts\n  params: { window: 5, exitWindow: 3 }'),
    );
    const states = of('StrategyHydration').map((e) => [e.event.state, e.event.detail, e.time]);
    expect(states[0]?.[0]).toBe('hydrating');
    expect(states[1]).toEqual(['hydrated', 'history', Date.parse('2024-08-09T00:00:00Z')]);
  });

  it('starts again after a restart: a fresh instance, warmed up again', () => {
    const yaml = scenario(
      '  module: ../../../scenarios/strategies/mean-reversion.ts\n  params: { window: 4, entryZ: 0.5, qty: 0.01 }',
      'restarts:\n  - { at: PT1M30S, downtime: PT10S }',
    );
    const a = run(yaml);
    expect(a.of('StrategyStarted')).toHaveLength(2);
    expect(a.of('StrategyHydration').filter((e) => e.event.state === 'hydrated')).toHaveLength(2);
    expect(run(yaml).report.digest).toBe(a.report.digest);
  });
});

describe('sweeping a strategy', () => {
  const FILE = 'scenarios/strategy-breakout.yaml';
  async function sweep(workers: number, grid: string) {
    const def: SweepDefinition = {
      file: FILE,
      yaml: readFileSync(FILE, 'utf8'),
      seed: 1,
      paths: 2,
      grid: [parseGridFlag(grid)],
    };
    const collector = new SweepCollector(def, 'strategy-breakout');
    // The workers take units at once, short as this sweep is: the strategy must run on them too.
    const end = await runSweepUnits(def, {
      workers,
      chunkUnits: 1,
      handOut: 'at-once',
      onUnit: (r) => collector.add(r),
    });
    return { end, result: collector.result() };
  }

  it('grids over its parameters with the same paths on one worker and on two', async () => {
    const one = await sweep(1, 'strategy.params.window=10,30');
    const two = await sweep(2, 'strategy.params.window=10,30');
    expect(one.end).toEqual({ kind: 'finished', units: 4, threads: 1 });
    expect(two.end).toEqual({ kind: 'finished', units: 4, threads: 2 });
    expect(one.result.grid?.points.map((p) => p.settings.map((x) => [x.key, x.value]))).toEqual([
      [['strategy.params.window', '10']],
      [['strategy.params.window', '30']],
    ]);
    expect(two.result).toEqual(one.result);
    // Different parameters, different trading: the paths' digests differ between the points.
    const digests = one.result.perPath.map((p) => p.digest);
    expect(new Set(digests).size).toBe(4);
  }, 120_000);

  it('refuses a parameter the strategy does not have, naming its parameters', () => {
    const loaded = loadScenarioFile(FILE);
    expect(
      () => new ScenarioGrid(readFileSync(FILE, 'utf8'), loaded, [parseGridFlag('strategy.params.nope=1,2')]),
    ).toThrow(
      /the strategy has no number, text or true\/false parameter nope \(its parameters: window, exitWindow, qty, twapMinutes\)/,
    );
  });
});
