// A node's state as an operator or a readiness probe asks for it: the startup gate, the venue's
// connections as last reported, reconciliation, the kill switch and breaker, and the parents
// still working.
import type { OrderLedger } from '../core/order/order-ledger.ts';
import type { CommandTarget } from './command-handler.ts';

export interface NodeStatus {
  /** 'ready', or why new orders must wait. */
  readonly gate: 'ready' | { readonly waiting: string };
  /** The venue's streams by name and their last reported state ('connected', 'disconnected'). */
  readonly connections: Readonly<Record<string, string>>;
  readonly reconciling: boolean;
  readonly killSwitch: string;
  readonly breaker: { readonly tripped: boolean; readonly reason: string | null };
  readonly openParents: readonly string[];
  readonly openOrders: number;
  readonly stopped: boolean;
}

export function nodeStatus(
  node: Pick<CommandTarget, 'engine' | 'recon' | 'gate'>,
  ledger: OrderLedger,
  connections: ReadonlyMap<string, string>,
  stopped: boolean,
): NodeStatus {
  const trip = node.engine.breaker.state;
  const openParents: string[] = [];
  for (const [id, p] of ledger.parents) if (p.completed === null) openParents.push(id);
  return {
    gate: node.gate === null ? 'ready' : { waiting: node.gate },
    connections: Object.fromEntries(connections),
    reconciling: node.recon.running,
    killSwitch: node.engine.killSwitch.state,
    breaker: { tripped: trip !== null, reason: trip?.reason ?? null },
    openParents,
    openOrders: ledger.openCount,
    stopped,
  };
}
