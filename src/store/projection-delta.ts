// What a grouped run's whole commit units change in its order, fill and orphan projections, read
// from the order ledger of the process that runs it instead of folded a second time from the log
// on the writer thread (docs/0021-group-commit.md). The process's ledger has folded exactly the
// log (it applies each entry right after the log hands it to the sinks: harness.ts), so its state
// at a unit's end is what a fold of the stored prefix gives (verify-run.ts checks the stored rows
// against such a fold). take() lists what the units since the last take changed, as facts
// (projection-facts.ts: the writer thread formats them into rows); an order changed in several
// units is listed once, with its state at the last of them.
import type { ClientOrderId, ParentOrderId } from '../core/model/ids.ts';
import type { LogEntry } from '../core/model/events.ts';
import type { Instrument } from '../core/model/instrument.ts';
import type { OrderState } from '../core/order/apply-event.ts';
import type { OrderLedger, ParentState } from '../core/order/order-ledger.ts';
import {
  childFacts,
  fillFacts,
  parentFacts,
  type ChildFacts,
  type FillFacts,
  type ParentFacts,
} from './projection-facts.ts';
import { orphanRow, resolutionRow } from './projection-rows.ts';

/** An orphan detected (INSERT_ORPHAN's values) or resolved (RESOLVE_ORPHAN's), in log order. */
export interface OrphanChange {
  readonly resolved: boolean;
  readonly values: readonly unknown[];
}

/** What whole units change in the projections (plain data: it travels to a writer thread). */
export interface ProjectionChanges {
  readonly children: readonly ChildFacts[];
  readonly parents: readonly ParentFacts[];
  /** In log order. */
  readonly fills: readonly FillFacts[];
  readonly orphans: readonly OrphanChange[];
  /** The seq of the last entry of the units (0: none yet). */
  readonly lastSeq: number;
}

export class ProjectionDelta {
  private ledger: OrderLedger | null = null;
  /** The last entry written: its trades are read once the ledger has applied it. */
  private pending: LogEntry | null = null;
  private lastWritten = 0;
  /** The open unit's fills, orphans and the parents its events name. */
  private fills: FillFacts[] = [];
  private orphans: OrphanChange[] = [];
  private readonly named = new Set<ParentOrderId>();
  /** What whole units changed since the last take. */
  private wholeFills: FillFacts[] = [];
  private wholeOrphans: OrphanChange[] = [];
  private readonly children = new Map<ClientOrderId, OrderState>();
  private readonly parents = new Map<ParentOrderId, { parent: ParentState; completed: ParentState['completed'] }>();
  private lastWhole = 0;
  /** Parents handed over before (later facts leave their spec out). */
  private readonly sentParents = new Set<ParentOrderId>();

  constructor(
    private readonly runId: string,
    private readonly instrument: Instrument,
  ) {}

  /** The ledger of the process that runs the run, which has applied every entry written here so
   *  far and applies each next one right after it is written. */
  follow(ledger: OrderLedger): void {
    if (this.ledger !== null) throw new Error('store: a run written from a thread has one process, not a restart');
    if (ledger.appliedSeq !== this.lastWritten)
      throw new Error(
        `store: a ledger at entry ${ledger.appliedSeq} cannot be followed from entry ${this.lastWritten}`,
      );
    this.ledger = ledger;
  }

  /** An entry of the log (not a market sample) was written. */
  write(entry: LogEntry): void {
    if (this.pending !== null) this.settle(true);
    this.pending = entry;
    this.lastWritten = entry.seq;
    const e = entry.event;
    if (e.kind === 'OrphanDetected')
      this.orphans.push({ resolved: false, values: orphanRow(this.runId, this.instrument, e, entry.time) });
    else if (e.kind === 'OrphanResolved')
      this.orphans.push({ resolved: true, values: resolutionRow(this.runId, e, entry.time) });
    else if (e.kind === 'ParentOrderCreated' || e.kind === 'ParentOrderCompleted') this.named.add(e.parentId);
  }

  /** The last entry's trades, once the ledger applied it. `strict`: a ledger that has not is an
   *  error; otherwise (a run that failed in applying it) the entry has no fill rows. */
  private settle(strict: boolean): void {
    const entry = this.pending;
    if (entry === null) return;
    const ledger = this.ledger;
    if (ledger === null || ledger.appliedSeq !== entry.seq) {
      if (!strict) return;
      throw new Error(
        ledger === null
          ? 'store: a run written from a thread follows its process ledger, and none was given'
          : `store: the run's ledger has not applied entry ${entry.seq} (at ${ledger.appliedSeq})`,
      );
    }
    this.pending = null;
    const trades = ledger.appliedTrades;
    for (let t = 0; t < trades.length; t++) this.fills.push(fillFacts(trades[t] as (typeof trades)[number], entry.seq));
  }

  /** The entries written so far are whole units: their changes are noted as they stand now (the
   *  orders changed in them with their state then: order states are replaced, never changed in
   *  place; each parent their events name with its completion then), so that entries after the
   *  last unit (a tail that an interrupted run does not store) never leak into what the units
   *  before hand over. `strict` as settle's (false only for a run that failed). */
  unitEnd(strict = true): void {
    this.settle(strict);
    const ledger = this.ledger;
    if (ledger === null) return;
    if (this.fills.length > 0) {
      for (const f of this.fills) this.wholeFills.push(f);
      this.fills = [];
    }
    if (this.orphans.length > 0) {
      for (const o of this.orphans) this.wholeOrphans.push(o);
      this.orphans = [];
    }
    for (const id of ledger.takeChanged()) {
      const order = ledger.orders.get(id);
      if (order) this.children.set(id, order);
    }
    if (this.named.size > 0) {
      for (const id of this.named) {
        const parent = ledger.parents.get(id);
        if (parent) this.parents.set(id, { parent, completed: parent.completed });
      }
      this.named.clear();
    }
    this.lastWhole = this.lastWritten;
  }

  /** What whole units changed since the last take. */
  take(): ProjectionChanges {
    const parents: ParentFacts[] = [];
    for (const [id, { parent, completed }] of this.parents) {
      const first = !this.sentParents.has(id);
      if (first) this.sentParents.add(id);
      parents.push(parentFacts(id, { ...parent, completed }, first));
    }
    const children: ChildFacts[] = [];
    for (const order of this.children.values()) children.push(childFacts(order));
    const changes: ProjectionChanges = {
      children,
      parents,
      fills: this.wholeFills,
      orphans: this.wholeOrphans,
      lastSeq: this.lastWhole,
    };
    this.children.clear();
    this.parents.clear();
    this.wholeFills = [];
    this.wholeOrphans = [];
    return changes;
  }
}
