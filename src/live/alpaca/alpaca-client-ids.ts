// Our client order ids in Alpaca's order objects: the run's namespace (../client-id-namespace.ts)
// taken off the `client_order_id` (or the SDK's `clientOrderId`) of every order that comes back.
import type { ClientOrderId } from '../../core/model/ids.ts';
import { ClientIdNamespace } from '../client-id-namespace.ts';

export class AlpacaClientIds {
  private readonly ns: ClientIdNamespace;

  constructor(namespace: string | undefined) {
    this.ns = new ClientIdNamespace(namespace);
  }

  /** Our client id as the venue knows it. */
  wire(cid: ClientOrderId): string {
    return this.ns.wire(cid);
  }

  /**
   * An order from the SDK with its client id as we know it (the namespace taken off). A 2xx body
   * that is not an object (the SDK passes `null` through) reads as an order without fields, which
   * every caller already answers as unreadable; reading a field of `null` would throw out of a
   * promise callback and leave the command or query without its answer.
   */
  local(order: unknown): Record<string, unknown> {
    if (typeof order !== 'object' || order === null) return {};
    const raw = order as Record<string, unknown>;
    if (this.ns.namespace === undefined) return raw;
    const wire = raw['client_order_id'] ?? raw['clientOrderId'];
    const id = typeof wire === 'string' ? this.ns.local(wire) : null;
    return id === null ? raw : { ...raw, client_order_id: id, clientOrderId: id };
  }
}
