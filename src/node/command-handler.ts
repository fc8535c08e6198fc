// What each command does to a node, and its answer read from the events it logged: a parent
// accepted is in the ledger; a refusal is the ParentRejected, SignalRejected or
// OrphanResolutionRefused event it logged, with that event's stage and code (a signal accepted
// whose parent was rejected in the same unit made nothing: refused too); a reduce-only order
// or signal still waiting for the venue's position is pending (decided by a later unit).
import type { ExecutionEngine } from '../core/engine/execution-engine.ts';
import type { OrderManager } from '../core/engine/order-manager.ts';
import type { ExecEvent } from '../core/model/events.ts';
import type { OrderLedger } from '../core/order/order-ledger.ts';
import type { Reconciler } from '../core/recon/reconciler.ts';
import { signalParentRejected, type CommandResult, type NodeCommand } from './node-commands.ts';

/** What a command acts on: a trading node's components and its startup gate (the node's own,
 *  never handed out). */
export class CommandTarget {
  /** Why new orders must wait (the startup gate), or null when it is open. */
  gate: string | null = null;

  constructor(
    readonly engine: ExecutionEngine,
    readonly manager: OrderManager,
    readonly recon: Reconciler,
  ) {}
}

const accepted = (...ids: string[]): CommandResult => ({ outcome: 'accepted', ids });
const refused = (check: string, code: string, reason: string): CommandResult => ({
  outcome: 'refused',
  check,
  code,
  reason,
});

export function handleCommand(
  node: CommandTarget,
  ledger: OrderLedger,
  c: NodeCommand,
  noted: readonly ExecEvent[],
): CommandResult {
  const { engine } = node;
  switch (c.kind) {
    case 'SubmitParent': {
      node.manager.onOrder(c.request, c.confirmations, c.confirmedBy, c.checkGuards === true);
      // Its own refusal: a unit may decide other waiting reduce-only orders too.
      const rejected = noted.find((e) => e.kind === 'ParentRejected' && e.parentId === c.request.parentId);
      if (rejected?.kind === 'ParentRejected')
        return refused(rejected.stage ?? 'plan', rejected.code ?? 'plan', rejected.reason);
      if (node.manager.isWaiting(c.request.parentId))
        return { outcome: 'pending', reason: 'reduce-only: waiting for the venue’s position and open orders' };
      return accepted(c.request.parentId, ...ledger.childrenOf(c.request.parentId).map((o) => o.request.clientOrderId));
    }
    case 'EmitSignal': {
      node.manager.onSignal(c.signal);
      // Its own decision, the last for its id: the unit may decide signals that waited before it.
      for (let i = noted.length - 1; i >= 0; i--) {
        const e = noted[i] as ExecEvent;
        if (e.kind === 'SignalRejected' && e.signalId === c.signal.signalId) return refused(e.stage, e.code, e.reason);
        if (e.kind === 'SignalAccepted' && e.signalId === c.signal.signalId) {
          const pid = e.parentId;
          const rejected = noted.find((r) => r.kind === 'ParentRejected' && r.parentId === pid);
          return rejected?.kind === 'ParentRejected' ? signalParentRejected(pid, rejected) : accepted(pid);
        }
      }
      return { outcome: 'pending', reason: 'reduce-only: waiting for the venue’s position and open orders' };
    }
    case 'CancelParent': {
      if (!ledger.parents.has(c.parentId)) {
        const reason = `no parent ${c.parentId}`;
        // A strategy's cancel has no caller to answer: its refusal is logged, as a signal's is.
        if (c.strategy !== undefined)
          engine.record({ kind: 'StrategyOutputRefused', name: c.strategy, ref: c.parentId, output: 'cancel', reason });
        return refused('parent', 'unknown-parent', reason);
      }
      engine.cancelParent(c.parentId, c.reason);
      return accepted(c.parentId);
    }
    case 'CancelOpenParents': {
      const open: string[] = [];
      for (const [pid, p] of ledger.parents)
        if (p.completed === null) {
          open.push(pid);
          engine.cancelParent(pid, c.reason);
        }
      return accepted(...open);
    }
    case 'CancelOrder': {
      const order = ledger.order(c.clientOrderId);
      if (!order) return refused('order', 'unknown-order', `no order ${c.clientOrderId}`);
      const parentId = order.request.parentId;
      const parent = ledger.parents.get(parentId);
      if (!parent)
        return refused('order', 'no-parent', `${c.clientOrderId} belongs to no parent of ours (an orphan is resolved)`);
      if (parent.spec.route !== 'single')
        return refused(
          'order',
          'slice-of-parent',
          `${c.clientOrderId} is a slice of parent ${parentId}: cancel the parent (its remaining slices) instead`,
        );
      engine.cancelParent(parentId, c.reason);
      return accepted(parentId, c.clientOrderId);
    }
    case 'SetKillSwitch':
      engine.killSwitch.set(c.state, c.actor, c.reason);
      return accepted();
    case 'TripBreaker':
      engine.breaker.trip(c.reason, c.actor);
      return accepted();
    case 'ResetBreaker':
      engine.breaker.reset(c.actor, c.reason);
      return accepted();
    case 'Reconcile': {
      if (node.recon.running) return refused('reconciliation', 'running', 'a reconciliation pass is running already');
      if (c.periodic === true) node.recon.run('periodic');
      else node.recon.run('operator', null, false, { actor: c.actor, reason: c.reason });
      return accepted();
    }
    case 'RecordDailyVolumes':
      for (const e of c.readings) engine.recordLiquidity(e);
      return accepted();
    case 'ForceReady': {
      if (node.gate === null) return refused('gate', 'already-ready', 'the startup gate is open already');
      node.gate = null;
      engine.record({ kind: 'StartupGateChanged', state: 'ready', actor: c.actor, reason: `forced: ${c.reason}` });
      return accepted();
    }
    case 'ResolveOrphan': {
      // Refused when not detected (yet) or resolved already, the refusal audited either way.
      const known = node.recon.orphans.list().some((o) => o.info.clientOrderId === c.clientOrderId);
      node.recon.resolveOrphan(c.clientOrderId, c.resolution, c.actor, c.reason);
      const no = noted.find((e) => e.kind === 'OrphanResolutionRefused');
      if (no?.kind === 'OrphanResolutionRefused')
        return refused('orphan', known ? 'refused' : 'unknown-orphan', no.refusal);
      return accepted(c.clientOrderId);
    }
  }
}
