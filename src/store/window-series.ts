// The spans a run's chart shades: the faults its scenario declared (an outage, lost reports, a
// reject window: what the simulated venue was told to do, from `from` to `until`), and what the
// run's log shows it went through whatever the cause (a stream down between its disconnect and
// its reconnect, a replayed market's gap until its book was rebuilt, the circuit breaker open
// until reset, the kill switch off `active`). A span still open when the log ends runs to `end`.
// Declared spans say what was scheduled, observed ones what the node saw: a paper run has only
// the observed (the gateway's faults are the gateway's scenario's).
import { parseDurationMs } from '../core/model/time-fields.ts';
import { isFields, type PayloadRow } from './series-payloads.ts';

/** One shaded span, epoch ms on the run's clock. */
export interface ShadedSpan {
  /** The fault's kind (`outage`, `lost_reports`, ...) or what was observed (`orders stream down`,
   *  `market data gap`, `breaker open`, `kill switch halted`). */
  readonly kind: string;
  readonly from: number;
  readonly until: number;
  /** True for the scenario's declared faults, false for what the log shows. */
  readonly declared: boolean;
}

/** The kinds of logged events the observed spans are folded from. */
export const SPAN_EVENT_KINDS = [
  'ConnectionReport',
  'MarketDataGap',
  'MarketDataRebuilt',
  'CircuitBreakerTripped',
  'CircuitBreakerReset',
  'KillSwitchChanged',
] as const;

/** The declared fault windows of a stored scenario (JSON), from the run's `start`; a fault at an
 *  instant (a price jump) spans nothing and is left out, as is one that does not read. */
export function declaredSpans(scenarioJson: string, start: number): ShadedSpan[] {
  let scenario: unknown;
  try {
    scenario = JSON.parse(scenarioJson);
  } catch {
    return [];
  }
  const faults = isFields(scenario) ? scenario['faults'] : undefined;
  if (!Array.isArray(faults)) return [];
  const out: ShadedSpan[] = [];
  for (const f of faults) {
    if (!isFields(f) || typeof f['kind'] !== 'string') continue;
    const { from, until } = f;
    if (typeof from !== 'string' || typeof until !== 'string') continue;
    try {
      const a = start + parseDurationMs(from);
      const b = start + parseDurationMs(until);
      if (b > a) out.push({ kind: f['kind'], from: a, until: b, declared: true });
    } catch {
      continue;
    }
  }
  return out.sort((x, y) => x.from - y.from);
}

/** The observed spans of a run's logged events (rows of SPAN_EVENT_KINDS in log order); those
 *  still open at the last row run to `end`. A row whose payload does not read is skipped. */
export function observedSpans(rows: readonly (PayloadRow & { readonly kind: string })[], end: number): ShadedSpan[] {
  const open = new Map<string, number>();
  const out: ShadedSpan[] = [];
  const start = (kind: string, t: number): void => {
    if (!open.has(kind)) open.set(kind, t);
  };
  const stop = (kind: string, t: number): void => {
    const from = open.get(kind);
    if (from === undefined) return;
    open.delete(kind);
    if (t > from) out.push({ kind, from, until: t, declared: false });
  };
  for (const row of rows) {
    let e: unknown;
    try {
      e = JSON.parse(row.payload);
    } catch {
      continue;
    }
    if (!isFields(e)) continue;
    switch (row.kind) {
      case 'ConnectionReport': {
        const name = `${String(e['stream']).replace('_', ' ')} stream down`;
        if (e['state'] === 'disconnected') start(name, row.time);
        else if (e['state'] === 'connected') stop(name, row.time);
        break;
      }
      case 'MarketDataGap':
        start('market data gap', row.time);
        break;
      case 'MarketDataRebuilt':
        stop('market data gap', row.time);
        break;
      case 'CircuitBreakerTripped':
        start('breaker open', row.time);
        break;
      case 'CircuitBreakerReset':
        stop('breaker open', row.time);
        break;
      case 'KillSwitchChanged':
        // One span per state off `active`: halted then reducing are two.
        for (const kind of [...open.keys()]) if (kind.startsWith('kill switch ')) stop(kind, row.time);
        if (e['state'] === 'halted' || e['state'] === 'reducing') start(`kill switch ${e['state']}`, row.time);
        break;
    }
  }
  for (const [kind, from] of open) if (end > from) out.push({ kind, from, until: end, declared: false });
  return out.sort((x, y) => x.from - y.from || (x.kind < y.kind ? -1 : 1));
}

/** The spans that overlap the window [from, to], cut to it. */
export function spansIn(spans: readonly ShadedSpan[], from: number, to: number): ShadedSpan[] {
  return spans
    .filter((s) => s.until >= from && s.from <= to)
    .map((s) => ({ ...s, from: Math.max(s.from, from), until: Math.min(s.until, to) }));
}
