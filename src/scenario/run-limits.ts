// The checks that need a scenario whose every field is already sound: quote amounts within the
// notional range, every TWAP that will certainly run planned by the planner (orders with a twap
// block or route: twap, signals with route: twap, and routing.defaultTwap on its own), then the
// run's magnitudes (magnitude-limits.ts) and its simulated work (event-limit.ts). An auto-routed
// parent goes through TWAP only above the threshold at the market price, so only defaultTwap's
// own timing is checked for it.
import { isIntentAlgo } from './execution-schema.ts';
import { makeInstrument, qtyToLots } from '../core/model/instrument.ts';
import type { OrderType } from '../core/model/order.ts';
import { checkEvents, estimateEvents, EVENTS_PER_TWAP_SLICE } from './event-limit.ts';
import { checkMagnitudes, checkQuoteAmount } from './magnitude-limits.ts';
import type { ScenarioFile } from './scenario-fields.ts';
import { toTrajectory } from './scenario-requests.ts';
import { checkTwapPlan, type TwapUse } from './twap-check.ts';
import { liquidityCapOf } from '../core/algo/liquidity-cap.ts';
import { liquidityConfigOf } from './liquidity-schema.ts';
import { parseDurationMs, parseUtcInstant } from '../core/model/time-fields.ts';

type Path = (string | number)[];

/** The longest a paper run may last (its duration, on the wall clock): 366 days. A paper run is a
 *  process that must stay up the whole time; a longer horizon is a typo more often than a plan
 *  (P1000D for PT1000S), and one that long is better run as several. The wall clock itself waits
 *  any length (it re-arms past Node's 24.8-day timer limit). */
export const MAX_PAPER_RUN_MS = 366 * 86_400_000;

/** The events a run of a validated scenario is estimated to simulate: the figure the limit on
 *  simulated events is checked against (the CLI warns before a long run with it). */
export function estimateRunEvents(s: ScenarioFile): number {
  return checkRunLimits(s, () => {}) ?? 0;
}

/** Reports every limit the scenario breaks; returns the run's estimated events when it breaks
 *  none, null otherwise. */
export function checkRunLimits(s: ScenarioFile, report: (path: Path, message: string) => void): number | null {
  let problems = 0;
  const issue = (path: Path, message: string): void => {
    problems++;
    report(path, message);
  };
  const inst = makeInstrument(s.instrument);
  if (s.mode === 'paper' && parseDurationMs(s.duration) > MAX_PAPER_RUN_MS)
    issue(['duration'], `"${s.duration}" is longer than a paper run may last: at most P366D (366 days) of wall time`);
  // A paper run states no start (it starts on the wall clock); a TWAP's plan does not depend on
  // when it starts, only on its own times, so the epoch stands in for it.
  const start = s.start === undefined ? 0 : parseUtcInstant(s.start);

  checkQuoteAmount(['routing', 'twapThreshold'], s.routing.twapThreshold, inst, issue);
  checkQuoteAmount(['routing', 'defaultTwap', 'minSliceNotional'], s.routing.defaultTwap.minSliceNotional, inst, issue);
  s.orders.forEach((o, i) =>
    checkQuoteAmount(['orders', i, 'twap', 'minSliceNotional'], o.twap?.minSliceNotional, inst, issue),
  );
  const breaker = s.safety.breaker as
    { loss?: { max?: unknown } | null; drawdown?: { max?: unknown } | null } | undefined | null;
  for (const k of ['loss', 'drawdown'] as const) {
    const max = breaker?.[k]?.max;
    if (typeof max === 'string') checkQuoteAmount(['safety', 'breaker', k, 'max'], max, inst, issue);
  }
  if (problems > 0) return null;

  const def = s.routing.defaultTwap;
  checkTwapPlan(
    {
      twapPath: ['routing', 'defaultTwap'],
      ownerPath: ['routing', 'defaultTwap'],
      owner: null,
      twap: def,
      qty: 1,
      type: 'market',
      startTime: start,
    },
    inst,
    issue,
  );
  // A backtest's stated volume caps the run's symbol's TWAPs: counted here, since the cap adds
  // slices (a paper run's volume is the venue's, unknown until it runs).
  const liq = liquidityConfigOf(s.liquidity, s.mode, [inst]);
  const advLots = liq?.source === 'scenario' ? liq.stated.get(inst.symbol) : undefined;
  const liquidityCap =
    liq === null || advLots === undefined || advLots < 1
      ? undefined
      : {
          maxSliceQty: liquidityCapOf(
            { symbol: inst.symbol, advLots, days: null, source: 'scenario', readAt: 0 },
            liq.policy.pctOfAdv,
          ).maxSliceQty,
          minIntervalMs: liq.policy.minIntervalMs,
        };
  const slices: Array<{ path: Path; what: string; value: number }> = [];
  const plan = (kind: 'orders' | 'signals', i: number, use: Omit<TwapUse, 'ownerPath'>, symbol?: string): void => {
    const capped = symbol === undefined || symbol === inst.symbol ? liquidityCap : undefined;
    const n = checkTwapPlan({ ...use, ownerPath: [kind, i], liquidityCap: capped }, inst, issue);
    if (n !== null)
      slices.push({
        path: use.twapPath,
        what: `events of ${n} TWAP slices of ${kind}[${i}] (${EVENTS_PER_TWAP_SLICE} each)`,
        value: n * EVENTS_PER_TWAP_SLICE,
      });
  };
  const viaDefault = (kind: string, i: number) => `${kind}[${i}] (route: twap without a twap block)`;
  s.orders.forEach((o, i) => {
    const placed = o.placement !== undefined && o.placement.kind !== 'market';
    const twap = o.twap ?? (o.route === 'twap' || o.algo || placed ? def : undefined);
    // An algorithm deciding as it runs takes the twap block's duration only: no grid to plan.
    if (twap === undefined || isIntentAlgo(o.algo)) return;
    plan(
      'orders',
      i,
      {
        twapPath: o.twap ? ['orders', i, 'twap'] : ['routing', 'defaultTwap'],
        owner: o.twap
          ? null
          : o.route === 'twap' || !o.algo
            ? viaDefault('orders', i)
            : `orders[${i}] (algo without a twap block)`,
        ...(o.algo ? { algoPath: ['orders', i, 'algo'], trajectory: toTrajectory(o.algo, inst) } : {}),
        ...(o.placement && o.placement.kind !== 'market' ? { placementOffsetTicks: o.placement.offsetTicks } : {}),
        twap,
        qty: qtyToLots(inst, o.qty),
        type: o.type,
        startTime: start + parseDurationMs(o.at),
      },
      o.symbol,
    );
  });
  s.signals.forEach((g, i) => {
    if (isIntentAlgo(g.algo)) return;
    if (g.route !== 'twap' && !g.algo && (g.placement === undefined || g.placement.kind === 'market')) return;
    const type: OrderType = g.price === undefined ? 'market' : 'limit';
    plan(
      'signals',
      i,
      {
        twapPath: ['routing', 'defaultTwap'],
        owner: viaDefault('signals', i),
        ...(g.algo ? { algoPath: ['signals', i, 'algo'], trajectory: toTrajectory(g.algo, inst) } : {}),
        ...(g.placement && g.placement.kind !== 'market' ? { placementOffsetTicks: g.placement.offsetTicks } : {}),
        twap: def,
        qty: qtyToLots(inst, g.qty),
        type,
        startTime: start + parseDurationMs(g.at),
      },
      g.symbol,
    );
  });
  if (problems > 0) return null;

  checkMagnitudes(s, inst, issue);
  if (problems > 0) return null;
  checkEvents(s, slices, issue);
  return problems > 0 ? null : estimateEvents(s, slices).reduce((a, p) => a + Math.max(0, p.value), 0);
}
