// The session's Prometheus metrics over a real service session on the sandbox's simulated venue
// (wall clock, in process): a five-slice TWAP, a refused order, operator commands, and what the
// registry says of each; a second registry opened later folds the same log to the same counts,
// and the reference page lists exactly the metrics exported.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parentOrderId } from '../../src/core/model/ids.ts';
import type { CommandResult } from '../../src/node/node-commands.ts';
import { inProcessVenueOptions } from '../../src/gateway/in-process-venue.ts';
import { openSession } from '../../src/runtime/session-root.ts';
import { simulatedScenario } from '../../src/scenario/load-scenario.ts';
import { loadSessionFile } from '../../src/scenario/session-file.ts';
import { sessionMetrics } from '../../src/server/session-metrics.ts';
import type { SessionPort } from '../../src/server/session-port.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { RunStore } from '../../src/store/run-store.ts';

const SESSION_FILE = 'scenarios/session/sandbox-btcusdt.yaml';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-session-metrics-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Polls `check` every few ms until it holds, for at most `ms` (the session runs on the wall clock). */
async function until(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A sample's value: the metric's sample with exactly these labels (0 when it has none yet). */
async function sample(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const base = name.replace(/_(count|sum|bucket)$/, '');
  const metric = registry.getSingleMetric(base);
  if (!metric) throw new Error(`no metric ${base}`);
  const got = await metric.get();
  const want = JSON.stringify(Object.entries(labels).sort());
  const hit = got.values.find(
    (v) =>
      ((v as { metricName?: string }).metricName ?? base) === name &&
      JSON.stringify(Object.entries(v.labels).sort()) === want,
  );
  return hit?.value ?? 0;
}

const twap = (id: string, qty: number) =>
  ({
    kind: 'SubmitParent',
    request: {
      parentId: parentOrderId(id),
      side: 'buy',
      qty,
      type: 'market',
      tif: 'IOC',
      route: 'twap',
      twap: {
        durationMs: 1250,
        sliceCount: 5,
        unfilled: 'carry',
        stops: { maxSpread: 0.005, maxPriceDeviation: 0.01, minLiquidity: 0 },
      },
      source: 'test',
    },
    confirmations: [],
    confirmedBy: null,
  }) as const;

describe('session metrics over a sim session', () => {
  it('counts a TWAP, a refusal and operator commands from the log, and reads state at scrape', async () => {
    const db = openDatabase(path.join(dir, 'sess.db'));
    const store = new RunStore(db);
    const file = loadSessionFile(SESSION_FILE);
    const session = await openSession(file, {
      store,
      venue: inProcessVenueOptions(simulatedScenario(file.loaded)),
    });
    const port: SessionPort = session;
    const registry = new Registry();
    const metrics = sessionMetrics(port, registry);
    try {
      // The reference page lists exactly the metrics the session exports.
      const page = fs.readFileSync('docs/reference/session-metrics.md', 'utf8');
      const listed = [...page.matchAll(/^\| `(execsim_session_\w+)` \|/gm)].map((m) => m[1]);
      const exported = registry.getMetricsAsArray().map((m) => m.name);
      expect([...listed].sort()).toEqual([...exported].sort());

      await until(() => port.readiness().ready, 'the session is ready');
      expect(await sample(registry, 'execsim_session_ready')).toBe(1);
      expect(await sample(registry, 'execsim_session_reconciliations_total', { mode: 'startup' })).toBe(1);
      expect(await sample(registry, 'execsim_session_stream_connected', { stream: 'orders' })).toBe(1);
      expect(await sample(registry, 'execsim_session_stream_connected', { stream: 'market_data' })).toBe(1);
      expect(await sample(registry, 'execsim_session_kill_switch', { state: 'active' })).toBe(1);
      expect(await sample(registry, 'execsim_session_breaker', { state: 'closed' })).toBe(1);
      const age = await sample(registry, 'execsim_session_market_data_age_seconds');
      expect(age).toBeGreaterThanOrEqual(0);
      expect(age).toBeLessThan(5);

      // A five-slice TWAP of 103 lots: every slice sent once, filled, and timed.
      const accepted = await port.submit(twap('p1', 103));
      expect(accepted.outcome).toBe('accepted');
      expect(await sample(registry, 'execsim_session_parents_started_total', { route: 'twap' })).toBe(1);
      expect(await sample(registry, 'execsim_session_twap_slices_total', { state: 'planned' })).toBe(5);
      await until(() => port.ledger.parents.get(parentOrderId('p1'))?.completed != null, 'the TWAP completed');
      await until(() => port.status().openOrders === 0, 'every slice ended');
      expect(await sample(registry, 'execsim_session_orders_submitted_total')).toBe(5);
      expect(await sample(registry, 'execsim_session_order_resends_total')).toBe(0);
      expect(await sample(registry, 'execsim_session_twap_slices_total', { state: 'sent' })).toBe(5);
      expect(await sample(registry, 'execsim_session_twap_slices_total', { state: 'filled' })).toBe(5);
      expect(await sample(registry, 'execsim_session_parents_completed_total', { status: 'filled' })).toBe(1);
      expect(await sample(registry, 'execsim_session_slice_schedule_lag_seconds_count')).toBe(5);
      expect(await sample(registry, 'execsim_session_ack_latency_seconds_count')).toBe(5);
      expect(await sample(registry, 'execsim_session_fill_latency_seconds_count')).toBe(5);
      expect(
        await sample(registry, 'execsim_session_venue_request_duration_seconds_count', {
          request: 'submit',
          outcome: 'accepted',
        }),
      ).toBe(5);
      // The venue's simulated latency (order entry 15 +- 10 ms): each answer took some time, and
      // no slice waited seconds past its schedule.
      const ackSum = await sample(registry, 'execsim_session_ack_latency_seconds_sum');
      expect(ackSum).toBeGreaterThan(0);
      expect(ackSum / 5).toBeLessThan(2);
      expect(await sample(registry, 'execsim_session_slice_schedule_lag_seconds_sum')).toBeLessThan(10);
      expect(
        await sample(registry, 'execsim_session_fill_detections_total', { detected_by: 'push', result: 'filled' }),
      ).toBe(5);

      // Fills and notional are the ledger's: 103 lots of 0.00001 BTC near 61000 USDT.
      const orders = [...port.ledger.orders.values()];
      const fills = orders.reduce((n, o) => n + o.fillCount, 0);
      expect(fills).toBeGreaterThanOrEqual(5);
      expect(await sample(registry, 'execsim_session_fills_total', { side: 'buy' })).toBe(fills);
      expect(await sample(registry, 'execsim_session_fills_total', { side: 'sell' })).toBe(0);
      const notional = orders.reduce((n, o) => n + o.filledNotional, 0) * 0.01 * 0.00001;
      const scraped = await sample(registry, 'execsim_session_filled_notional_total', { side: 'buy' });
      expect(scraped).toBeCloseTo(notional, 6);
      expect(scraped).toBeGreaterThan(103 * 0.00001 * 55_000);
      expect(scraped).toBeLessThan(103 * 0.00001 * 67_000);
      // A second scrape with no new fills adds nothing.
      expect(await sample(registry, 'execsim_session_fills_total', { side: 'buy' })).toBe(fills);

      // An order above the pre-trade maximum (5,000,000 USDT; 100 BTC is about 6,100,000) is refused.
      const refused: CommandResult = await port.submit(twap('too-big', 10_000_000));
      expect(refused.outcome).toBe('refused');
      const code = refused.outcome === 'refused' ? refused.code : '';
      expect(
        await sample(registry, 'execsim_session_orders_denied_total', { source: 'parent', stage: 'pre_trade', code }),
      ).toBe(1);
      expect(await sample(registry, 'execsim_session_orders_submitted_total')).toBe(5);

      // Operator commands: the gauges follow the session's state, the counters its log.
      await port.submit({ kind: 'SetKillSwitch', state: 'halted', actor: 'test', reason: 'metrics' });
      expect(await sample(registry, 'execsim_session_kill_switch', { state: 'halted' })).toBe(1);
      expect(await sample(registry, 'execsim_session_kill_switch', { state: 'active' })).toBe(0);
      expect(await sample(registry, 'execsim_session_ready')).toBe(0);
      await port.submit({ kind: 'TripBreaker', actor: 'ops', reason: 'metrics' });
      expect(await sample(registry, 'execsim_session_breaker', { state: 'tripped' })).toBe(1);
      expect(await sample(registry, 'execsim_session_breaker', { state: 'closed' })).toBe(0);
      expect(await sample(registry, 'execsim_session_breaker_trips_total')).toBe(1);
      // Tripped already: the operator's trip is audited, but it is no second trip.
      await port.submit({ kind: 'TripBreaker', actor: 'ops', reason: 'metrics again' });
      expect(await sample(registry, 'execsim_session_breaker_trips_total')).toBe(1);
      const reconcile = await port.submit({ kind: 'Reconcile', actor: 'test', reason: 'metrics' });
      expect(reconcile.outcome).toBe('accepted');
      expect(await sample(registry, 'execsim_session_reconciliations_total', { mode: 'operator' })).toBe(1);

      // A registry opened now folds the session's whole log to the same counts.
      const later = new Registry();
      const second = sessionMetrics(port, later);
      try {
        for (const [name, labels] of [
          ['execsim_session_orders_submitted_total', {}],
          ['execsim_session_twap_slices_total', { state: 'filled' }],
          ['execsim_session_ack_latency_seconds_count', {}],
          ['execsim_session_fills_total', { side: 'buy' }],
          ['execsim_session_breaker_trips_total', {}],
        ] as const)
          expect(await sample(later, name, labels)).toBe(await sample(registry, name, labels));
      } finally {
        second.stop();
      }
      expect(await registry.metrics()).toMatch(/^execsim_session_orders_submitted_total 5$/m);
    } finally {
      metrics.stop();
      await session.stop('test');
      db.close();
    }
    // Stopped: the session's metrics are gone from the registry.
    expect(registry.getMetricsAsArray().filter((m) => m.name.startsWith('execsim_session_'))).toEqual([]);
  });
});
