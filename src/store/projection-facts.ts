// What a grouped run's thread hands its writer thread for the order and fill projections: the
// raw facts of what changed (numbers in lots and ticks, ids, statuses), and, on the writer's
// side, FactsFold, which turns them into the rows childOrderRow, parentOrderRow and fillRow
// make, keeping each parent's children's totals as RunWriter does. Decimal formatting and the
// totals are the writer thread's work, not the run's: the run only lists what changed.
//
// Facts are plain arrays (sent as JSON). A child order: the fields its events change (its fixed
// fields, parent, slice, schedule, side and type, the writer reads from its OrderCreated line,
// which comes in the same or an earlier unit). A parent: its spec and completion the first time,
// its completion after. A fill: the applied trade's fields and the seq of its entry.
import type { LogEntry } from '../core/model/events.ts';
import type { ClientOrderId, ParentOrderId } from '../core/model/ids.ts';
import type { Instrument } from '../core/model/instrument.ts';
import type { OrderRequest } from '../core/model/order.ts';
import type { OrderState } from '../core/order/apply-event.ts';
import type { AppliedTrade, ParentState } from '../core/order/order-ledger.ts';
import { childOrderRow, fillRow, orderValues, parentOrderRow, ParentTotals } from './projection-rows.ts';

export type ChildFacts = readonly unknown[];
export type ParentFacts = readonly unknown[];
export type FillFacts = readonly unknown[];

/** A child order's facts: id, venue id, status, qty, filled lots and notional, limit and stop
 *  price (ticks or null), last update. */
export function childFacts(o: OrderState): ChildFacts {
  const r = o.request;
  return [
    r.clientOrderId,
    o.venueOrderId,
    o.status,
    r.qty,
    o.filledQty,
    o.filledNotional,
    r.limitPrice ?? null,
    r.stopPrice ?? null,
    o.updatedAt,
  ];
}

/** A parent's facts at a unit's end; `first`: its spec comes too. */
export function parentFacts(id: ParentOrderId, p: ParentState, first: boolean): ParentFacts {
  const done = p.completed;
  if (!first) return [id, done?.status ?? null, done?.at ?? null];
  const s = p.spec;
  return [
    id,
    done?.status ?? null,
    done?.at ?? null,
    s.symbol,
    s.side,
    s.qty,
    s.type,
    s.tif,
    s.limitPrice,
    s.totalSlices,
    p.createdAt,
  ];
}

/** An applied trade's facts, at log entry `seq`. */
export const fillFacts = (t: AppliedTrade, seq: number): FillFacts => [
  t.tradeId,
  t.clientOrderId,
  t.qty,
  t.price,
  t.fee,
  t.liquidity,
  t.venueTime,
  seq,
];

type Fixed = Pick<
  OrderRequest,
  'parentId' | 'sliceNum' | 'totalSlices' | 'scheduledTime' | 'symbol' | 'side' | 'type' | 'tif'
> & { readonly createdAt: number };
type OrderCreated = Extract<LogEntry['event'], { kind: 'OrderCreated' }>;

type Parent = Pick<ParentState, 'spec' | 'createdAt'> & { completed: ParentState['completed'] };

/** The writer's side: facts in, rows out, each parent's children summed as their rows change. */
export class FactsFold {
  private readonly fixed = new Map<ClientOrderId, Fixed>();
  private readonly parents = new Map<ParentOrderId, Parent>();
  private readonly totals = new ParentTotals();

  constructor(
    private readonly runId: string,
    private readonly instrument: Instrument,
  ) {}

  /** Child orders known (every order of the run handed over so far). */
  get orderCount(): number {
    return this.fixed.size;
  }

  /** A child order's fixed fields, from its OrderCreated event logged at `time`. */
  created(e: Pick<OrderCreated, Exclude<keyof Fixed, 'createdAt'> | 'clientOrderId'>, time: number): void {
    this.fixed.set(e.clientOrderId, {
      parentId: e.parentId,
      sliceNum: e.sliceNum,
      totalSlices: e.totalSlices,
      scheduledTime: e.scheduledTime,
      symbol: e.symbol,
      side: e.side,
      type: e.type,
      tif: e.tif,
      createdAt: time,
    });
  }

  /** The order rows (orderValues) of `children` and of the parents they or `parents` touch. */
  orderRows(children: readonly ChildFacts[], parents: readonly ParentFacts[]): unknown[][] {
    const rows: unknown[][] = [];
    const dirty = new Set<ParentOrderId>();
    for (const f of parents) dirty.add(this.parent(f));
    for (const f of children) {
      const id = f[0] as ClientOrderId;
      const fixed = this.fixed.get(id);
      if (!fixed) throw new Error(`store: order ${id} changed before its OrderCreated was written`);
      const filled = f[4] as number;
      const notional = f[5] as number;
      const updatedAt = f[8] as number;
      const limit = f[6] as number | null;
      const stop = f[7] as number | null;
      // One shape for every order (no spreads: a cold writer thread paid for each new shape).
      const request = {
        clientOrderId: id,
        parentId: fixed.parentId,
        sliceNum: fixed.sliceNum,
        totalSlices: fixed.totalSlices,
        scheduledTime: fixed.scheduledTime,
        symbol: fixed.symbol,
        side: fixed.side,
        type: fixed.type,
        tif: fixed.tif,
        qty: f[3] as number,
        limitPrice: limit ?? undefined,
        stopPrice: stop ?? undefined,
      } as OrderRequest;
      const state = {
        request,
        venueOrderId: f[1] as OrderState['venueOrderId'],
        status: f[2] as OrderState['status'],
        filledQty: filled,
        filledNotional: notional,
        createdAt: fixed.createdAt,
        updatedAt,
      };
      rows.push(orderValues(childOrderRow(this.runId, this.instrument, state)));
      this.totals.child(id, fixed.parentId, filled, notional, updatedAt);
      dirty.add(fixed.parentId);
    }
    for (const id of dirty) {
      const parent = this.parents.get(id);
      if (parent) rows.push(orderValues(parentOrderRow(this.runId, this.instrument, id, parent, this.totals.of(id))));
    }
    return rows;
  }

  /** fillRow's values for a fill's facts. */
  fillRow(f: FillFacts): unknown[] {
    const trade = {
      tradeId: f[0] as AppliedTrade['tradeId'],
      clientOrderId: f[1] as ClientOrderId,
      qty: f[2] as number,
      price: f[3] as number,
      fee: f[4] as number,
      liquidity: f[5] as AppliedTrade['liquidity'],
      venueTime: f[6] as number,
    };
    return fillRow(this.runId, this.instrument, trade, f[7] as number);
  }

  /** Takes a parent's facts in; returns its id. */
  private parent(f: ParentFacts): ParentOrderId {
    const id = f[0] as ParentOrderId;
    const status = f[1] as NonNullable<ParentState['completed']>['status'] | null;
    const completed = status === null ? null : { status, filledQty: 0, at: f[2] as number };
    const known = this.parents.get(id);
    if (known) known.completed = completed;
    else if (f.length > 3) {
      const spec = {
        parentId: id,
        symbol: f[3],
        side: f[4],
        qty: f[5],
        type: f[6],
        tif: f[7],
        limitPrice: f[8],
        totalSlices: f[9],
      } as unknown as ParentState['spec'];
      this.parents.set(id, { spec, createdAt: f[10] as number, completed });
    } else throw new Error(`store: parent ${id} was handed over without its spec`);
    return id;
  }
}
