// Runs one adversarial case (adversarial-case.ts) through the harness on a virtual clock and
// checks, against the simulated venue's own records and the final process's ledger and log:
//   duplicate-order     no client order id became two orders at the venue;
//   overfill            the venue filled no more than the parent's quantity for its orders;
//   fills-disagree      for every client order id, our filled quantity is the venue's;
//   position-disagrees  our position is the venue's;
//   discrepancy         the log holds no DiscrepancyRecorded event;
//   watch-never-ended   every FillMonitorStarted has its FillMonitorEnded;
//   left-open           no order of ours is open at the venue at the end while we hold it ended;
//   kill-switch         no order the venue took was last sent while halted, and one last sent
//                       while reducing reduced the venue's position then (with our open orders on
//                       its side, it closes at most the position);
//   worse-than-limit    no child of a parent with a never-worse price filled beyond it;
//   pov-max-rate        no child of a percent-of-volume parent with a max rate was sized above
//                       that share of everyone's volume since the parent's previous slice (since
//                       the start for the first slice of a process), but the last slice that
//                       completes the parent;
//   run-threw           the run itself did not throw (a broken invariant in the code).
// Shared by test/backtest/adversarial-properties.test.ts, test/backtest/adversarial-cases.test.ts (any scenario,
// every parent: runChecked) and bench/adversarial-sweep.ts.
import type { LogEntry } from '../../src/core/model/events.ts';
import type { ClientOrderId } from '../../src/core/model/ids.ts';
import { isTerminal } from '../../src/core/model/order-status.ts';
import { lotsToQty, makeInstrument, type Instrument } from '../../src/core/model/instrument.ts';
import type { prepareRun } from '../../src/host/backtest-world.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';
import type { ExchangeOrder } from '../../src/sim/venue/exchange-order.ts';
import type { Scenario } from '../../src/scenario/schema.ts';
import { caseYaml, type AdversarialCase } from './adversarial-case.ts';
import { CrashLog, runCrashable } from './crash-run.ts';

export const INVARIANTS = [
  'duplicate-order',
  'overfill',
  'fills-disagree',
  'position-disagrees',
  'discrepancy',
  'watch-never-ended',
  'left-open',
  'kill-switch',
  'worse-than-limit',
  'pov-max-rate',
  'run-threw',
] as const;
export type Invariant = (typeof INVARIANTS)[number];

export interface Violation {
  readonly invariant: Invariant;
  readonly detail: string;
  /** The distinct ways it broke, without ids, times or quantities ("fills-disagree: ours failed,
   *  venue filled", "discrepancy: transition_not_allowed: AckReport not allowed in status
   *  pending_new"): what tells one defect from another across cases. */
  readonly kinds: readonly string[];
}

export interface CaseResult {
  /** The scenario name the case ran under (part of the log, so of the digest). */
  readonly name: string;
  readonly violations: readonly Violation[];
  /** The run's log digest (null when the run threw): `execsim run` of the YAML prints the same. */
  readonly digest: string | null;
  /** Events in the final log by kind (FaultApplied by fault kind as `FaultApplied:<fault>`):
   *  shows what the case actually exercised. */
  readonly events: Readonly<Record<string, number>>;
}

/** At most this many examples per invariant in a violation's detail. */
const EXAMPLES = 5;

function listed(items: readonly string[]): string {
  const more = items.length > EXAMPLES ? `; and ${items.length - EXAMPLES} more` : '';
  return items.slice(0, EXAMPLES).join('; ') + more;
}

/** Runs the case to its end (as scenario `name`) and returns what it broke (nothing: every
 *  invariant held). */
export function runAdversarialCase(c: AdversarialCase, name?: string): CaseResult {
  const file = 'adversarial.yaml';
  return runChecked(parseScenario(caseYaml(c, name), file).scenario, file);
}

/** Runs any scenario to its end and checks the same invariants for every parent it has. */
export function runChecked(s: Scenario, file: string): CaseResult {
  const inst = makeInstrument(s.instrument);
  // The log as the final process sees it: rebuilt from the committed entries at every crash.
  const log = new CrashLog();
  // Every order the venue created (a reused client order id makes a second one), with its parent,
  // the venue's position then and what our orders on its side still had open.
  const created: Created[] = [];
  try {
    const { run } = runCrashable(s, file, {
      log,
      aroundSubmit: (req, send, exchange) => {
        const position = exchange.position;
        const openSameSide = created
          .filter(
            (c) => c.order.side === req.side && (c.order.status === 'new' || c.order.status === 'partially_filled'),
          )
          .reduce((sum, c) => sum + c.order.qty - c.order.filled, 0);
        const r = send();
        if (typeof r !== 'string') created.push({ order: r, parent: req.parentId, position, openSameSide });
        return r;
      },
    });
    const exchange = run.venue.exchange;
    run.audit();
    const tape = (from: number, to: number) => run.venue.window(inst.symbol, from, to).volume;
    const violations = check(inst, created, run.ledger, exchange.position, log.entries, tape);
    return { name: s.name, violations, digest: run.log.digest(), events: countKinds(log.entries) };
  } catch (err) {
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    const first = err instanceof Error ? err.message : String(err);
    return {
      name: s.name,
      violations: [{ invariant: 'run-threw', detail, kinds: [`run-threw: ${anonymous(first)}`] }],
      digest: null,
      events: countKinds(log.entries),
    };
  }
}

/** Text without client order ids and numbers, so the same defect reads the same in every case. */
function anonymous(text: string): string {
  return text.replace(/\bx[0-9a-f]{32}\b/g, '<id>').replace(/\d+(\.\d+)?/g, 'N');
}

const unique = (items: readonly string[]): string[] => [...new Set(items)].sort();

function countKinds(entries: readonly LogEntry[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { event: e } of entries) {
    const key = e.kind === 'FaultApplied' ? `FaultApplied:${e.fault}` : e.kind;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

type Ledger = ReturnType<typeof prepareRun>['ledger'];

interface Created {
  readonly order: ExchangeOrder;
  readonly parent: string;
  /** The venue's position, and what the venue's open orders on this order's side had left, when
   *  it took the order. */
  readonly position: number;
  readonly openSameSide: number;
}

function check(
  inst: Instrument,
  created: readonly Created[],
  ledger: Ledger,
  venuePosition: number,
  entries: readonly LogEntry[],
  tape: (from: number, to: number) => number,
): Violation[] {
  const out: Violation[] = [];
  const q = (lots: number) => lotsToQty(inst, lots);
  const slice = (id: ClientOrderId) => {
    const n = ledger.order(id)?.request.sliceNum;
    return n === undefined ? `${id} (not in our ledger)` : `slice ${n} (${id})`;
  };

  const venueFilled = new Map<ClientOrderId, number>();
  const count = new Map<ClientOrderId, number>();
  for (const { order } of created) {
    venueFilled.set(order.clientOrderId, (venueFilled.get(order.clientOrderId) ?? 0) + order.filled);
    count.set(order.clientOrderId, (count.get(order.clientOrderId) ?? 0) + 1);
  }

  const dups = [...count].filter(([, n]) => n > 1).map(([id, n]) => `${slice(id)} is ${n} orders at the venue`);
  if (dups.length > 0) out.push({ invariant: 'duplicate-order', detail: listed(dups), kinds: ['duplicate-order'] });

  for (const [parentId, parent] of ledger.parents) {
    const parentFilled = created.filter((o) => o.parent === parentId).reduce((sum, o) => sum + o.order.filled, 0);
    if (parentFilled > parent.spec.qty) {
      out.push({
        invariant: 'overfill',
        detail: `the venue filled ${q(parentFilled)} of parent ${parentId}'s ${q(parent.spec.qty)}`,
        kinds: ['overfill'],
      });
    }
  }

  const ids = new Set<ClientOrderId>([...venueFilled.keys(), ...ledger.orders.keys()]);
  const disagree: string[] = [];
  const disagreeKinds: string[] = [];
  for (const id of ids) {
    const ours = ledger.order(id);
    const oursQty = ours?.filledQty ?? 0;
    const venue = venueFilled.get(id) ?? 0;
    if (oursQty !== venue) {
      disagree.push(
        `${slice(id)}: ours ${q(oursQty)} (${ours?.status ?? 'unknown'}), venue ${q(venue)}${count.has(id) ? '' : ' (never at the venue)'}`,
      );
      const side = (lots: number) => (lots === 0 ? 'none' : 'some');
      disagreeKinds.push(
        `fills-disagree: ours ${side(oursQty)} (${ours?.status ?? 'not in our ledger'}), venue ${count.has(id) ? side(venue) : 'never had it'}${oursQty > venue && venue > 0 ? ' (ours more)' : ''}`,
      );
    }
  }
  if (disagree.length > 0)
    out.push({ invariant: 'fills-disagree', detail: listed(disagree), kinds: unique(disagreeKinds) });

  if (ledger.position !== venuePosition) {
    out.push({
      invariant: 'position-disagrees',
      detail: `our position ${q(ledger.position)}, the venue's ${q(venuePosition)}`,
      kinds: ['position-disagrees'],
    });
  }

  const recorded = entries.flatMap(({ seq, time, event: e }) =>
    e.kind === 'DiscrepancyRecorded' ? [{ seq, time, e }] : [],
  );
  if (recorded.length > 0) {
    out.push({
      invariant: 'discrepancy',
      detail: listed(
        recorded.map(
          ({ seq, time, e }) =>
            `#${seq} at ${time}: ${e.reason} ${e.clientOrderId === null ? '' : slice(e.clientOrderId)}: ${e.detail}`,
        ),
      ),
      kinds: unique(recorded.map(({ e }) => `discrepancy: ${e.reason}: ${anonymous(e.detail)}`)),
    });
  }

  const leftOpen = created.filter(({ order }) => {
    if (order.status !== 'new' && order.status !== 'partially_filled') return false;
    const ours = ledger.order(order.clientOrderId);
    return ours !== undefined && isTerminal(ours.status);
  });
  if (leftOpen.length > 0)
    out.push({
      invariant: 'left-open',
      detail: listed(
        leftOpen.map(
          ({ order }) =>
            `${slice(order.clientOrderId)} open at the venue (${order.status}), ours ${ledger.order(order.clientOrderId)?.status}`,
        ),
      ),
      kinds: unique(leftOpen.map(({ order }) => `left-open: ours ${ledger.order(order.clientOrderId)?.status}`)),
    });

  // The kill switch as it was when each order was last sent (by log order), against what the
  // venue held when it took the order.
  let state = 'active';
  const stateAtSend = new Map<string, string>();
  for (const { event: e } of entries) {
    if (e.kind === 'KillSwitchChanged') state = e.state;
    else if (e.kind === 'SubmitOrder') stateAtSend.set(e.clientOrderId, state);
  }
  const unsafe: string[] = [];
  for (const c of created) {
    const at = stateAtSend.get(c.order.clientOrderId);
    if (at === 'halted') unsafe.push(`${slice(c.order.clientOrderId)} taken by the venue, last sent while halted`);
    if (at !== 'reducing') continue;
    const reduces = (c.order.side === 'sell' && c.position > 0) || (c.order.side === 'buy' && c.position < 0);
    if (!reduces || c.openSameSide + c.order.qty > Math.abs(c.position))
      unsafe.push(
        `${slice(c.order.clientOrderId)}: ${c.order.side} ${q(c.order.qty)} sent while reducing, venue position ${q(c.position)} with ${q(c.openSameSide)} open on its side`,
      );
  }
  if (unsafe.length > 0) out.push({ invariant: 'kill-switch', detail: listed(unsafe), kinds: ['kill-switch'] });

  out.push(...worseThanLimit(created, entries, slice), ...povMaxRate(entries, tape, slice));

  const open = new Map<ClientOrderId, number>();
  for (const { seq, event: e } of entries) {
    if (e.kind === 'FillMonitorStarted') open.set(e.clientOrderId, seq);
    else if (e.kind === 'FillMonitorEnded') open.delete(e.clientOrderId);
  }
  if (open.size > 0) {
    const watches = [...open].map(([id, seq]) => ({
      id,
      seq,
      status: ledger.order(id)?.status ?? 'not in our ledger',
    }));
    out.push({
      invariant: 'watch-never-ended',
      detail: listed(watches.map((w) => `${slice(w.id)}, now ${w.status} (started #${w.seq})`)),
      kinds: unique(watches.map((w) => `watch-never-ended: order ${w.status}`)),
    });
  }
  return out;
}

/** Fills of a never-worse parent's children beyond its price (a buy's above, a sell's below). */
function worseThanLimit(
  created: readonly Created[],
  entries: readonly LogEntry[],
  slice: (id: ClientOrderId) => string,
): Violation[] {
  const worst = new Map<string, number>();
  for (const { event: e } of entries)
    if (e.kind === 'TwapPlanned' && e.stops?.worstPrice !== undefined) worst.set(e.parentId, e.stops.worstPrice);
  const beyond: string[] = [];
  for (const { order, parent } of created) {
    const w = worst.get(parent);
    if (w === undefined) continue;
    for (const t of order.trades)
      if (order.side === 'buy' ? t.price > w : t.price < w)
        beyond.push(`${slice(order.clientOrderId)} ${order.side} filled at ${t.price}, never-worse price ${w}`);
  }
  return beyond.length === 0
    ? []
    : [{ invariant: 'worse-than-limit', detail: listed(beyond), kinds: ['worse-than-limit'] }];
}

/**
 * A percent-of-volume parent's children against its max rate, from the log: each slice that ran
 * (skipped, amended, or first sent as planned) sized at most maxRate x everyone's volume since
 * the parent's previous slice in the same process. The sizer counts the market's volume with
 * ours left out, since its own previous slice (since the parent's start after a restart); the
 * tape here counts ours too, and from the previous slice in the durable log (a slice a restarted
 * process skips as missed while down is not one), or from the epoch after a restart: never less
 * than the sizer's, so a breach here is a breach there. The last slice of a parent that
 * completes sends all that remains and is left out, and so is a chaser's replacement (the rest of
 * a slice already sized, re-priced).
 */
function povMaxRate(
  entries: readonly LogEntry[],
  tape: (from: number, to: number) => number,
  slice: (id: ClientOrderId) => string,
): Violation[] {
  const capped = new Map<string, { maxRate: number; complete: boolean; previous: number; lastSlice: number }>();
  const child = new Map<ClientOrderId, { parent: string; sliceNum: number; qty: number }>();
  const ran = new Set<ClientOrderId>();
  /** Slices already sized, by parent#sliceNum: a chaser's replacement sends what is left of its
   *  slice (never more than the slice it re-prices), so it is not a slice of its own. */
  const slicesSized = new Set<string>();
  const recoverySkipped = new Set<string>();
  const over: string[] = [];
  const sized = (parent: string, sliceNum: number, qty: number, time: number, what: string) => {
    const p = capped.get(parent);
    if (p === undefined) return;
    const volume = tape(p.previous, time);
    p.previous = time;
    if (p.complete && sliceNum === p.lastSlice) return;
    if (qty > Math.floor(p.maxRate * volume + 1e-9))
      over.push(`${what} sized ${qty} lots, max rate ${p.maxRate} of ${volume} lots traded since the previous slice`);
  };
  for (const { time, event: e } of entries) {
    if (e.kind === 'TwapPlanned' && e.trajectory?.kind === 'pov' && e.trajectory.maxRate !== null)
      capped.set(e.parentId, {
        maxRate: e.trajectory.maxRate,
        complete: e.trajectory.end === 'complete',
        previous: 0,
        lastSlice: 0,
      });
    else if (e.kind === 'OrderCreated' && e.parentId !== null) {
      child.set(e.clientOrderId, { parent: e.parentId, sliceNum: e.sliceNum ?? 0, qty: e.qty });
      const p = capped.get(e.parentId);
      if (p !== undefined) p.lastSlice = Math.max(p.lastSlice, e.sliceNum ?? 0);
    } else if (e.kind === 'ProcessRestarted') for (const p of capped.values()) p.previous = 0;
    else if (e.kind === 'SliceRecovered' && e.action === 'skipped') recoverySkipped.add(`${e.parentId}#${e.sliceNum}`);
    else if (e.kind === 'SliceSkipped') {
      // A slice a restarted process skips as missed while down never reached the sizer.
      const p = capped.get(e.parentId);
      if (p !== undefined && !recoverySkipped.delete(`${e.parentId}#${e.sliceNum}`)) p.previous = time;
    } else if (e.kind === 'ChildAmended' || e.kind === 'SubmitOrder') {
      const c = child.get(e.clientOrderId);
      if (c === undefined || ran.has(e.clientOrderId)) continue;
      ran.add(e.clientOrderId);
      const key = `${c.parent}#${c.sliceNum}`;
      if (slicesSized.has(key)) continue;
      slicesSized.add(key);
      sized(c.parent, c.sliceNum, e.kind === 'ChildAmended' ? e.qty : c.qty, time, slice(e.clientOrderId));
    }
  }
  return over.length === 0 ? [] : [{ invariant: 'pov-max-rate', detail: listed(over), kinds: ['pov-max-rate'] }];
}

/** What broke, as YAML comment lines (and the digest that `execsim run` of the case reproduces). */
export function describeViolations(r: CaseResult): string {
  const lines = r.violations.map((v) => `# ${v.invariant}: ${v.detail.split('\n').join('\n#   ')}`);
  if (r.digest) lines.push(`# digest ${r.digest} (execsim run of this file prints the same)`);
  return lines.join('\n');
}

/** A failing case as a scenario file (named as it ran) that says what broke in its header
 *  comments. */
export function describeFailure(c: AdversarialCase, r: CaseResult, header: readonly string[] = []): string {
  return `${[...header.map((h) => `# ${h}`), describeViolations(r)].join('\n')}\n${caseYaml(c, r.name)}`;
}
