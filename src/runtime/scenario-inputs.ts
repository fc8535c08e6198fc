// A scenario's inputs (its orders, signals, scheduled cancels and operator actions) as one list,
// in the order they are scheduled: due time from the run's start, then this order (orders,
// signals, cancels, actions), so a cancel at the same instant follows its submit. A backtest's
// harness and a paper run deliver the same list to whatever process runs at the time.
import { clientOrderId, parentOrderId } from '../core/model/ids.ts';
import type { Instrument } from '../core/model/instrument.ts';
import type { ExecutionEngine } from '../core/engine/execution-engine.ts';
import type { OrderManager } from '../core/engine/order-manager.ts';
import type { OrderLedger } from '../core/order/order-ledger.ts';
import type { Reconciler } from '../core/recon/reconciler.ts';
import { toParentRequests } from '../scenario/scenario-requests.ts';
import type { ScenarioFile } from '../scenario/schema.ts';
import { parseDurationMs } from '../core/model/time-fields.ts';
import { toSignalRequest } from './safety-wiring.ts';

/** What an input acts on: the process running when it is due. */
export interface InputTarget {
  readonly engine: ExecutionEngine;
  readonly manager: OrderManager;
  readonly ledger: OrderLedger;
  readonly recon: Reconciler;
  /** The startup gate's reason (null: open); force_ready opens it. */
  gate: string | null;
}

export interface ScenarioInput {
  /** For people: 'order buy-1', 'signal s-3', 'cancel buy-1', 'action kill_switch'. */
  readonly label: string;
  /** Due, ms after the run's start. */
  readonly atMs: number;
  /** The parent it creates, when it is an order (a paper run resumed after it skips it). */
  readonly parentId: string | null;
  run(p: InputTarget): void;
}

export function scenarioInputs(s: ScenarioFile, instrument: Instrument): ScenarioInput[] {
  const inputs: ScenarioInput[] = [];
  for (const { id, at, req, confirm, confirmedBy } of toParentRequests(s, instrument)) {
    inputs.push({
      label: `order ${id}`,
      atMs: at,
      parentId: req.parentId,
      run: (p) => p.manager.onOrder(req, confirm, confirmedBy),
    });
  }
  for (const sig of s.signals) {
    inputs.push({
      label: `signal ${sig.id}`,
      atMs: parseDurationMs(sig.at),
      parentId: null,
      run: (p) => p.manager.onSignal(toSignalRequest(sig, instrument)),
    });
  }
  for (const o of s.orders) {
    if (o.cancelAt === undefined) continue;
    // An order the pre-trade checks refused has nothing to cancel.
    const id = parentOrderId(o.id);
    inputs.push({
      label: `cancel ${o.id}`,
      atMs: parseDurationMs(o.cancelAt),
      parentId: null,
      run: (p) => {
        if (p.ledger.parents.has(id)) p.engine.cancelParent(id, 'scenario cancelAt');
      },
    });
  }
  for (const a of s.actions) {
    inputs.push({
      label: `action ${a.kind}`,
      atMs: parseDurationMs(a.at),
      parentId: null,
      run: (p) => {
        const { engine } = p;
        if (a.kind === 'kill_switch') engine.killSwitch.set(a.state, a.actor, a.reason);
        else if (a.kind === 'circuit_breaker') {
          if (a.state === 'tripped') engine.breaker.trip(a.reason);
          else engine.breaker.reset(a.actor, a.reason);
        } else if (a.kind === 'force_ready') {
          if (p.gate === null) return;
          p.gate = null;
          engine.record({ kind: 'StartupGateChanged', state: 'ready', actor: a.actor, reason: `forced: ${a.reason}` });
        } else if (a.kind === 'resolve_orphan')
          p.recon.resolveOrphan(clientOrderId(a.clientOrderId), a.resolution, a.actor, a.reason);
        else if (p.ledger.parents.has(parentOrderId(a.parent))) engine.cancelParent(parentOrderId(a.parent), a.reason);
      },
    });
  }
  return inputs;
}
