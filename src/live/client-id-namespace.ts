// Our client order ids as a venue knows them. A paper run puts a namespace before each id on the
// wire (`<namespace>-<id>`) and takes it off everything that comes back: a venue that keeps a
// client id unique forever would refuse the same scenario run twice on one day, whose ids are
// derived from the scenario. Ids at the venue without it are not this run's (reconciliation sees
// such orders as orphans). Every request and answer of an adapter passes through it, and none of
// them should know how the namespace is spelled.
import type { ClientOrderId } from '../core/model/ids.ts';

export class ClientIdNamespace {
  constructor(readonly namespace: string | undefined) {}

  /** Our client id as the venue knows it. */
  wire(cid: ClientOrderId): string {
    const ns = this.namespace;
    return ns === undefined ? cid : `${ns}-${cid}`;
  }

  /** A client id from the venue as we know it: the namespace taken off, or null when the id is
   *  not in the namespace (not ours: left as the venue spelled it). */
  local(wire: string): string | null {
    const ns = this.namespace;
    if (ns === undefined) return wire;
    return wire.startsWith(`${ns}-`) ? wire.slice(ns.length + 1) : null;
  }
}
