// Restart, startup and reconciliation as events. A restart is logged by the process
// that starts (what the crash lost is counted there: nothing else survives a crash); startup
// gating, each reconciliation pass and its findings, orphans and the recovery of every pending
// slice are events, so the run report's metrics are a fold of the log.
import type { ClientOrderId, ParentOrderId } from './ids.ts';
import type { Side } from './order.ts';
import type { AccountReport } from './reports.ts';

/** Why a pass ran: a process start, the period, or the execution stream back after it dropped
 *  (what it carried meanwhile is lost to us). */
/** Why a pass runs: the startup, its period, a reconnect of the execution stream, or an operator. */
export type ReconMode = 'startup' | 'periodic' | 'reconnect' | 'operator';

export interface ProcessRestarted {
  readonly kind: 'ProcessRestarted';
  /** When the previous process died, epoch ms. */
  readonly crashedAt: number;
  readonly downtimeMs: number;
  /** Entries the dead process appended after its last commit (lost). */
  readonly lostEntries: number;
  /** Orders, signals and actions that arrived while no process was running (refused). */
  readonly refusedInputs: readonly string[];
}
export interface StartupGateChanged {
  readonly kind: 'StartupGateChanged';
  readonly state: 'gated' | 'ready' | 'timed_out';
  readonly actor: string;
  readonly reason: string;
}
export interface ReconciliationStarted {
  readonly kind: 'ReconciliationStarted';
  readonly mode: ReconMode;
  /** Orders updated (or submitted, on a venue that lists by submission) since this time are
   *  asked for: the high-water mark minus the overlap, or before any completed pass our first
   *  order's creation minus the overlap (null in older logs). */
  readonly since: number | null;
  /** Who asked for an operator's pass, and why. */
  readonly actor?: string;
  readonly reason?: string;
}
export type MismatchKind = 'status' | 'missed_fill' | 'unknown_at_venue' | 'position' | 'orphan';
export interface ReconciliationMismatch {
  readonly kind: 'ReconciliationMismatch';
  readonly mismatch: MismatchKind;
  readonly clientOrderId: ClientOrderId | null;
  readonly detail: string;
}
/**
 * Reconciliation found a venue state of one of our orders that the one update path refused (a
 * forbidden transition, an overfill, a finished order the venue shows otherwise): recorded once
 * per venue state, with what we hold, so later passes that read the same state do not count it
 * again. An operator (or a later venue state) resolves it.
 */
export interface ReconciliationUnresolved {
  readonly kind: 'ReconciliationUnresolved';
  readonly clientOrderId: ClientOrderId;
  readonly venueStatus: string;
  readonly venueFilledQty: number;
  readonly status: string;
  readonly filledQty: number;
}
export interface ReconciliationCompleted {
  readonly kind: 'ReconciliationCompleted';
  readonly mode: ReconMode;
  /** The new high-water mark (venue time up to which orders are known), epoch ms. */
  readonly highWaterMark: number;
  readonly mismatches: number;
}
export interface OrphanDetected {
  readonly kind: 'OrphanDetected';
  readonly clientOrderId: ClientOrderId;
  readonly venueOrderId: string;
  readonly side: Side | null;
  /** Lots: the order's size, and what is open at the venue (exposure we do not own). */
  readonly qty: number;
  readonly openQty: number;
  /** Ticks, or null (no limit, or the venue did not say). */
  readonly limitPrice: number | null;
  readonly filledQty: number;
  readonly status: string;
  /** The order's symbol, when the venue stated it (a node trading several symbols). */
  readonly symbol?: string;
}
export interface OrphanResolved {
  readonly kind: 'OrphanResolved';
  readonly clientOrderId: ClientOrderId;
  readonly resolution: 'adopted' | 'canceled' | 'closed_at_venue';
  readonly actor: string;
  readonly reason: string;
}
/** An operator's resolution that could not be applied (no such unresolved orphan, or an
 *  adoption without the side the venue must state); nothing changed. */
export interface OrphanResolutionRefused {
  readonly kind: 'OrphanResolutionRefused';
  readonly clientOrderId: ClientOrderId;
  readonly resolution: 'adopt' | 'cancel';
  /** Who asked, and their reason. */
  readonly actor: string;
  readonly reason: string;
  /** Why it was not applied. */
  readonly refusal: string;
}
export interface SliceRecovered {
  readonly kind: 'SliceRecovered';
  readonly parentId: ParentOrderId;
  readonly clientOrderId: ClientOrderId;
  readonly sliceNum: number;
  readonly action: 'run_now' | 'rescheduled' | 'skipped' | 'canceled' | 'blocked' | 'failed';
  /** When it will run (run_now: now; rescheduled: its time or the next open), else null. */
  readonly at: number | null;
  readonly reason: string;
}
/**
 * What the account held before the run did anything: the venue's position and balances for the
 * symbol, read by the first process's startup reconciliation before any order was sent. Folded
 * by the ledger (OrderLedger.baseline): the venue's position is expected to be this plus our
 * fills, so a position the account already had is not "corrected". Recorded once per run, and
 * only when something is held (a flat account with no balances has no baseline); a restarted
 * process reads it from the log and never takes another, or a fill missed before the crash would
 * vanish into a new baseline. Lots and notional units, as AccountReport.
 */
export interface AccountBaseline {
  readonly kind: 'AccountBaseline';
  readonly symbol: string;
  /** Signed lots held before the run, less the fills of orphans the pass found (the orphan book
   *  counts those). */
  readonly position: number;
  readonly quote: number;
  /** Free and locked, when the venue gave them. */
  readonly balances: AccountReport['balances'] | null;
}
export interface PositionCorrected {
  readonly kind: 'PositionCorrected';
  /** Lots: ours before, the venue's, and the adjustment now applied on top of our fills. */
  readonly ours: number;
  readonly venue: number;
  readonly adjustment: number;
  /** The symbol, when the node trades several (absent: the run's symbol). */
  readonly symbol?: string;
}

export type ReconEvent =
  | ProcessRestarted
  | StartupGateChanged
  | ReconciliationStarted
  | ReconciliationMismatch
  | ReconciliationUnresolved
  | ReconciliationCompleted
  | OrphanDetected
  | OrphanResolved
  | OrphanResolutionRefused
  | SliceRecovered
  | AccountBaseline
  | PositionCorrected;
