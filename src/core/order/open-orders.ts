// The ledger's indexes of the orders that are not over, so that what runs again and again over
// a long run (each reconciliation pass, a halt, an exposure check) costs what is in flight, not
// every order the run ever created. The indexes and their order:
// docs/0069-core-and-simulator-notes.md.
import type { ClientOrderId } from '../model/ids.ts';
import { isTerminal } from '../model/order-status.ts';
import type { OrderState } from './apply-event.ts';

/** Never sent: created (a TWAP slice not yet due, say) and no send attempted. */
export const neverSent = (o: OrderState): boolean => o.status === 'pending_new' && o.attempts === 0;

/**
 * The earliest an order can have been submitted to the venue: created, and due. Not before we
 * created it, nor before its scheduled time (a TWAP's slices are all created with the parent and
 * each is sent at its own time, never earlier). The reconciler's mark on a venue that lists by
 * submission time goes by this: by the creation time alone it stays at the TWAP's start while the
 * TWAP runs, and every pass lists every slice sent so far (a log and a cost that grow with the
 * square of the TWAP's length). A slice not due yet is later than the pass's start and holds
 * nothing back.
 */
export const earliestSubmission = (o: OrderState): number => Math.max(o.createdAt, o.request.scheduledTime);

/** Orders keyed by id, walked in creation order. */
class CreationOrdered {
  readonly byId = new Map<ClientOrderId, OrderState>();
  private sorted = true;
  /** The creation number of the last order added since the last sort. */
  private last = -1;

  constructor(private readonly created: ReadonlyMap<ClientOrderId, number>) {}

  set(id: ClientOrderId, o: OrderState): void {
    if (!this.byId.has(id)) {
      const n = this.created.get(id) ?? 0;
      if (n < this.last) this.sorted = false;
      else this.last = n;
    }
    // Setting a key that is there keeps its place.
    this.byId.set(id, o);
  }

  delete(id: ClientOrderId): void {
    this.byId.delete(id);
  }

  values(): IterableIterator<OrderState> {
    if (!this.sorted) {
      const n = (id: ClientOrderId): number => this.created.get(id) ?? 0;
      const inOrder = [...this.byId].sort(([a], [b]) => n(a) - n(b));
      this.byId.clear();
      for (const [id, o] of inOrder) this.byId.set(id, o);
      this.sorted = true;
      this.last = inOrder.length > 0 ? n((inOrder[inOrder.length - 1] as [ClientOrderId, OrderState])[0]) : -1;
    }
    return this.byId.values();
  }
}

export class OpenOrderIndex {
  /** Creation number per order. */
  private readonly created = new Map<ClientOrderId, number>();
  private readonly open = new CreationOrdered(this.created);
  private readonly sent = new CreationOrdered(this.created);
  /** Never-sent orders as a binary min-heap on earliestSubmission (ties: creation order). */
  private readonly heap: Array<{ readonly at: number; readonly n: number; readonly id: ClientOrderId }> = [];

  constructor(private readonly orders: ReadonlyMap<ClientOrderId, OrderState>) {}

  /** A new order (its state as created). */
  add(id: ClientOrderId, o: OrderState): void {
    const n = this.created.size;
    this.created.set(id, n);
    this.changed(id, o);
    if (neverSent(o)) this.push({ at: earliestSubmission(o), n, id });
  }

  /** An order's new state. */
  changed(id: ClientOrderId, o: OrderState): void {
    if (isTerminal(o.status)) {
      this.open.delete(id);
      this.sent.delete(id);
      return;
    }
    this.open.set(id, o);
    if (neverSent(o)) this.sent.delete(id);
    else this.sent.set(id, o);
  }

  openOrders(): IterableIterator<OrderState> {
    return this.open.values();
  }

  get openCount(): number {
    return this.open.byId.size;
  }

  sentOrders(): IterableIterator<OrderState> {
    return this.sent.values();
  }

  /** The never-sent order with the earliest submission, if any. */
  oldestNeverSent(): OrderState | undefined {
    for (;;) {
      const top = this.heap[0];
      if (top === undefined) return undefined;
      const o = this.orders.get(top.id);
      if (o !== undefined && neverSent(o)) return o;
      this.pop();
    }
  }

  private before(i: number, j: number): boolean {
    const a = this.heap[i] as { at: number; n: number };
    const b = this.heap[j] as { at: number; n: number };
    return a.at < b.at || (a.at === b.at && a.n < b.n);
  }

  private swap(i: number, j: number): void {
    const h = this.heap;
    [h[i], h[j]] = [h[j] as (typeof h)[number], h[i] as (typeof h)[number]];
  }

  private push(e: { readonly at: number; readonly n: number; readonly id: ClientOrderId }): void {
    this.heap.push(e);
    let i = this.heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (h.length === 0 || last === undefined) return;
    h[0] = last;
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.before(l, m)) m = l;
      if (r < h.length && this.before(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}
