// Our client order ids as Alpaca knows them. A paper run puts a namespace before each id on the
// wire (`<namespace>-<id>`, AlpacaAdapterOptions.clientIdNamespace) and takes it off everything
// that comes back. Separate because every request and every answer passes through it (submit,
// cancel, the queries, the stream), and none of them should know how the namespace is spelled.
import type { ClientOrderId } from '../../core/model/ids.ts';

export class AlpacaClientIds {
  constructor(private readonly namespace: string | undefined) {}

  /** Our client id as the venue knows it. */
  wire(cid: ClientOrderId): string {
    const ns = this.namespace;
    return ns === undefined ? cid : `${ns}-${cid}`;
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
    const ns = this.namespace;
    if (ns === undefined) return raw;
    const wire = raw['client_order_id'] ?? raw['clientOrderId'];
    if (typeof wire !== 'string' || !wire.startsWith(`${ns}-`)) return raw;
    const id = wire.slice(ns.length + 1);
    return { ...raw, client_order_id: id, clientOrderId: id };
  }
}
