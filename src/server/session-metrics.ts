// A service session's Prometheus metrics (prefix `execsim_session_`): counters and histograms fold
// the session's whole log, not this process, so a series never decreases across a restart and a
// scrape agrees with the stored run; fills come from the ledger and gauges from the session at each
// scrape. Durations are in seconds; labels never name an order or a parent. Why:
// docs/0070-store-service-and-cli-notes.md#srcserversession-metricsts.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { LogEntry } from '../core/model/events.ts';
import type { Side } from '../core/model/order.ts';
import type { KillSwitchState } from '../core/risk/kill-switch.ts';
import {
  KNOWN_LABELS,
  SessionMetricFold,
  type MetricUpdate,
  type SessionCounter,
  type SessionHistogram,
} from './session-metric-fold.ts';
import type { SessionPort, SessionStrategyStatus } from './session-port.ts';
import { symbolAccount } from './pages/session-account.ts';

const PREFIX = 'execsim_session_';

const COUNTERS: Readonly<Record<SessionCounter, readonly [help: string, labels: readonly string[]]>> = {
  parents_started: ['Parent orders started, by route (single, twap)', ['route']],
  parents_completed: ['Parent orders completed, by status (filled, partially_filled, unfilled)', ['status']],
  orders_submitted: ['Child orders sent to the venue (first send of each)', []],
  order_resends: ['Child orders sent again with the same client order id (after a lookup)', []],
  orders_denied: [
    'Parent orders and signals refused before reaching the venue, by source (parent, signal), stage and code',
    ['source', 'stage', 'code'],
  ],
  orders_rejected: ['Child orders the venue rejected', []],
  outcome_unknown: ['Venue requests whose outcome is unknown (timeout, disconnect, 5xx), by request', ['request']],
  orders_abandoned: ['Child orders given up on (retries exhausted, never at the venue)', []],
  discrepancies: ['Venue reports recorded as discrepancies and not applied, by reason', ['reason']],
  twap_slices: [
    'TWAP slices by state: planned, sent, skipped, and how they ended (filled, partially_filled, unfilled, not_sent)',
    ['state'],
  ],
  fill_detections: [
    'Orders whose fill monitoring ended, by how the result was detected and the result',
    ['detected_by', 'result'],
  ],
  fill_query_failures: ["Fill detection's failed status queries, by category", ['category']],
  signals_received: ['Signals received', []],
  signals_deduplicated: ['Signals refused as duplicates of one already seen', []],
  reconciliations: ['Reconciliation passes started, by mode (startup, periodic, reconnect, operator)', ['mode']],
  reconciliation_mismatches: ['Mismatches reconciliation found, by kind', ['kind']],
  orphans_detected: ['Orders at the venue that are not ours, found by reconciliation', []],
  reconnects: ['Venue streams connected again after a disconnect, by stream', ['stream']],
  breaker_trips: ['Circuit breaker trips', []],
  strategy_swaps: [
    'Strategy swaps decided, by decision: accepted (shadow validation passed, or an override), rejected (it failed: the old strategy stays), refused, abandoned',
    ['decision'],
  ],
};

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const FILL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

const HISTOGRAMS: Readonly<
  Record<SessionHistogram, readonly [name: string, help: string, labels: readonly string[], buckets: number[]]>
> = {
  venue_request_duration: [
    'venue_request_duration_seconds',
    "From a submit or cancel to the venue's first answer to it, by request and outcome",
    ['request', 'outcome'],
    LATENCY_BUCKETS,
  ],
  ack_latency: [
    'ack_latency_seconds',
    "From an order's first send to its first acknowledgement (or fill, when that came first)",
    [],
    LATENCY_BUCKETS,
  ],
  fill_latency: ['fill_latency_seconds', "From an order's first send to its first fill", [], FILL_BUCKETS],
  slice_schedule_lag: [
    'slice_schedule_lag_seconds',
    "From a TWAP slice's scheduled time to its first send",
    [],
    LATENCY_BUCKETS,
  ],
  fill_detection_latency: [
    'fill_detection_latency_seconds',
    "From the venue time of an order's last trade to fill detection reporting it",
    [],
    FILL_BUCKETS,
  ],
};

const KILL_SWITCH_STATES: readonly KillSwitchState[] = ['active', 'reducing', 'halted'];
const SIDES: readonly Side[] = ['buy', 'sell'];

export interface SessionMetrics {
  /** Stops following the session and removes its metrics from the registry. */
  stop(): void;
}

/** Registers the session's metrics in `registry` and keeps them up to date until `stop`. One
 *  session's per registry: a registry that holds them already is refused before anything is added. */
export function sessionMetrics(port: SessionPort, registry: Registry): SessionMetrics {
  if (registry.getMetricsAsArray().some((m) => m.name.startsWith(PREFIX)))
    throw new Error(`the registry already holds a session's metrics (${PREFIX}*): stop those first`);
  const names: string[] = [];
  const registers = [registry];
  const named = <T extends { name: string }>(config: T): T => {
    names.push(config.name);
    return config;
  };
  const counters = new Map<SessionCounter, Counter>();
  for (const [key, [help, labels]] of Object.entries(COUNTERS) as [
    SessionCounter,
    (typeof COUNTERS)[SessionCounter],
  ][]) {
    const counter = new Counter(named({ name: `${PREFIX}${key}_total`, help, labelNames: labels, registers }));
    for (const known of KNOWN_LABELS[key] ?? []) counter.inc(known, 0);
    counters.set(key, counter);
  }
  const histograms = new Map<SessionHistogram, Histogram>();
  for (const [key, [name, help, labels, buckets]] of Object.entries(HISTOGRAMS) as [
    SessionHistogram,
    (typeof HISTOGRAMS)[SessionHistogram],
  ][])
    histograms.set(key, new Histogram(named({ name: PREFIX + name, help, labelNames: labels, buckets, registers })));

  const apply = (u: MetricUpdate): void => {
    if (u.type === 'inc') counters.get(u.metric)?.inc(u.labels);
    else histograms.get(u.metric)?.observe(u.labels, u.seconds);
  };
  const fold = new SessionMetricFold();
  let folded = 0;
  const take = (entry: LogEntry): void => {
    if (entry.seq <= folded) return;
    folded = entry.seq;
    for (const u of fold.add(entry)) apply(u);
  };
  for (const entry of port.entriesAfter(0)) take(entry);
  const unfollow = port.follow(take);

  fillCounters(port, registers, named);
  const gauge = (name: string, help: string, labelNames: readonly string[], collect: (g: Gauge) => void): void => {
    new Gauge(
      named({
        name: PREFIX + name,
        help,
        labelNames,
        registers,
        collect() {
          collect(this);
        },
      }),
    );
  };
  gauge('ready', 'Whether the session is ready for orders (1) or not (0)', [], (g) =>
    g.set(port.readiness().ready ? 1 : 0),
  );
  gauge('kill_switch', 'The kill switch: 1 for its current state, 0 for the others', ['state'], (g) => {
    const now = port.status().killSwitch;
    for (const s of KILL_SWITCH_STATES) g.set({ state: s }, s === now ? 1 : 0);
    g.set({ state: now }, 1);
  });
  gauge(
    'breaker',
    'The circuit breaker: 1 for its current state (closed, tripped), 0 for the other',
    ['state'],
    (g) => {
      const tripped = port.breaker().trip !== null;
      g.set({ state: 'tripped' }, tripped ? 1 : 0);
      g.set({ state: 'closed' }, tripped ? 0 : 1);
    },
  );
  gauge('stream_connected', "Whether each of the venue's streams is connected (1) or not (0)", ['stream'], (g) => {
    for (const [stream, state] of Object.entries(port.status().connections))
      g.set({ stream }, state === 'connected' ? 1 : 0);
  });
  gauge(
    'market_data_age_seconds',
    'Age of the latest quote of each symbol the session trades (+Inf before the first)',
    ['symbol'],
    (g) => {
      for (const i of port.instruments) {
        const quote = port.latestQuote(i.symbol);
        g.set({ symbol: i.symbol }, quote === null ? Infinity : quote.ageMs / 1000);
      }
    },
  );
  gauge(
    'market_data_degraded',
    'Whether each symbol reads its market data from the quote fallback (1: its ring of recent quotes, or no quote young enough there) or from the venue (0)',
    ['symbol'],
    (g) => {
      const degraded = new Set<string>(port.marketDataFallback().map((f) => f.symbol));
      for (const i of port.instruments) g.set({ symbol: i.symbol }, degraded.has(i.symbol) ? 1 : 0);
    },
  );
  gauge(
    'position',
    "Our position in each symbol, in its units: the account's baseline plus our fills",
    ['symbol'],
    (g) => {
      for (const i of port.instruments) g.set({ symbol: i.symbol }, Number(symbolAccount(port, i, null).position));
    },
  );
  gauge(
    'pnl',
    'Our P&L in each symbol in quote currency, marked at its latest mid: the quote our fills moved plus the position gained since the baseline at the mid (no series while a symbol whose position moved has no two-sided quote)',
    ['symbol'],
    (g) => {
      g.reset();
      for (const i of port.instruments) {
        const quote = port.latestQuote(i.symbol);
        const pnl = symbolAccount(port, i, quote === null ? null : quote.top).pnl;
        if (pnl !== null) g.set({ symbol: i.symbol }, pnl);
      }
    },
  );
  gauge('orphans_unresolved', 'Orders at the venue that are not ours and not yet resolved', [], (g) =>
    g.set(port.orphans().filter((o) => !o.resolved).length),
  );
  gauge('open_orders', 'Child orders not ended', [], (g) => g.set(port.status().openOrders));
  gauge('open_parents', 'Parent orders not completed', [], (g) => g.set(port.status().openParents.length));
  gauge('reconciling', 'Whether a reconciliation pass runs now (1) or not (0)', [], (g) =>
    g.set(port.reconciling ? 1 : 0),
  );
  // Labelled by the strategy's name; no series for a session without a strategy.
  const strategyGauge = (name: string, help: string, value: (st: SessionStrategyStatus['live']) => boolean): void =>
    gauge(name, help, ['strategy'], (g) => {
      g.reset();
      const st = port.strategyStatus?.()?.live ?? null;
      if (st) g.set({ strategy: st.name }, value(st) ? 1 : 0);
    });
  strategyGauge(
    'strategy_running',
    "Whether the session's strategy runs (1) or has stopped (0: it failed)",
    (st) => st.running,
  );
  strategyGauge(
    'strategy_hydrated',
    "Whether the session's strategy runs and is warmed up on every symbol (1) or not (0)",
    (st) => st.running && st.notHydrated.length === 0,
  );

  return {
    stop() {
      unfollow();
      for (const name of names) registry.removeSingleMetric(name);
    },
  };
}

/**
 * Fills and their notional by side, summed over the ledger's orders at each scrape: each counter
 * goes up by what the sum grew since the last scrape (the ledger's counts only grow). Notional in
 * the instrument's quote currency, as a float (notional units x tick x lot).
 */
function fillCounters(port: SessionPort, registers: Registry[], named: <T extends { name: string }>(c: T) => T): void {
  // Each symbol's notional unit (tick x lot) in quote currency: fills of several symbols add up
  // in one quote currency.
  const units = new Map(port.instruments.map((i) => [i.symbol as string, Number(i.tickSize) * Number(i.lotSize)]));
  const ownUnit = units.get(port.instrument.symbol) ?? 1;
  const seen = { fills: { buy: 0, sell: 0 }, notional: { buy: 0, sell: 0 } };
  const totals = (): typeof seen => {
    const t = { fills: { buy: 0, sell: 0 }, notional: { buy: 0, sell: 0 } };
    for (const o of port.ledger.orders.values()) {
      t.fills[o.request.side] += o.fillCount;
      t.notional[o.request.side] += o.filledNotional * (units.get(o.request.symbol) ?? ownUnit);
    }
    return t;
  };
  const grow = (c: Counter, field: 'fills' | 'notional', now: typeof seen, scale: number): void => {
    for (const side of SIDES) {
      const by = now[field][side] - seen[field][side];
      if (by > 0) seen[field][side] = now[field][side];
      c.inc({ side }, by > 0 ? by * scale : 0);
    }
  };
  new Counter(
    named({
      name: `${PREFIX}fills_total`,
      help: 'Fills of our orders (executions counted once, and inferred fills), by side',
      labelNames: ['side'],
      registers,
      collect() {
        grow(this, 'fills', totals(), 1);
      },
    }),
  );
  new Counter(
    named({
      name: `${PREFIX}filled_notional_total`,
      help: 'Notional of our fills in quote currency (every symbol together), by side',
      labelNames: ['side'],
      registers,
      collect() {
        grow(this, 'notional', totals(), 1);
      },
    }),
  );
}
