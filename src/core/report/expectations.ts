// Checks a scenario's expectations against the run's log summary. Each result names what was
// expected and what was observed, so a failing scenario explains itself.
import type { ReconMetricName } from './recon-metrics.ts';
import { compareDecimals } from '../model/decimal.ts';
import type { LogSummary, ParentReport } from './run-report.ts';

/** The expectation kinds, mirrored from the scenario schema (core does not import the schema). */
export interface Expectation {
  readonly filledQty?: { readonly parent: string; readonly equals: string } | undefined;
  readonly parentStatus?: { readonly parent: string; readonly equals: string } | undefined;
  readonly childStatus?: { readonly parent: string; readonly slice: number; readonly equals: string } | undefined;
  readonly childOrders?: { readonly parent: string; readonly equals: number } | undefined;
  readonly shortfallBps?: ({ readonly parent: string } & Range) | undefined;
  readonly fills?: Range | undefined;
  readonly stoppedEarly?:
    { readonly parent: string; readonly equals: boolean; readonly reasonIncludes?: string | undefined } | undefined;
  readonly slicesExecuted?: ({ readonly parent: string } & Range) | undefined;
  readonly noDuplicateOrders?: true | undefined;
  readonly noDiscrepancies?: true | undefined;
  readonly fillDetection?: ({ readonly metric: FillMetricName } & Range) | undefined;
  readonly reconciliation?: ({ readonly metric: ReconMetricName } & Range) | undefined;
  readonly signal?:
    { readonly id: string; readonly equals: 'accepted' | 'rejected'; readonly code?: string | undefined } | undefined;
  readonly signalsAccepted?: Range | undefined;
  readonly strategyFailed?:
    true | { readonly phase?: string | undefined; readonly reasonIncludes?: string | undefined } | undefined;
  readonly algorithmFailed?:
    true | { readonly parent?: string | undefined; readonly reasonIncludes?: string | undefined } | undefined;
}
/** Numeric fill detection metrics a scenario can assert on. */
export const FILL_METRIC_NAMES = [
  'ordersMonitored',
  'fillsDetected',
  'detectionRate',
  'timeoutRate',
  'unresolvedRate',
  'falsePositives',
  'consistency',
  'positionChecks',
  'fillsByPush',
  'fillsByPoll',
  'fillsByLookup',
  'fillsStillWatched',
  'ordersFinished',
  'ordersStillWatched',
  'failedQueries',
  'cancelRaces',
  'slippageWarnings',
  'errorRate',
  'pollsPerOrder',
  'apiCallsPerOrder',
] as const;
export type FillMetricName = (typeof FILL_METRIC_NAMES)[number];
interface Range {
  readonly equals?: number | undefined;
  readonly min?: number | undefined;
  readonly max?: number | undefined;
}

export interface ExpectationResult {
  readonly name: string;
  readonly pass: boolean;
  readonly expected: string;
  readonly observed: string;
}

const sameDecimal = (a: string, b: string): boolean => compareDecimals(a, b) === 0;

function inRange(value: number | null, r: Range): boolean {
  if (value === null) return false;
  if (r.equals !== undefined && value !== r.equals) return false;
  if (r.min !== undefined && value < r.min) return false;
  if (r.max !== undefined && value > r.max) return false;
  return true;
}

const describeRange = (r: Range): string =>
  [
    r.equals !== undefined ? `= ${r.equals}` : '',
    r.min !== undefined ? `>= ${r.min}` : '',
    r.max !== undefined ? `<= ${r.max}` : '',
  ]
    .filter(Boolean)
    .join(' and ');

/**
 * Each expectation's result, in order. A run whose strategy failed fails unless it expects that
 * (strategyFailed): otherwise one more result, the strategy's own, names the module and why. The
 * same for a parent whose algorithm failed (algorithmFailed): one more result, `algorithm`.
 */
export function checkExpectations(expectations: readonly Expectation[], summary: LogSummary): ExpectationResult[] {
  const results = eachExpectation(expectations, summary);
  const unexpected = [
    unexpectedStrategyFailure(expectations, summary),
    unexpectedAlgorithmFailure(expectations, summary),
  ].filter((r) => r !== null);
  return [...results, ...unexpected];
}

function eachExpectation(expectations: readonly Expectation[], summary: LogSummary): ExpectationResult[] {
  const parent = (id: string): ParentReport | undefined => summary.parents.find((p) => p.id === id);
  return expectations.map((e): ExpectationResult => {
    if (e.filledQty) {
      const p = parent(e.filledQty.parent);
      const observed = p?.filledQty ?? 'no such parent';
      return {
        name: `filledQty ${e.filledQty.parent}`,
        expected: e.filledQty.equals,
        observed,
        pass: !!p && sameDecimal(p.filledQty, e.filledQty.equals),
      };
    }
    if (e.parentStatus) {
      const rejected = summary.rejectedParents.find((r) => r.id === e.parentStatus?.parent);
      const observed =
        parent(e.parentStatus.parent)?.status ??
        (rejected ? `rejected${rejected.code ? ` (${rejected.code})` : ''}` : 'no such parent');
      return {
        name: `parentStatus ${e.parentStatus.parent}`,
        expected: e.parentStatus.equals,
        observed,
        pass: observed === e.parentStatus.equals || (rejected !== undefined && e.parentStatus.equals === 'rejected'),
      };
    }
    if (e.childStatus) {
      const { parent: id, slice, equals } = e.childStatus;
      const observed = parent(id)?.children.find((c) => c.sliceNum === slice)?.status ?? 'no such child';
      return { name: `childStatus ${id}#${slice}`, expected: equals, observed, pass: observed === equals };
    }
    if (e.childOrders) {
      const observed = parent(e.childOrders.parent)?.childOrders;
      return {
        name: `childOrders ${e.childOrders.parent}`,
        expected: String(e.childOrders.equals),
        observed: String(observed ?? 'no such parent'),
        pass: observed === e.childOrders.equals,
      };
    }
    if (e.shortfallBps) {
      const observed = parent(e.shortfallBps.parent)?.shortfallBps ?? null;
      return {
        name: `shortfallBps ${e.shortfallBps.parent}`,
        expected: describeRange(e.shortfallBps),
        observed: String(observed),
        pass: inRange(observed, e.shortfallBps),
      };
    }
    if (e.stoppedEarly) {
      const p = parent(e.stoppedEarly.parent);
      const want = e.stoppedEarly;
      const observed = p ? (p.stoppedEarly ? `yes: ${p.stopReason}` : 'no') : 'no such parent';
      const pass =
        !!p &&
        p.stoppedEarly === want.equals &&
        (want.reasonIncludes === undefined || (p.stopReason ?? '').includes(want.reasonIncludes));
      return {
        name: `stoppedEarly ${want.parent}`,
        expected: want.equals ? `yes${want.reasonIncludes ? ` (${want.reasonIncludes})` : ''}` : 'no',
        observed,
        pass,
      };
    }
    if (e.slicesExecuted) {
      const observed = parent(e.slicesExecuted.parent)?.slicesExecuted ?? null;
      return {
        name: `slicesExecuted ${e.slicesExecuted.parent}`,
        expected: describeRange(e.slicesExecuted),
        observed: String(observed),
        pass: inRange(observed, e.slicesExecuted),
      };
    }
    if (e.fills) {
      return {
        name: 'fills',
        expected: describeRange(e.fills),
        observed: String(summary.fills),
        pass: inRange(summary.fills, e.fills),
      };
    }
    if (e.noDuplicateOrders) {
      const d = summary.duplicateOrders;
      return {
        name: 'noDuplicateOrders',
        expected: 'none',
        observed: d.length === 0 ? 'none' : d.join(', '),
        pass: d.length === 0,
      };
    }
    if (e.noDiscrepancies) {
      return {
        name: 'noDiscrepancies',
        expected: '0',
        observed: String(summary.discrepancies),
        pass: summary.discrepancies === 0,
      };
    }
    if (e.reconciliation) {
      const observed = summary.reconciliation[e.reconciliation.metric];
      return {
        name: `reconciliation ${e.reconciliation.metric}`,
        expected: describeRange(e.reconciliation),
        observed: String(observed),
        pass: inRange(observed, e.reconciliation),
      };
    }
    if (e.fillDetection) {
      const m = summary.fillDetection;
      const observed = m ? m[e.fillDetection.metric] : null;
      return {
        name: `fillDetection ${e.fillDetection.metric}`,
        expected: describeRange(e.fillDetection),
        observed: m ? String(observed) : 'fill detection off',
        pass: inRange(observed, e.fillDetection),
      };
    }
    if (e.signal) {
      const want = e.signal;
      const s = [...summary.signals].reverse().find((x) => x.id === want.id);
      const observed = s
        ? s.outcome === 'accepted'
          ? 'accepted'
          : `rejected at ${s.stage}: ${s.code}`
        : 'no decision';
      const pass = !!s && s.outcome === want.equals && (want.code === undefined || s.code === want.code);
      return {
        name: `signal ${want.id}`,
        expected: want.code ? `${want.equals} (${want.code})` : want.equals,
        observed,
        pass,
      };
    }
    if (e.signalsAccepted) {
      const n = summary.signals.filter((x) => x.outcome === 'accepted').length;
      return {
        name: 'signalsAccepted',
        expected: describeRange(e.signalsAccepted),
        observed: String(n),
        pass: inRange(n, e.signalsAccepted),
      };
    }
    if (e.strategyFailed) {
      const want = e.strategyFailed === true ? {} : e.strategyFailed;
      const failed = summary.strategy?.failed ?? null;
      const pass =
        failed !== null &&
        (want.phase === undefined || failed.phase === want.phase) &&
        (want.reasonIncludes === undefined || failed.message.includes(want.reasonIncludes));
      const detail = [want.phase && `in ${want.phase}`, want.reasonIncludes && `(${want.reasonIncludes})`];
      return {
        name: 'strategyFailed',
        expected: ['yes', ...detail].filter(Boolean).join(' '),
        observed: failed ? `yes: ${strategyFailure(summary)}` : 'no',
        pass,
      };
    }
    if (e.algorithmFailed) {
      const want = e.algorithmFailed === true ? {} : e.algorithmFailed;
      const failed = summary.parents.filter(
        (p) => p.algorithmFailed && (want.parent === undefined || p.id === want.parent),
      );
      const pass = failed.some(
        (p) => want.reasonIncludes === undefined || (p.stopReason ?? '').includes(want.reasonIncludes),
      );
      const detail = [want.parent && `in parent ${want.parent}`, want.reasonIncludes && `(${want.reasonIncludes})`];
      return {
        name: want.parent === undefined ? 'algorithmFailed' : `algorithmFailed ${want.parent}`,
        expected: ['yes', ...detail].filter(Boolean).join(' '),
        observed: failed.length > 0 ? `yes: ${algorithmFailures(failed)}` : 'no',
        pass,
      };
    }
    throw new Error(`unknown expectation ${JSON.stringify(e)}`);
  });
}

/** The strategy's failure as a result of its own, when the scenario does not expect one. */
function unexpectedStrategyFailure(
  expectations: readonly Expectation[],
  summary: LogSummary,
): ExpectationResult | null {
  if (!summary.strategy?.failed || expectations.some((e) => e.strategyFailed)) return null;
  return {
    name: 'strategy',
    expected: 'no failure (or a strategyFailed expectation)',
    observed: strategyFailure(summary),
    pass: false,
  };
}

/** The parents whose algorithm failed and no algorithmFailed expectation covers (one naming no
 *  parent covers them all), as one result, when there are any. */
function unexpectedAlgorithmFailure(
  expectations: readonly Expectation[],
  summary: LogSummary,
): ExpectationResult | null {
  const wanted = expectations.flatMap((e) =>
    e.algorithmFailed === undefined ? [] : [e.algorithmFailed === true ? undefined : e.algorithmFailed.parent],
  );
  if (wanted.includes(undefined)) return null;
  const failed = summary.parents.filter((p) => p.algorithmFailed && !wanted.includes(p.id));
  if (failed.length === 0) return null;
  return {
    name: 'algorithm',
    expected: 'no failure (or an algorithmFailed expectation)',
    observed: algorithmFailures(failed),
    pass: false,
  };
}

/** "parent p1: the algorithm ... failed ...", the first of several with how many more. */
function algorithmFailures(failed: readonly ParentReport[]): string {
  const first = failed[0] as ParentReport;
  const more = failed.length > 1 ? ` (and ${failed.length - 1} more parents)` : '';
  return `parent ${first.id}: ${first.stopReason ?? 'no reason stated'}${more}`;
}

/** "strategy breakout (strategies/breakout.ts) failed in bar: ..." */
function strategyFailure(summary: LogSummary): string {
  const s = summary.strategy;
  if (!s?.failed) return 'no failure';
  return `strategy ${s.name} (${s.module}) failed in ${s.failed.phase}: ${s.failed.message}`;
}

/**
 * What every run must keep whatever its scenario expects, as failed results (none when kept): no
 * parent filled past its quantity, and no order of ours left open at the venue while our record
 * holds it as ended (nobody would watch or cancel it).
 */
export function brokenInvariants(summary: LogSummary): ExpectationResult[] {
  const out: ExpectationResult[] = summary.overfilledParents.map((observed) => ({
    name: 'parentNotOverfilled',
    expected: 'filled <= quantity',
    observed,
    pass: false,
  }));
  const hidden = summary.openAtVenue?.hidden ?? 0;
  if (hidden > 0)
    out.push({
      name: 'noHiddenOpenOrders',
      expected: 'none of ours open at the venue that we hold as ended',
      observed: `${hidden} open at the end`,
      pass: false,
    });
  return out;
}
