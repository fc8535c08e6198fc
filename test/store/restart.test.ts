// Crash and restart on whole runs: from the SQLite store, with the same digest as a run without
// one; the restarted process reads the store (a changed store changes what it restores); a crash
// loses exactly the uncommitted tail; several restarts in one run; startup gating (not ready,
// timeout and an audited forced opening, reduce-only and cancels allowed); slices blocked by a
// breaker tripped at the crash; the orphan table.
import { setStoredPayload, storedOfKind } from '../support/stored-log.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/clock/rng.ts';
import { VirtualClock } from '../../src/core/clock/virtual-clock.ts';
import { canonicalLine, digestLines, EventLog } from '../../src/core/log/event-log.ts';
import type { ExecEvent, LogEntry } from '../../src/core/model/events.ts';
import { parentOrderId } from '../../src/core/model/ids.ts';
import { makeInstrument } from '../../src/core/model/instrument.ts';
import { prepareRun, runScenario } from '../../src/runtime/backtest-run.ts';
import { loadScenarioFile, parseScenario } from '../../src/scenario/load-scenario.ts';
import { parseDurationMs, parseUtcInstant } from '../../src/core/model/time-fields.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { RunStore } from '../../src/store/run-store.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function store(): RunStore {
  const dir = mkdtempSync(join(tmpdir(), 'execsim-restart-'));
  dirs.push(dir);
  return new RunStore(openDatabase(join(dir, 'x.db')));
}

const HEAD = `
seed: 9
venue: { name: binance-spot, latency: { orderEntry: 10, ack: 10, fillReport: 5, marketData: 2 } }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
`;
const BASE = `${HEAD}market: { model: synthetic, initialPrice: "61000.00", volatility: 0.2, stepMs: 200, spreadTicks: 2, depth: ["0.5", "0.8", "1.0"], trades: { ratePerSec: 2, meanQty: "0.02" } }
safety: { preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" } }
`;

function run(body: string, base = BASE) {
  const log: LogEntry[] = [];
  const report = runScenario(parseScenario(`name: restart-test\n${base}${body}`, 'inline.yaml'), {
    onEntry: (e) => log.push(e),
  });
  const events = <K extends ExecEvent['kind']>(kind: K) =>
    log.filter((e) => e.event.kind === kind).map((e) => e as LogEntry<Extract<ExecEvent, { kind: K }>>);
  return { report, events };
}

describe('restart from the store', () => {
  for (const file of [
    'scenarios/restart-mid-twap.yaml',
    'scenarios/restart-between-submit-and-store.yaml',
    'scenarios/restart-orphan-at-startup.yaml',
  ]) {
    it(`${file}: restarts from SQLite with the digest of a run without a store, and stores exactly the durable log`, () => {
      const loaded = loadScenarioFile(file);
      const plain = runScenario(loaded);
      const st = store();
      const stored = runScenario(loaded, { store: st });
      expect(stored.digest).toBe(plain.digest);
      expect(stored.passed).toBe(true);
      const row = st.getRun(stored.runId);
      expect(row?.status).toBe('finished');
      expect(row?.event_count).toBe(stored.events);
      expect([...st.events(stored.runId)]).toHaveLength(stored.events);
      if (file.includes('orphan')) {
        const orphans = st.db
          .prepare('SELECT client_order_id, status, resolution, resolved_by FROM orphan_orders WHERE run_id = ?')
          .all(stored.runId);
        expect(orphans).toEqual([
          { client_order_id: 'manual-desk-bid-1', status: 'resolved', resolution: 'canceled', resolved_by: 'ops-lead' },
        ]);
        const inOrders = st.db
          .prepare("SELECT COUNT(*) n FROM orders WHERE client_order_id = 'manual-desk-bid-1'")
          .get();
        expect(inOrders).toEqual({ n: 0 });
      }
      st.db.close();
    });
  }
});

describe('a restart reads the store', () => {
  // The kill switch is halted at 30 s and restored by the process restarted after the crash at
  // 1 min, from the log it reads. Between the two, the stored KillSwitchChanged is changed to
  // 'active' in the database only: a restart that reads the store lets the order at 3 min
  // through; one that used the in-memory durable log would still be halted.
  const body = `
duration: PT5M
restarts: [{ at: PT1M, downtime: PT10S }]
orders:
  - { id: while-halted, at: PT45S, side: buy, qty: "0.01", type: market, route: single }
  - { id: after-restart, at: PT3M, side: buy, qty: "0.01", type: market, route: single }
actions:
  - { at: PT30S, kind: kill_switch, state: halted, actor: risk, reason: "desk halt" }`;
  const scenario = () => parseScenario(`name: restart-reads-store\n${BASE}${body}`, 'inline.yaml');

  it('restores the kill switch from the stored log: with the store untouched, the order after the restart is held back', () => {
    const st = store();
    const report = runScenario(scenario(), { store: st });
    expect(report.reconciliation.restarts).toBe(1);
    const filled = Object.fromEntries(report.parents.map((p) => [p.id, p.filledQty]));
    expect(filled).toEqual({ 'while-halted': '0', 'after-restart': '0' });
    st.db.close();
  });

  it('restores what the store says, not what the process kept in memory', () => {
    const st = store();
    let changed = 0;
    const report = runScenario(scenario(), {
      store: st,
      onEntry: (e) => {
        // The kill switch change was committed (and stored) when its action ran; change it in the
        // database only, before the crash.
        if (e.event.kind !== 'ParentOrderCompleted' || e.event.parentId !== 'while-halted') return;
        const runId = st.db.prepare(`SELECT id FROM runs WHERE status = 'running'`).pluck().get() as string;
        for (const { seq, payload } of storedOfKind(st.db, runId, 'KillSwitchChanged')) {
          if (!payload.includes('"state":"halted"')) continue;
          setStoredPayload(st.db, runId, seq, payload.replace('"state":"halted"', '"state":"active"'));
          changed++;
        }
      },
    });
    expect(changed).toBe(1);
    expect(report.reconciliation.restarts).toBe(1);
    const filled = Object.fromEntries(report.parents.map((p) => [p.id, p.filledQty]));
    expect(filled).toEqual({ 'while-halted': '0', 'after-restart': '0.01' });
    st.db.close();
  });
});

describe('a crash loses the uncommitted tail', () => {
  // Two fault windows open and close between the last commit (the fill of 'before' at 10 s) and
  // the crash at 25 s. The venue records them as they happen, outside any work of the process,
  // so nothing commits them: the crash must lose all four entries, the restarted process must
  // continue the log from the last committed entry, and ProcessRestarted must count them. Market
  // sampling is off: each sample is process work, which commits the log when it is done.
  const yaml = `name: lost-tail
${HEAD}duration: PT2M
report: { sampleMs: off }
market: { model: static_book, bids: [["60999.90", "5"]], asks: [["61000.10", "5"]] }
faults:
  - { kind: lost_reports, from: PT20S, until: PT22S, probability: 1 }
  - { kind: delayed_reports, from: PT21S, until: PT23S, delayMs: 1000 }
restarts: [{ at: PT25S, downtime: PT5S }]
orders:
  - { id: before, at: PT10S, side: buy, qty: "0.01", type: market, route: single }
  - { id: after, at: PT60S, side: buy, qty: "0.01", type: market, route: single }
`;
  const TAIL_FAULTS = ['lost_reports', 'delayed_reports', 'lost_reports', 'delayed_reports'];

  it('drops the entries appended after the last commit, and ProcessRestarted counts them', () => {
    const { scenario: s } = parseScenario(yaml, 'inline.yaml');
    const inst = makeInstrument(s.instrument);
    const start = parseUtcInstant(s.start);
    const clock = new VirtualClock(start);
    // Follows the log's commits on its own: what was written since the last one, at each crash.
    let uncommitted: LogEntry[] = [];
    const tails: LogEntry[][] = [];
    const spy = {
      write: (e: LogEntry) => uncommitted.push(e),
      commit: () => {
        uncommitted = [];
      },
      rollback: () => {
        tails.push(uncommitted);
        uncommitted = [];
      },
    };
    const run = prepareRun({
      scenario: s,
      file: 'inline.yaml',
      clock,
      rng: new Rng(s.seed),
      log: new EventLog(clock),
      instrument: inst,
      start,
      sinks: [spy],
    });
    clock.advanceTo(start + parseDurationMs(s.duration));
    run.log.commit();

    expect(tails).toHaveLength(1);
    const tail = tails[0] ?? [];
    expect(tail.map((e) => (e.event.kind === 'FaultApplied' ? e.event.fault : e.event.kind))).toEqual(TAIL_FAULTS);
    const durable = run.durable;
    const restarted = durable.find((e) => e.event.kind === 'ProcessRestarted') as
      LogEntry<Extract<ExecEvent, { kind: 'ProcessRestarted' }>> | undefined;
    expect(restarted?.event.lostEntries).toBe(tail.length);
    // The new process continues from the last committed entry: the lost seq numbers are reused.
    expect(restarted?.seq).toBe(tail[0]?.seq);
    expect(durable.map((e) => e.seq)).toEqual(durable.map((_, n) => n + 1));
    const kept = new Set(durable.map(canonicalLine));
    expect(tail.filter((e) => kept.has(canonicalLine(e)))).toEqual([]);
    // The run's digest covers the durable log only.
    expect(run.log.digest()).toBe(digestLines(durable.map(canonicalLine)));
    // The order after the restart went through: the restarted process works.
    expect(run.ledger.parents.get(parentOrderId('after'))?.completed?.status).toBe('filled');
  });

  it('stores nothing of the lost tail: what was written but is not in the store is what lostEntries counts', () => {
    const st = store();
    const written: LogEntry[] = [];
    const report = runScenario(parseScenario(yaml, 'inline.yaml'), { store: st, onEntry: (e) => written.push(e) });
    const stored = [...st.entries(report.runId)];
    expect(stored.map((e) => e.seq)).toEqual(stored.map((_, n) => n + 1));
    expect(stored).toHaveLength(report.events);
    const inStore = new Set(stored.map(canonicalLine));
    const lost = written.filter((e) => !inStore.has(canonicalLine(e)));
    expect(lost.map((e) => (e.event.kind === 'FaultApplied' ? e.event.fault : e.event.kind))).toEqual(TAIL_FAULTS);
    const restarted = stored.find((e) => e.event.kind === 'ProcessRestarted');
    expect(restarted?.event).toMatchObject({ lostEntries: lost.length });
    expect(report.reconciliation.lostEntries).toBe(lost.length);
    st.db.close();
  });
});

describe('restarts in a run', () => {
  it('survives three crashes of different kinds in one TWAP with every slice accounted for', () => {
    const { report, events } = run(`
duration: PT10M
restarts:
  - { afterSubmit: 2, downtime: PT5S }
  - { at: PT2M, downtime: PT40S }
  - { between: [PT3M, PT4M], downtime: PT10S }
orders:
  - { id: twap, at: PT5S, side: buy, qty: "0.6", type: market, twap: { duration: PT5M, slices: 10, maxSpread: 0.01, maxPriceDeviation: 0.05 } }`);
    expect(events('ProcessRestarted')).toHaveLength(3);
    expect(report.reconciliation.restarts).toBe(3);
    expect(report.reconciliation.startupRuns).toBe(3);
    expect(report.duplicateOrders).toEqual([]);
    expect(report.discrepancies).toBe(0);
    const twap = report.parents.find((p) => p.id === 'twap');
    expect(twap?.filledQty).toBe('0.6');
    expect(twap?.children.every((c) => ['filled', 'canceled', 'failed'].includes(c.status))).toBe(true);
    const recovered = events('SliceRecovered');
    expect(recovered.length).toBeGreaterThan(0);
    expect(report.reconciliation.slicesRecovered + report.reconciliation.slicesSkipped).toBe(recovered.length);
  });

  it('stays gated after a startup timeout until an operator forces it open (audited), refusing new orders as not ready', () => {
    // Every request to the venue times out from the restart on, so startup reconciliation never ends.
    const { report, events } = run(`
duration: PT10M
reconciliation: { startupTimeoutMs: 60000 }
restarts: [{ at: PT1M, downtime: PT10S }]
faults: [{ kind: outage, from: PT1M, until: PT6M, mode: timeout_before, timeoutMs: 2000 }]
orders:
  - { id: early, at: PT10S, side: buy, qty: "0.01", type: market, route: single }
  - { id: while-gated, at: PT2M30S, side: buy, qty: "0.01", type: market, route: single }
  - { id: after-force, at: PT7M, side: buy, qty: "0.01", type: market, route: single }
actions:
  - { at: PT5M, kind: force_ready, actor: ops-lead, reason: "venue confirmed flat by phone" }`);
    const gate = events('StartupGateChanged').map((e) => [e.event.state, e.event.actor]);
    expect(gate).toEqual([
      ['gated', 'startup'],
      ['timed_out', 'startup'],
      ['ready', 'ops-lead'],
    ]);
    // Startup reconciliation finished after the outage; the gate was already open.
    expect(events('ReconciliationCompleted')[0]?.event.mode).toBe('startup');
    expect(events('ReconciliationCompleted')[0]?.time).toBeGreaterThan(Date.UTC(2024, 7, 9, 0, 6));
    expect(events('StartupGateChanged')[1]?.time).toBe(Date.UTC(2024, 7, 9, 0, 2, 10));
    expect(report.rejectedParents).toEqual([
      expect.objectContaining({ id: 'while-gated', stage: 'gating', code: 'not-ready' }),
    ]);
    expect(report.parents.find((p) => p.id === 'after-force')?.filledQty).toBe('0.01');
    expect(report.reconciliation.gateTimeouts).toBe(1);
  });

  it('opens the gate when startup completes after its timeout alert', () => {
    const { events } = run(`
duration: PT6M
reconciliation: { startupTimeoutMs: 60000 }
restarts: [{ at: PT1M, downtime: PT10S }]
faults: [{ kind: outage, from: PT1M, until: PT3M, mode: timeout_before, timeoutMs: 2000 }]
orders:
  - { id: early, at: PT10S, side: buy, qty: "0.01", type: market, route: single }`);
    expect(events('StartupGateChanged').map((e) => e.event.state)).toEqual(['gated', 'timed_out', 'ready']);
  });

  it('lets a reduce-only signal through the gate (checked against the venue) but not a new exposure', () => {
    const { report } = run(`
duration: PT5M
restarts: [{ at: PT1M, downtime: PT10S }]
faults: [{ kind: outage, from: PT1M, until: PT3M, mode: timeout_before, timeoutMs: 2000 }]
orders:
  - { id: long, at: PT10S, side: buy, qty: "0.05", type: market, route: single }
signals:
  - { id: close-half, at: PT1M20S, side: sell, qty: "0.02", reduceOnly: true }
  - { id: add-more, at: PT1M25S, side: buy, qty: "0.02" }`);
    const fate = Object.fromEntries(
      report.signals.map((s) => [s.id, s.outcome === 'accepted' ? 'accepted' : `${s.stage}:${s.code}`]),
    );
    expect(fate['add-more']).toBe('gating:not-ready');
    // The venue cannot be asked during the outage: the reduce-only check fails closed, never "not ready".
    expect(fate['close-half']).toMatch(/^reduce_only:/);
  });

  it('an adopted orphan becomes our order; an external order that filled at once is a position correction', () => {
    const { report, events } = run(`
duration: PT8M
restarts: [{ at: PT1M, downtime: PT30S }]
externalOrders:
  - { at: PT1M5S, clientOrderId: desk-bid, side: buy, qty: "0.1", limitPrice: "60995.00" }
  - { at: PT1M10S, clientOrderId: desk-taker, side: buy, qty: "0.05", limitPrice: "62000.00" }
orders:
  - { id: before, at: PT10S, side: buy, qty: "0.02", type: market, route: single }
  - { id: quarantined, at: PT2M, side: buy, qty: "0.02", type: market, route: single }
  - { id: after, at: PT4M, side: buy, qty: "0.02", type: market, route: single }
actions:
  - { at: PT3M, kind: resolve_orphan, clientOrderId: desk-bid, resolution: adopt, actor: ops-lead, reason: "our desk's hedge" }`);
    expect(events('OrphanDetected').map((e) => [e.event.clientOrderId, e.event.side, e.event.qty])).toEqual([
      ['desk-bid', 'buy', 10_000],
    ]);
    expect(events('OrphanResolved').map((e) => [e.event.resolution, e.event.actor])).toEqual([['adopted', 'ops-lead']]);
    // The taker filled before startup: not an orphan, but 0.05 more at the venue than in our fills.
    expect(events('PositionCorrected').map((e) => e.event.adjustment)).toEqual([5_000]);
    const adopted = report.parents.find((p) => p.id === 'adopted-desk-bid');
    expect(adopted?.children[0]?.status).toMatch(/accepted|partially_filled|filled/);
    expect(report.parents.find((p) => p.id === 'quarantined')?.status).toBe('unfilled');
    expect(report.parents.find((p) => p.id === 'after')?.filledQty).toBe('0.02');
    // Whatever put it there, a position our fills do not explain is a discrepancy, named.
    expect(report.discrepancies).toBe(1);
    expect(report.discrepancyNotes).toEqual([
      'position corrected 1 time: the venue held what our fills do not explain',
    ]);
  });

  describe('catching up a TWAP after a long downtime', () => {
    // 0.3 in 10 market slices of 0.03, 10 s apart from 5 s; down from 12 s to 87 s: slices 2-8
    // are missed (0.21), slices 9 and 10 are left.
    const twap = (catchUp: string) =>
      run(`
duration: PT4M
restarts: [{ at: PT12S, downtime: PT75S }]
orders:
  - id: t
    at: PT5S
    side: buy
    qty: "0.3"
    type: market
    twap: { duration: PT100S, slices: 10, maxSpread: 0.5, maxPriceDeviation: 0.5${catchUp} }`);
    const sent = (r: ReturnType<typeof twap>) =>
      r.report.parents[0]?.children.filter((c) => c.attempts > 0).map((c) => [c.sliceNum, Number(c.qty)]);

    it('by default spreads the missed quantity over the slices left, none above 3x its planned size', () => {
      const r = twap('');
      expect(r.events('ProcessRestarted')).toHaveLength(1);
      // 0.27 left for two slices: 0.135 each would be 4.5x a slice; each takes 3x (0.09) and
      // the rest (0.09) stays unsent rather than going out as one order.
      expect(sent(r)).toEqual([
        [1, 0.03],
        [9, 0.09],
        [10, 0.09],
      ]);
      expect(r.report.parents[0]?.filledQty).toBe('0.21');
      expect(r.events('SliceRecovered').filter((d) => d.event.action === 'skipped')).toHaveLength(7);
    });

    it('without a cap, spreads it evenly; immediate sends the backlog with the first slice that runs', () => {
      expect(sent(twap(', catchUpMaxMultiple: null'))).toEqual([
        [1, 0.03],
        [9, 0.135],
        [10, 0.135],
      ]);
      expect(sent(twap(', catchUp: immediate'))).toEqual([
        [1, 0.03],
        [9, 0.24],
        [10, 0.03],
      ]);
    });
  });

  it('keeps the dedup memory and the kill switch across a restart', () => {
    const { report, events } = run(`
duration: PT5M
restarts: [{ at: PT1M, downtime: PT10S }]
signals:
  - { id: before, at: PT20S, side: buy, qty: "0.01", price: "61010.00" }
  - { id: replayed, at: PT1M30S, side: buy, qty: "0.01", price: "61010.40" }
  - { id: while-halted, at: PT3M, side: buy, qty: "0.01", price: "61200.00" }
actions:
  - { at: PT50S, kind: kill_switch, state: halted, actor: risk, reason: "desk halt" }`);
    expect(events('ProcessRestarted')).toHaveLength(1);
    const fate = Object.fromEntries(
      report.signals.map((x) => [x.id, x.outcome === 'accepted' ? 'accepted' : `${x.stage}:${x.code}`]),
    );
    expect(fate).toEqual({ before: 'accepted', replayed: 'dedup:duplicate-signal', 'while-halted': 'guards:guard' });
  });

  it('keeps the loss budget across a restart: a loss split by a crash still trips the limit', () => {
    // Bid 99 / ask 101: each buy of 2 at 101 loses 2.00 plus fees at the mid; the limit is 3.00.
    const body = (restart: string) => `
duration: PT3M
market: { model: static_book, bids: [["99.00", "100"]], asks: [["101.00", "100"]] }
safety: { preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" }, breaker: { loss: { max: "3.00" }, staleData: null, priceBand: null } }
${restart}
orders:
  - { id: first, at: PT1S, side: buy, qty: "2", type: market, route: single }
  - { id: second, at: PT1M, side: buy, qty: "2", type: market, route: single }
  - { id: third, at: PT2M, side: buy, qty: "2", type: market, route: single }`;
    for (const restart of ['restarts: []', 'restarts: [{ at: PT30S, downtime: PT5S }]']) {
      const { report, events } = run(body(restart), HEAD);
      expect(
        events('CircuitBreakerTripped').map((e) => (e.event as { condition?: string }).condition),
        restart,
      ).toEqual(['loss']);
      expect(report.parents.find((p) => p.id === 'third')?.filledQty, restart).toBe('0');
    }
  });

  it('marks the pending slices blocked when the breaker was tripped at the crash; nothing is sent', () => {
    const { report, events } = run(`
duration: PT6M
restarts: [{ at: PT1M5S, downtime: PT20S }]
orders:
  - { id: twap, at: PT5S, side: buy, qty: "0.3", type: market, twap: { duration: PT3M, slices: 6, maxSpread: 0.01, maxPriceDeviation: 0.05 } }
actions:
  - { at: PT1M, kind: circuit_breaker, state: tripped, reason: "desk halt" }`);
    const blocked = events('SliceRecovered').filter((e) => e.event.action === 'blocked');
    expect(blocked.length).toBe(4);
    expect(events('SubmitOrder').every((e) => e.time < Date.UTC(2024, 7, 9, 0, 1, 0))).toBe(true);
    expect(report.reconciliation).toMatchObject({ slicesBlocked: 4, slicesFailed: 0 });
    expect(report.parents[0]?.status).toBe('partially_filled');
  });
});
