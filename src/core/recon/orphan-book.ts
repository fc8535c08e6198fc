// Orders at the venue that no process of ours created (orphan orders): kept here, never in the
// ledger's orders, until an operator resolves them; while one is unresolved its symbol is
// quarantined. Exposure, positions and resolutions: docs/0069-core-and-simulator-notes.md.
import type { ExecEvent, LogEntry } from '../model/events.ts';
import type { ClientOrderId } from '../model/ids.ts';
import { isTerminal, statusOfVenue } from '../model/order-status.ts';
import type { OrphanDetected } from '../model/recon-events.ts';
import type { OrderStatusReport } from '../model/reports.ts';

const closed = (s: OrderStatusReport['status']): boolean => isTerminal(statusOfVenue(s));

interface Orphan {
  readonly info: OrphanDetected;
  filled: number;
  resolved: boolean;
  adopted: boolean;
  cancelBy: { readonly actor: string; readonly reason: string } | null;
}

export interface OrphanActions {
  record(e: ExecEvent): void;
  /** Asks the venue to cancel it. */
  cancel(id: ClientOrderId): void;
  /** Makes it one of our orders (the engine creates its parent and order, then looks it up). */
  adopt(orphan: OrphanDetected): void;
}

export class OrphanBook {
  private readonly orphans = new Map<string, Orphan>();

  constructor(private readonly act: OrphanActions) {}

  /** Rebuilds the book from the durable log (restart). */
  restore(entries: readonly LogEntry[]): void {
    for (const { event: e } of entries) {
      if (e.kind === 'OrphanDetected')
        this.orphans.set(e.clientOrderId, {
          info: e,
          filled: e.filledQty,
          resolved: false,
          adopted: false,
          cancelBy: null,
        });
      else if (e.kind === 'OrphanResolved') {
        const o = this.orphans.get(e.clientOrderId);
        if (o) {
          o.resolved = true;
          o.adopted = e.resolution === 'adopted';
        }
      }
    }
  }

  has(id: string): boolean {
    return this.orphans.has(id);
  }

  /** A venue order not in our ledger: a new orphan (recorded, returns true), or news of a known one. */
  seen(o: Omit<OrderStatusReport, 'kind'>): boolean {
    const known = this.orphans.get(o.clientOrderId);
    if (known) {
      this.update(o.clientOrderId, o.status, o.filledQty);
      return false;
    }
    if (closed(o.status)) return false; // finished before we saw it: only its fills matter (position)
    const info: OrphanDetected = {
      kind: 'OrphanDetected',
      clientOrderId: o.clientOrderId,
      venueOrderId: o.venueOrderId,
      side: o.side ?? null,
      qty: o.qty,
      openQty: o.qty - o.filledQty,
      filledQty: o.filledQty,
      limitPrice: o.limitPrice ?? null,
      status: o.status,
      ...(o.symbol !== undefined ? { symbol: o.symbol } : {}),
    };
    this.orphans.set(o.clientOrderId, { info, filled: o.filledQty, resolved: false, adopted: false, cancelBy: null });
    this.act.record(info);
    return true;
  }

  /** A report about an orphan (its cancel confirmed, a lookup, a snapshot row). */
  update(id: ClientOrderId, status: OrderStatusReport['status'], filled: number | null): void {
    const o = this.orphans.get(id);
    if (!o || o.adopted) return;
    if (filled !== null) o.filled = Math.max(o.filled, filled);
    if (o.resolved || !closed(status)) return;
    o.resolved = true;
    const by = o.cancelBy ?? { actor: 'reconciler', reason: 'no operator action' };
    this.act.record({
      kind: 'OrphanResolved',
      clientOrderId: id,
      resolution: status === 'canceled' ? 'canceled' : 'closed_at_venue',
      actor: by.actor,
      reason: `${by.reason}; venue reports it ${status}`,
    });
  }

  /** Why new orders (of `symbol`; any when absent) must wait (an unresolved orphan), or null. */
  quarantine(symbol?: string): string | null {
    for (const [id, o] of this.orphans) {
      const other = symbol !== undefined && o.info.symbol !== undefined && o.info.symbol !== symbol;
      if (!o.resolved && !other)
        return `symbol quarantined: orphan order ${id} at the venue (owner unknown, ${o.info.qty - o.filled} lots open)`;
    }
    return null;
  }

  /** Every orphan detected, in detection order: what the venue showed, its fills so far, and
   *  whether it is resolved (adopted or closed) or a cancel was asked for. */
  list(): Array<{
    readonly info: OrphanDetected;
    readonly filled: number;
    readonly resolved: boolean;
    readonly adopted: boolean;
    readonly cancelRequested: boolean;
  }> {
    return [...this.orphans.values()].map((o) => ({
      info: o.info,
      filled: o.filled,
      resolved: o.resolved,
      adopted: o.adopted,
      cancelRequested: o.cancelBy !== null,
    }));
  }

  /** Lots open at the venue in unresolved orphans. */
  exposure(): number {
    let lots = 0;
    for (const o of this.orphans.values()) if (!o.resolved) lots += Math.max(0, o.info.qty - o.filled);
    return lots;
  }

  /** Signed lots the venue's position holds from orphans we did not adopt (side known): of
   *  `symbol` when given, where an orphan whose symbol the venue did not state counts as the
   *  run's symbol's (`primary`). */
  signedFills(symbol?: string, primary = true): number {
    let lots = 0;
    for (const o of this.orphans.values()) {
      if (o.adopted || o.info.side === null) continue;
      if (symbol !== undefined && (o.info.symbol === undefined ? !primary : o.info.symbol !== symbol)) continue;
      lots += o.info.side === 'buy' ? o.filled : -o.filled;
    }
    return lots;
  }

  /** An operator's resolution. Adopting needs the side the venue stated. One that cannot be
   *  applied (the id is not, or not yet, a detected orphan; it is resolved already; its side is
   *  unknown) is logged as refused with the reason, and nothing changes: an operator's mistake
   *  must not stop the process. */
  resolve(id: ClientOrderId, resolution: 'adopt' | 'cancel', actor: string, reason: string): void {
    const o = this.orphans.get(id);
    const refused = (refusal: string): void =>
      this.act.record({ kind: 'OrphanResolutionRefused', clientOrderId: id, resolution, actor, reason, refusal });
    if (!o) return refused(`no orphan ${id} has been detected (yet)`);
    if (o.resolved) return refused(`orphan ${id} is resolved already`);
    if (resolution === 'cancel') {
      o.cancelBy = { actor, reason };
      this.act.cancel(id);
      return;
    }
    if (o.info.side === null)
      return refused(`orphan ${id}: the venue did not state its side; it cannot be adopted, only cancelled`);
    o.resolved = true;
    o.adopted = true;
    this.act.record({ kind: 'OrphanResolved', clientOrderId: id, resolution: 'adopted', actor, reason });
    this.act.adopt({ ...o.info, filledQty: o.filled, openQty: Math.max(0, o.info.qty - o.filled) });
  }
}
