import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExecEvent, LogEntry } from '../../core/model/events.ts';
import type { VenueOrderId, TradeId, Symbol } from '../../core/model/ids.ts';
import { makeInstrument } from '../../core/model/instrument.ts';
import { loadScenarioFile, simulatedScenario } from '../../scenario/load-scenario.ts';
import { runLogged } from '../../../test/support/logged-run.ts';
import { C1, P1, samples } from '../../../test/support/progress-event-samples.ts';
import { clockTime, LINE_RULES, oneLine } from './event-line.ts';
import { RunWatch, statusText } from './run-watch.ts';
import { span } from '../span.ts';

const BTC = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });
const SECRET = 'K3Y-s3cret-VALUE';
/** 2024-08-09 12:00:00.100 UTC */
const T0 = Date.UTC(2024, 7, 9, 12, 0, 0, 100);

/** A parent of 1 BTC with one child of 0.01 sent and acknowledged: what a fill needs to name. */
const PRELUDE: readonly ExecEvent[] = [
  { kind: 'RunStarted', scenario: 'demo', symbol: 'BTCUSDT', startTime: T0 },
  samples('from order buy-1').ParentOrderCreated,
  {
    kind: 'OrderCreated',
    clientOrderId: C1,
    parentId: P1,
    sliceNum: 1,
    totalSlices: 4,
    scheduledTime: T0,
    symbol: 'BTCUSDT' as Symbol,
    side: 'buy',
    type: 'market',
    tif: 'IOC',
    qty: 1000,
    limitPrice: null,
    stopPrice: null,
  },
  { kind: 'SubmitOrder', clientOrderId: C1 },
  { kind: 'AckReport', clientOrderId: C1, venueOrderId: 'v1' as VenueOrderId },
];

const FILL: ExecEvent = {
  kind: 'FillReport',
  clientOrderId: C1,
  venueOrderId: 'v1' as VenueOrderId,
  tradeId: 't1' as TradeId,
  qty: 1000,
  price: 6_100_010,
  fee: 610_001,
  liquidity: 'taker',
  venueTime: T0,
};

/** A watch that has folded PRELUDE (and `more`), and the lines each gave. */
function watched(more: readonly ExecEvent[] = []): { watch: RunWatch; lines: (string | null)[]; seq: number } {
  const watch = new RunWatch([BTC], [SECRET]);
  const lines = [...PRELUDE, ...more].map((event, i) => watch.add({ seq: i + 1, time: T0 + i, event }));
  return { watch, lines, seq: PRELUDE.length + more.length };
}

const at = (seq: number): string => clockTime(T0 + seq - 1);

describe('progress lines', () => {
  it('a parent, its fill and its end, in the run clock’s time', () => {
    const done: ExecEvent = { kind: 'ParentOrderCompleted', parentId: P1, status: 'partially_filled', filledQty: 1000 };
    const { lines } = watched([FILL, done]);
    expect(lines).toEqual([
      '12:00:00.100  run started: demo on BTCUSDT',
      '12:00:00.101  parent p1 created: buy 1 BTCUSDT limit 61000, 4 slices (from order buy-1)',
      null,
      null,
      null,
      '12:00:00.105  fill BTCUSDT buy 0.01 @ 61000.1, fee 0.0610001 (order c1, parent p1)',
      '12:00:00.106  parent p1 done: partially_filled, 0.01/1 filled, avg 61000.1',
    ]);
  });

  it('a fill report the ledger did not apply (a duplicate trade id) prints nothing', () => {
    const { lines } = watched([FILL, FILL]);
    expect(lines.at(-2)).toMatch(/fill BTCUSDT buy 0\.01/);
    expect(lines.at(-1)).toBeNull();
  });

  it('a lookup that finds fills says so', () => {
    const lookup: ExecEvent = {
      kind: 'OrderStatusReport',
      clientOrderId: C1,
      venueOrderId: 'v1' as VenueOrderId,
      status: 'filled',
      qty: 1000,
      filledQty: 1000,
      avgPrice: 6_100_000,
      source: 'lookup',
    };
    const { lines } = watched([lookup]);
    expect(lines.at(-1)).toBe(
      `${at(6)}  fill BTCUSDT buy 0.01 @ 61000, fee 0 (order c1, parent p1, inferred from the venue’s filled quantity)`,
    );
  });

  // Every kind that prints, with the text it prints (`why` in every free-text field).
  const table: ReadonlyArray<readonly [ExecEvent['kind'], string]> = [
    ['ParentRejected', 'parent p1 refused at pre_trade: why (max-order-notional)'],
    ['ParentStopped', 'parent p1 stopped: why'],
    ['ParentCancelRequested', 'parent p1 cancel requested: why'],
    ['SliceSkipped', 'parent p1 slice 2 skipped: why'],
    ['OrderAbandoned', 'order c1 abandoned: why'],
    ['RejectReport', 'venue rejected order c1: why (-2010)'],
    ['RetryableRejectReport', 'venue refused order c1 for now: why (429); it is sent again'],
    [
      'OutcomeUnknownReport',
      'venue error: the submit of order c1 has an unknown outcome (timeout): why; looked up by its id',
    ],
    ['QueryFailedReport', 'venue error: a query (order of c1) failed, transient server: why'],
    ['ConnectionReport', 'order stream disconnected: why'],
    ['DiscrepancyRecorded', 'discrepancy overfill on c1: why'],
    ['CommissionUnvalued', 'commission of 0.001 BNB on c1 has no price: fees leave it out'],
    ['FaultApplied', 'fault outage: why'],
    ['KillSwitchChanged', 'kill switch halted (operator): why'],
    ['CircuitBreakerTripped', 'circuit breaker tripped: why'],
    ['CircuitBreakerReset', 'circuit breaker reset (operator): why'],
    ['MarketDataGap', 'market data gap: expected update 11, got 14'],
    ['MarketDataEnded', 'market data ended after 1234 messages'],
    ['FillMonitorEnded', 'fill detection could not resolve order c1 after 9 polls (3 errors)'],
    ['SlippageWarning', 'slippage on c1: avg 61010 vs expected 61000, 1.64 bps (threshold 1)'],
    ['PositionChecked', 'position differs from the venue after c1: ours 0.01, venue 0.005'],
    ['SignalRejected', 'signal s1 refused at dedup: why (duplicate)'],
    ['SignalAccepted', 'signal s1 accepted: parent p1'],
    ['ProcessRestarted', 'process restarted after 4.5 s down; refused 2 inputs'],
    ['StartupGateChanged', 'readiness: ready (system): why'],
    ['ReconciliationMismatch', 'reconciliation: missed_fill mismatch on c1: why'],
    ['ReconciliationUnresolved', 'reconciliation: order c1 unresolved: venue filled 0.01 filled, ours accepted 0'],
    ['ReconciliationCompleted', 'reconciliation (startup) done: 1 mismatch'],
    ['OrphanDetected', 'orphan at the venue: x9 sell 0.02 open (new)'],
    ['OrphanResolved', 'orphan x9 canceled (operator): why'],
    ['OrphanResolutionRefused', 'orphan x9: adopt refused: why'],
    ['SliceRecovered', 'parent p1 slice 1 recovered: rescheduled (why)'],
    ['PositionCorrected', 'position corrected: ours 0.01, venue 0.015'],
    ['StrategyStarted', 'strategy streak started (live, handler)'],
    ['StrategyHydration', 'warm-up BTCUSDT 12/20 bars'],
    ['StrategyOutputRefused', 'strategy streak: signal sig-1 refused: why'],
    ['StrategyFailed', 'strategy streak failed in onBar: why'],
    ['StrategySwapRequested', 'strategy swap 1 requested (operator): streak -> streak2'],
    ['StrategySwapDecided', 'strategy swap 1 accepted: why'],
    ['AlgoIntentRefused', "parent p1: algorithm's place clipped: why"],
    ['MarketDataDegraded', 'market data degraded for BTCUSDT: why'],
    ['MarketDataFallbackExpired', 'market data for BTCUSDT: last quote older than 60 s, no quote now'],
    ['MarketDataRestored', 'market data restored for BTCUSDT after 12.5 s'],
  ];

  it.each(table)('%s prints its line', (kind, text) => {
    const { lines, seq } = watched([samples('why')[kind]]);
    expect(lines.at(-1)).toBe(`${at(seq)}  ${text}`);
  });

  it('the table has every kind whose rule is line or notable, besides those the parent test shows', () => {
    const shown = new Set(['RunStarted', 'ParentOrderCreated', 'ParentOrderCompleted', ...table.map(([k]) => k)]);
    const printing = Object.entries(LINE_RULES).filter(([, r]) => r === 'line' || r === 'notable');
    expect(printing.map(([k]) => k).filter((k) => !shown.has(k))).toEqual([]);
  });

  it('warm-up: done, failed, and a shadow candidate’s', () => {
    const base = samples('history').StrategyHydration;
    const line = (e: ExecEvent): string | null => watched([e]).lines.at(-1) ?? null;
    expect(line({ ...base, state: 'hydrated', have: 20 })).toMatch(/ {2}warm-up BTCUSDT 20\/20 bars done \(history\)$/);
    expect(line({ ...base, state: 'timed_out' })).toMatch(/warm-up BTCUSDT 12\/20 bars timed out \(history\)$/);
    expect(line({ ...base, role: 'shadow' })).toMatch(/warm-up BTCUSDT \(shadow\) 12\/20 bars$/);
  });

  it("the breaker's lines name an operator's actor, and say when a trip or reset changed nothing", () => {
    const s = samples('drill');
    const line = (e: ExecEvent): string | null => watched([e]).lines.at(-1) ?? null;
    expect(line({ ...s.CircuitBreakerTripped, actor: 'ops' })).toMatch(/ {2}circuit breaker tripped \(ops\): drill$/);
    expect(line({ ...s.CircuitBreakerTripped, actor: 'ops', unchanged: true })).toMatch(
      / {2}circuit breaker trip \(ops\), tripped already: drill$/,
    );
    expect(line({ ...s.CircuitBreakerReset, unchanged: true })).toMatch(
      / {2}circuit breaker reset \(operator\), not tripped: drill$/,
    );
  });

  it('notable kinds are silent when routine: a periodic clean pass, a resolved fill watch, a consistent position', () => {
    const s = samples('x');
    const routine: ExecEvent[] = [
      { ...s.ReconciliationCompleted, mode: 'periodic', mismatches: 0 },
      { ...s.FillMonitorEnded, result: 'filled' },
      { ...s.PositionChecked, consistent: true },
    ];
    for (const e of routine) expect(watched([e]).lines.at(-1), e.kind).toBeNull();
    expect(watched([{ ...s.ReconciliationCompleted, mode: 'periodic', mismatches: 2 }]).lines.at(-1)).toMatch(
      /reconciliation \(periodic\) done: 2 mismatches$/,
    );
  });

  it('property: every event prints one line or is silent by its rule, and no line shows a key', () => {
    const kinds = Object.keys(LINE_RULES) as ExecEvent['kind'][];
    // Free text as venues send it: line breaks, control characters, the key itself, long.
    const text = fc.oneof(
      fc.string({ maxLength: 40, size: 'max' }),
      fc.constantFrom('line one\nline two\r\n', `key ${SECRET} leaked`, `\u0000\u001b[2J\u2028x`, 'y'.repeat(2000)),
      fc.tuple(fc.string(), fc.string()).map(([a, b]) => `${a}${SECRET}${b}`),
    );
    fc.assert(
      fc.property(fc.constantFrom(...kinds), text, fc.integer({ min: 0, max: 4_102_444_800_000 }), (kind, t, time) => {
        const watch = new RunWatch([BTC], [SECRET]);
        PRELUDE.forEach((event, i) => watch.add({ seq: i + 1, time, event }));
        const sample = samples(t)[kind];
        // Another parent than the prelude's: the ledger refuses a parent created twice. A child
        // is created whole (the sample is its kind alone): the ledger refuses a child that names
        // no parent, which no log holds, so it is the prelude parent's second child.
        const event =
          sample.kind === 'ParentOrderCreated'
            ? { ...sample, parentId: 'p2' as typeof P1 }
            : sample.kind === 'OrderCreated'
              ? { ...(PRELUDE[2] as typeof sample), clientOrderId: 'c2' as typeof C1, sliceNum: 2 }
              : sample;
        const entry: LogEntry = { seq: PRELUDE.length + 1, time, event };
        const line = watch.add(entry);
        const rule = LINE_RULES[kind];
        if (rule === 'silent' || rule === 'fills') expect(line).toBeNull(); // no fill applied here
        if (rule === 'line') expect(line).not.toBeNull();
        if (line === null) return;
        expect(line.startsWith(`${clockTime(time)}  `)).toBe(true);
        // eslint-disable-next-line no-control-regex
        expect(line).not.toMatch(/[\n\r\u2028\u2029\u0000-\u001f]/);
        expect(line).not.toContain(SECRET);
        expect(line.length).toBeLessThanOrEqual(15 + 400);
      }),
    );
  });

  it('oneLine takes a key out before it cuts a long text, so no part of one shows', () => {
    const long = `${'a'.repeat(395)}${SECRET}`;
    const shown = oneLine(long, [SECRET]);
    expect(shown).toBe(`${'a'.repeat(395)}***`);
    expect(oneLine(`${'a'.repeat(398)}${SECRET}`, [SECRET])).not.toMatch(/K3Y/);
  });

  it('oneLine leaves text alone for a key too short to mask, as the adapters do', () => {
    // A local gateway accepts any key pair: `k` and `s` would otherwise mask every k and s.
    expect(oneLine('market data stream connected', ['k', 's', 'key'])).toBe('market data stream connected');
    expect(oneLine('sent with key abcd', ['abcd'])).toBe('sent with key ***');
  });
});

describe('a reconciliation mismatch line', () => {
  const mismatch = (clientOrderId: typeof C1 | null, mismatch: 'missed_fill' | 'position', detail: string) =>
    ({ kind: 'ReconciliationMismatch', mismatch, clientOrderId, detail }) as const;

  it('gives a Binance missed fill and position in BTC, not in lots, with the symbol', () => {
    // The details as the reconciler records them, in lots (1000 lots of 0.00001 BTC: 0.01 BTC).
    const { lines } = watched([
      mismatch(C1, 'missed_fill', 'venue filled 1000, we had 0'),
      mismatch(null, 'position', 'venue position 1500 lots, ours 500'),
      mismatch(null, 'position', 'BTCUSDT: venue position -200 lots, ours 0'),
    ]);
    expect(lines.slice(-3).map((l) => l?.slice(14))).toEqual([
      'reconciliation: missed_fill mismatch on c1: venue filled 0.01 BTCUSDT, we had 0 BTCUSDT',
      'reconciliation: position mismatch: venue position 0.015 BTCUSDT, ours 0.005 BTCUSDT',
      'reconciliation: position mismatch: BTCUSDT: venue position -0.002 BTCUSDT, ours 0 BTCUSDT',
    ]);
  });

  it('gives an Alpaca missed fill in shares, whole or fractional, with the symbol', () => {
    for (const [lotSize, filled, had] of [
      ['1', '3', '2'],
      ['0.001', '0.003', '0.002'],
    ] as const) {
      const aapl = makeInstrument({ symbol: 'AAPL', tickSize: '0.01', lotSize, minNotional: '1' });
      const watch = new RunWatch([aapl]);
      const line = watch.add({ seq: 1, time: T0, event: mismatch(null, 'missed_fill', 'venue filled 3, we had 2') });
      expect(line?.slice(14)).toBe(
        `reconciliation: missed_fill mismatch: venue filled ${filled} AAPL, we had ${had} AAPL`,
      );
    }
  });

  it('prints any other detail as recorded', () => {
    const { lines } = watched([mismatch(C1, 'missed_fill', 'venue filled 10 (as listed), we had 0')]);
    expect(lines.at(-1)?.slice(14)).toBe(
      'reconciliation: missed_fill mismatch on c1: venue filled 10 (as listed), we had 0',
    );
  });
});

describe('a backtest’s log through the watch', () => {
  it('prints its parents, fills and ends as its report has them, and the status adds up', () => {
    const { report, log } = runLogged(simulatedScenario(loadScenarioFile('scenarios/walkthrough.yaml')));
    const watch = new RunWatch([BTC]);
    const lines = log.map((e) => watch.add(e)).filter((l): l is string => l !== null);
    const fills = lines.filter((l) => / {2}fill /.test(l));
    expect(fills).toHaveLength(report.fills);
    for (const p of report.parents) {
      const done = lines.find((l) => l.includes(`parent ${p.id} done`));
      expect(done, p.id).toContain(`${p.filledQty}/${p.qty} filled, avg ${Number(p.avgPrice)}`);
    }
    const status = watch.status(1500);
    expect(status).toMatchObject({ fills: report.fills, workingParents: 0, workingChildren: 0 });
    expect(status.positions).toEqual([{ symbol: 'BTCUSDT', qty: report.pnl.symbols[0]?.position }]);
    expect(statusText(status, span)).toMatch(/^status 1\.5 s: position BTCUSDT -0\.15; parents 0 working/);
  });
});
