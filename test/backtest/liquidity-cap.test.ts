// The liquidity cap in backtests: a scenario's stated daily volume caps a TWAP's slices at plan
// time (more, smaller slices), the cap is stored with the plan, and a crash in the middle changes
// nothing about the plan: the restarted process reads no volume again and every slice keeps its
// client order id and size, wherever the crash falls. A symbol without a volume is capped off
// with one warning and trades; a scenario without the section logs nothing of the cap.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runLogged } from '../support/logged-run.ts';
import type { LogEntry } from '../../src/core/model/events.ts';
import { readFileSync } from 'node:fs';
import { parseScenario } from '../../src/scenario/load-scenario.ts';
import { formatReport } from '../../src/cli/format-report.ts';

const FILE = 'scenarios/twap-liquidity-cap.yaml';

const run = (text: string) => runLogged(parseScenario(text, 'inline.yaml'));

const SOURCE = readFileSync(FILE, 'utf8');
const text = (edit: (t: string) => string = (t) => t) => edit(SOURCE);

/** The children of a parent as its plan made them: id, slice number, lots, when due. */
function children(log: readonly LogEntry[], parentId: string) {
  return log.flatMap((e) =>
    e.event.kind === 'OrderCreated' && e.event.parentId === parentId
      ? [{ id: e.event.clientOrderId, slice: e.event.sliceNum, qty: e.event.qty, at: e.event.scheduledTime }]
      : [],
  );
}

describe('the liquidity cap in a backtest', () => {
  it('plans 25 slices of at most 1% of the stated volume where 10 were asked for, and stores the cap with the plan', () => {
    const { report, log, of } = run(text());
    expect(report.expectations.filter((e) => !e.pass)).toEqual([]);
    // 8 BTC a day in lots of 0.00001, stated by the scenario, logged once when the run starts.
    expect(of('DailyVolumeRead').map((e) => e.event)).toEqual([
      { kind: 'DailyVolumeRead', symbol: 'BTCUSDT', advLots: 800_000, days: null, source: 'scenario' },
    ]);
    const plan = of('TwapPlanned').find((e) => e.event.parentId === 'twap-buy')!.event;
    expect(plan.liquidityCap).toEqual({
      advLots: 800_000,
      days: null,
      pctOfAdv: 1,
      maxSliceQty: 8_000,
      minIntervalMs: 1000,
      source: 'scenario',
      readAt: of('DailyVolumeRead')[0]!.time,
    });
    expect(plan.adjustments.map((a) => JSON.parse(a))).toEqual([
      { kind: 'liquidity_cap', requested: 10, used: 25, maxSliceQty: 8_000 },
      { kind: 'interval', requested: 60_000, used: 24_000 },
    ]);
    const kids = children(log, 'twap-buy');
    expect(kids).toHaveLength(25);
    expect(kids.every((c) => c.qty === 8_000)).toBe(true);
    // Never re-sized at execution time: every slice went out at its planned size.
    expect(of('ChildAmended').filter((e) => kids.some((c) => c.id === e.event.clientOrderId))).toEqual([]);
  });

  it('the run report warns of the plan it changed: in JSON per change, printed in one line under the parent', () => {
    const { report } = run(text());
    expect(report.warnings).toEqual([
      {
        kind: 'twap_slices',
        parent: 'twap-buy',
        asked: '10 slices',
        planned: '25 slices',
        why: 'raised so that no slice is larger than the liquidity cap of 0.08, a share of the average daily volume',
      },
      {
        kind: 'twap_interval',
        parent: 'twap-buy',
        asked: 'PT1M',
        planned: 'PT24S',
        why: 'the changed number of slices still spans the duration, PT10M',
      },
    ]);
    const lines = formatReport(report, false).split('\n');
    const parent = lines.findIndex((l) => l.startsWith('  parent twap-buy '));
    const warning = lines.findIndex((l) => l.startsWith('    warning: the plan changed what was asked: '));
    expect(warning).toBeGreaterThan(parent);
    expect(lines[warning]).toContain('10 slices asked, 25 slices planned: raised so that no slice is larger');
    expect(lines[warning]).toContain('interval PT1M asked, PT24S planned');
    // The eth-buy parent kept what it asked for: no warning line.
    expect(lines.filter((l) => l.includes('warning: the plan changed'))).toHaveLength(1);
  });

  it('a symbol without a stated volume is capped off with one warning, and trades uncapped', () => {
    const { log, of } = run(text());
    expect(of('LiquidityCapOff').map((e) => e.event)).toEqual([
      { kind: 'LiquidityCapOff', symbol: 'ETHUSDT', reason: 'the scenario states no liquidity.adv for ETHUSDT' },
    ]);
    const plan = of('TwapPlanned').find((e) => e.event.parentId === 'eth-buy')!.event;
    expect(plan.liquidityCap).toBeUndefined();
    expect(children(log, 'eth-buy').map((c) => c.qty)).toEqual([10_000, 10_000]);
  });

  it('after the crash the restarted process reads no volume and plans nothing again', () => {
    const { log, of } = run(text());
    const restartSeq = of('ProcessRestarted')[0]!.seq;
    expect(restartSeq).toBeGreaterThan(0);
    const after = log.filter((e) => e.seq > restartSeq);
    for (const kind of ['DailyVolumeRead', 'LiquidityCapOff', 'TwapPlanned', 'OrderCreated'])
      expect(after.filter((e) => e.event.kind === kind)).toEqual([]);
    expect(of('SliceRecovered').length).toBeGreaterThan(0);
  });

  it('wherever the crash falls, every slice keeps the client order id and size of a run without one', () => {
    const noCrash = text((t) => t.replace(/restarts:\n {2}- .*\n/, ''));
    const whole = run(noCrash);
    expect(whole.of('ProcessRestarted')).toEqual([]);
    const planned = children(whole.log, 'twap-buy');
    expect(planned).toHaveLength(25);
    fc.assert(
      fc.property(fc.integer({ min: 31, max: 620 }), fc.integer({ min: 1, max: 90 }), (atS, downS) => {
        const crash = text((t) =>
          t.replace(/restarts:\n {2}- .*\n/, `restarts:\n  - { at: PT${atS}S, downtime: PT${downS}S }\n`),
        );
        const { report, log, of } = run(crash);
        expect(of('ProcessRestarted')).toHaveLength(1);
        expect(children(log, 'twap-buy')).toEqual(planned);
        expect(report.duplicateOrders).toEqual([]);
        // What left for the venue is some of the planned slices, each once, under its planned id.
        const sent = log.flatMap((e) => (e.event.kind === 'SubmitOrder' ? [e.event.clientOrderId] : []));
        const ids = new Set(planned.map((c) => c.id));
        expect(sent.filter((id) => ids.has(id)).length).toBe(new Set(sent.filter((id) => ids.has(id))).size);
      }),
      { numRuns: 12 },
    );
  });

  it('reproduces its digest, and without the section a backtest logs nothing of the cap', () => {
    expect(run(text()).report.digest).toBe(run(text()).report.digest);
    const off = run(text((t) => t.replace(/liquidity:\n( {2}.*\n)+/, '')));
    const planOf = (id: string) => off.of('TwapPlanned').find((e) => e.event.parentId === id)!.event;
    expect(off.of('DailyVolumeRead')).toEqual([]);
    expect(off.of('LiquidityCapOff')).toEqual([]);
    expect(planOf('twap-buy').liquidityCap).toBeUndefined();
    expect(children(off.log, 'twap-buy')).toHaveLength(10);
    const disabled = run(text((t) => t.replace('liquidity:\n', 'liquidity:\n  enabled: false\n')));
    expect(disabled.log.map((e) => e.event.kind)).toEqual(off.log.map((e) => e.event.kind));
    expect(disabled.report.digest).toBe(off.report.digest);
  });
});
