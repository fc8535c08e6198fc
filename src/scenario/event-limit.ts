// How much work a run may be: the events it simulates (market steps, market order flow, spread
// regime changes, reconciliation passes, market samples, TWAP slices), estimated from the file and
// bounded at validation, so a scenario that would run for hours is refused with the fields that
// add the most and the bound (MAX_SIM_EVENTS). The bound on its numbers is magnitude-limits.ts's;
// docs/reference/scenario-file.md lists both for users.
import { parseDurationMs } from '../core/model/time-fields.ts';
import type { ScenarioFile } from './scenario-fields.ts';
import { fmt, largest, type Issue, type Part } from './limit-parts.ts';

/** Largest number of simulated events a run may have (market steps, market order flow, spread
 *  regime changes, reconciliation passes, TWAP slices): far above every bundled scenario (the
 *  largest, a replay, fires about 150,000), below what takes more than minutes to run. The engine
 *  fires about two clock actions per such event (a model step and its market-data delivery) and
 *  runs some 150,000 to 250,000 actions a second, so a run at the limit takes several minutes, not
 *  hours. */
export const MAX_SIM_EVENTS = 50_000_000;
/** Clock actions one periodic reconciliation pass takes (queries, answers, latency hops). */
const EVENTS_PER_RECON_PASS = 8;
/** Events one TWAP slice takes: its child's submit, acknowledgement, fill monitoring, and for
 *  limit children the cancel and its reports. */
export const EVENTS_PER_TWAP_SLICE = 15;

/** The events the run would simulate, by source; the TWAP slice counts come from the planner. */
export function estimateEvents(s: ScenarioFile, twapSlices: readonly Part[]): Part[] {
  const durMs = parseDurationMs(s.duration);
  const secs = durMs / 1000;
  const parts: Part[] = [];
  const m = s.market;
  if (m?.model === 'synthetic' || m?.model === 'almgren_chriss') {
    parts.push({
      path: ['market', 'stepMs'],
      what: `market steps (duration ${s.duration} / stepMs ${m.stepMs})`,
      value: durMs / m.stepMs,
    });
  }
  if (m?.model === 'synthetic') {
    if (m.trades)
      parts.push({
        path: ['market', 'trades', 'ratePerSec'],
        what: `market trades (trades.ratePerSec ${m.trades.ratePerSec} x ${fmt(secs)} s)`,
        value: m.trades.ratePerSec * secs,
      });
    if (m.regimes.length > 1) {
      m.regimes.forEach((r, i) => {
        const mean = parseDurationMs(r.meanDuration);
        parts.push({
          path: ['market', 'regimes', i, 'meanDuration'],
          what: `spread regime changes (duration ${s.duration} / meanDuration ${r.meanDuration})`,
          value: mean > 0 ? durMs / mean / m.regimes.length : Infinity,
        });
      });
    }
  }
  if (m?.model === 'zero_intelligence') {
    // Each resting order is cancelled at most once: its cancellation counts with it.
    const perOrder = m.cancelRatePerSec > 0 ? 2 : 1;
    const placed = 2 * m.limitRatePerSec * secs;
    parts.push({
      path: ['market', 'limitRatePerSec'],
      what: `limit orders${perOrder === 2 ? ' and their cancellations' : ''} (2 sides x limitRatePerSec ${m.limitRatePerSec} x ${fmt(secs)} s)`,
      value: placed * perOrder,
    });
    parts.push({
      path: ['market', 'marketRatePerSec'],
      what: `market orders (marketRatePerSec ${m.marketRatePerSec} x ${fmt(secs)} s)`,
      value: m.marketRatePerSec * secs,
    });
    parts.push({
      path: ['market', 'initialOrders'],
      what: `initial orders${perOrder === 2 ? ' and their cancellations' : ''} (2 sides x initialOrders ${m.initialOrders})`,
      value: 2 * m.initialOrders * perOrder,
    });
  }
  const period = (s.reconciliation as { periodMs?: number | null } | undefined)?.periodMs;
  const periodMs = period === undefined ? 300_000 : period;
  if (periodMs !== null && periodMs > 0) {
    const passes = durMs / periodMs;
    parts.push({
      path: ['reconciliation', 'periodMs'],
      what: `events of ${fmt(passes)} reconciliation passes (duration ${s.duration} / periodMs ${periodMs}, ~${EVENTS_PER_RECON_PASS} each)`,
      value: passes * EVENTS_PER_RECON_PASS,
    });
  }
  const { sampleMs } = s.report;
  if (sampleMs !== 'off') {
    parts.push({
      path: ['report', 'sampleMs'],
      what: `market samples (duration ${s.duration} / sampleMs ${sampleMs})`,
      value: durMs / sampleMs,
    });
  }
  return [...parts, ...twapSlices];
}

/** Refuses a run whose estimated events exceed MAX_SIM_EVENTS, at the field that adds the most. */
export function checkEvents(s: ScenarioFile, twapSlices: readonly Part[], issue: Issue): void {
  const parts = estimateEvents(s, twapSlices).filter((p) => p.value > 0);
  const total = parts.reduce((a, p) => a + p.value, 0);
  if (total <= MAX_SIM_EVENTS) return;
  const top = largest(parts) as Part;
  const listed = [...parts]
    .sort((a, b) => b.value - a.value)
    .slice(0, 4)
    .map((p) => `${fmt(p.value)} ${p.what}`)
    .join('; ');
  issue(
    top.path,
    `the run would simulate about ${fmt(total)} events (${listed}), above the limit of ${fmt(MAX_SIM_EVENTS)} per run: lower the rates, raise stepMs or shorten the duration`,
  );
}
