// A scenario's inputs (its orders, signals, scheduled cancels and operator actions, strategy swaps
// aside: those go to the run's strategy) as node commands, in the order they are scheduled: due
// time from the run's start, then this order (orders, signals, cancels, actions), so a cancel at
// the same instant follows its submit. A backtest and a paper run deliver the same list to
// whatever node runs at the time.
import { clientOrderId, parentOrderId } from '../core/model/ids.ts';
import { priceToTicks, qtyToLots, type Instrument } from '../core/model/instrument.ts';
import type { SignalRequest } from '../core/engine/order-manager.ts';
import { parseDurationMs } from '../core/model/time-fields.ts';
import type { NodeCommand } from '../node/node-commands.ts';
import { instrumentFor, toParentRequests } from './scenario-requests.ts';
import type { ScenarioFile } from './scenario-fields.ts';
import { toAlgoRequest, toTrajectory, type DeclaredAlgorithms } from './scenario-requests.ts';
import { toPlacement } from './placement-schema.ts';

export interface ScenarioInput {
  /** For people: 'order buy-1', 'signal s-3', 'cancel buy-1', 'action kill_switch'. */
  readonly label: string;
  /** Due, ms after the run's start. */
  readonly atMs: number;
  /** The parent it creates, when it is an order (a paper run resumed after it skips it). */
  readonly parentId: string | null;
  readonly command: NodeCommand;
}

export function scenarioInputs(s: ScenarioFile, instrument: Instrument): ScenarioInput[] {
  const inputs: ScenarioInput[] = [];
  for (const { id, at, req, confirm, confirmedBy } of toParentRequests(s, instrument)) {
    inputs.push({
      label: `order ${id}`,
      atMs: at,
      parentId: req.parentId,
      command: { kind: 'SubmitParent', request: req, confirmations: confirm, confirmedBy },
    });
  }
  for (const sig of s.signals) {
    inputs.push({
      label: `signal ${sig.id}`,
      atMs: parseDurationMs(sig.at),
      parentId: null,
      command: {
        kind: 'EmitSignal',
        signal: toSignalRequest(
          sig,
          instrumentFor(s, instrument, sig.symbol),
          parseDurationMs(s.routing.defaultTwap.duration),
          s.algorithms,
        ),
      },
    });
  }
  for (const o of s.orders) {
    if (o.cancelAt === undefined) continue;
    // An order the pre-trade checks refused has nothing to cancel: the node refuses the cancel.
    inputs.push({
      label: `cancel ${o.id}`,
      atMs: parseDurationMs(o.cancelAt),
      parentId: null,
      command: { kind: 'CancelParent', parentId: parentOrderId(o.id), reason: 'scenario cancelAt' },
    });
  }
  for (const a of s.actions) {
    // A strategy swap is the strategy's, not the node's (the run hands it to its strategy slot).
    if (a.kind === 'swap_strategy') continue;
    inputs.push({ label: `action ${a.kind}`, atMs: parseDurationMs(a.at), parentId: null, command: actionCommand(a) });
  }
  return inputs;
}

type NodeAction = Exclude<ScenarioFile['actions'][number], { kind: 'swap_strategy' }>;

function actionCommand(a: NodeAction): NodeCommand {
  switch (a.kind) {
    case 'kill_switch':
      return { kind: 'SetKillSwitch', state: a.state, actor: a.actor, reason: a.reason };
    case 'circuit_breaker':
      return a.state === 'tripped'
        ? { kind: 'TripBreaker', actor: a.actor, reason: a.reason }
        : { kind: 'ResetBreaker', actor: a.actor, reason: a.reason };
    case 'force_ready':
      return { kind: 'ForceReady', actor: a.actor, reason: a.reason };
    case 'resolve_orphan':
      return {
        kind: 'ResolveOrphan',
        clientOrderId: clientOrderId(a.clientOrderId),
        resolution: a.resolution,
        actor: a.actor,
        reason: a.reason,
      };
    default:
      return { kind: 'CancelParent', parentId: parentOrderId(a.parent), reason: a.reason };
  }
}

/** A scenario's signal as the node takes it; an algorithm deciding as it runs (iceberg, a
 *  user's module) runs over `horizonMs` (routing.defaultTwap's duration). */
export function toSignalRequest(
  sig: ScenarioFile['signals'][number],
  instrument: Instrument,
  horizonMs: number,
  declared?: DeclaredAlgorithms,
): SignalRequest {
  const trajectory = toTrajectory(sig.algo, instrument);
  const algo = toAlgoRequest(sig.algo, instrument, horizonMs, declared);
  const placement = toPlacement(sig.placement, instrument);
  return {
    signalId: sig.id,
    ...(sig.symbol === undefined ? {} : { symbol: instrument.symbol }),
    side: sig.side,
    qty: qtyToLots(instrument, sig.qty),
    price: sig.price === undefined ? null : priceToTicks(instrument, sig.price),
    route: sig.route,
    ...(trajectory === undefined ? {} : { trajectory }),
    ...(algo === undefined ? {} : { algo }),
    ...(placement === undefined ? {} : { placement }),
    reduceOnly: sig.reduceOnly,
    confirmations: sig.confirm,
    confirmedBy: sig.confirmedBy ?? null,
  };
}
