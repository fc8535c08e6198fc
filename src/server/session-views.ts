// A running session's state as the service API shows it: parents with their slices, orders with
// their fills, positions, in the instrument's own units (decimal strings for prices, quantities
// and money; ISO times), read from the node's ledger between units of work. The schemas here are
// the responses' declarations (and so the OpenAPI document's).
import { z } from 'zod';
import type { ClientOrderId, ParentOrderId } from '../core/model/ids.ts';
import {
  fractionalTicksToPrice,
  lotsToQty,
  ticksToPrice,
  unitsToQuote,
  type Instrument,
} from '../core/model/instrument.ts';
import { isTerminal } from '../core/model/order-status.ts';
import type { OrderState } from '../core/order/apply-event.ts';
import type { OrderLedger, ParentState } from '../core/order/order-ledger.ts';
import { PLAN_WARNING_KINDS, planWarnings } from '../core/report/plan-warnings.ts';

const iso = (ms: number): string => new Date(ms).toISOString();

export const sliceSchema = z.object({
  sliceNum: z.number().int(),
  clientOrderId: z.string(),
  qty: z.string().describe("the slice's quantity (its final size once re-sized at send time)"),
  scheduledTime: z.string().describe('when the slice is due (ISO 8601, UTC)'),
});

export const planSchema = z.object({
  parentId: z.string(),
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  qty: z.string(),
  type: z.string(),
  limitPrice: z.string().nullable(),
  totalSlices: z.number().int(),
  slices: z.array(sliceSchema),
  warnings: z
    .array(
      z.object({
        kind: z
          .enum(PLAN_WARNING_KINDS)
          .describe(
            'twap_slices: the slice count; twap_interval: the time between slices; twap_slice_size: slices larger than asked',
          ),
        parent: z.string(),
        asked: z
          .string()
          .describe('what the request asked, with its unit ("30000 slices", "PT1S", "at most 0.001 a slice")'),
        planned: z.string().describe('what the plan has instead'),
        why: z
          .string()
          .describe('the rule that made the change (minimum notional, lot size, maxSliceQty, liquidity cap)'),
      }),
    )
    .describe('each change the planner made to what was asked; empty when the plan is what was asked'),
});

export const sliceStateSchema = sliceSchema.extend({
  status: z.string().describe("the child order's status (pending_new until sent)"),
  filledQty: z.string(),
  avgPrice: z.string().nullable(),
  sentTime: z.string().nullable().describe('when it was (last) sent, or null while unsent'),
  reason: z.string().nullable().describe('why it was skipped, stopped or failed, when it was'),
});

export const parentStateSchema = z.object({
  parentId: z.string(),
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  qty: z.string(),
  route: z.enum(['single', 'twap', 'algo']),
  status: z.enum(['working', 'cancelling', 'filled', 'partially_filled', 'unfilled']),
  filledQty: z.string(),
  avgPrice: z.string().nullable(),
  fees: z.string().describe('in the quote currency'),
  createdAt: z.string(),
  stopReason: z.string().nullable(),
  source: z.string(),
});

export const orderStateSchema = z.object({
  clientOrderId: z.string(),
  parentId: z.string(),
  venueOrderId: z.string().nullable(),
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  type: z.string(),
  tif: z.string(),
  qty: z.string(),
  limitPrice: z.string().nullable(),
  status: z.string(),
  filledQty: z.string(),
  avgPrice: z.string().nullable(),
  fees: z.string(),
  sliceNum: z.number().int(),
  totalSlices: z.number().int(),
  scheduledTime: z.string(),
  sentTime: z.string().nullable(),
  attempts: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export type PlanView = z.infer<typeof planSchema>;
export type SliceStateView = z.infer<typeof sliceStateSchema>;
export type ParentStateView = z.infer<typeof parentStateSchema>;
export type OrderStateView = z.infer<typeof orderStateSchema>;

const avg = (inst: Instrument, o: { filledQty: number; filledNotional: number }): string | null =>
  o.filledQty > 0 ? fractionalTicksToPrice(inst, o.filledNotional / o.filledQty) : null;

/** A parent's plan: each slice's number, size, due time and client order id. */
export function planView(inst: Instrument, ledger: OrderLedger, p: ParentState): PlanView {
  const s = p.spec;
  return {
    parentId: s.parentId,
    symbol: s.symbol,
    side: s.side,
    qty: lotsToQty(inst, s.qty),
    type: s.type,
    limitPrice: s.limitPrice === null ? null : ticksToPrice(inst, s.limitPrice),
    totalSlices: s.totalSlices,
    slices: ledger.childrenOf(s.parentId).map((o) => ({
      sliceNum: o.request.sliceNum,
      clientOrderId: o.request.clientOrderId,
      qty: lotsToQty(inst, o.request.qty),
      scheduledTime: iso(o.request.scheduledTime),
    })),
    warnings: p.plan === null ? [] : planWarnings(s.parentId, p.plan, inst),
  };
}

/** Each slice's state; `reasons` holds why a slice was skipped (by slice number). */
export function slicesView(
  inst: Instrument,
  ledger: OrderLedger,
  parentId: ParentOrderId,
  reasons: ReadonlyMap<number, string>,
  stopReason: string | null,
): SliceStateView[] {
  return ledger.childrenOf(parentId).map((o) => {
    const unsentEnded = isTerminal(o.status) && o.attempts === 0;
    return {
      sliceNum: o.request.sliceNum,
      clientOrderId: o.request.clientOrderId,
      qty: lotsToQty(inst, o.request.qty),
      scheduledTime: iso(o.request.scheduledTime),
      status: o.status,
      filledQty: lotsToQty(inst, o.filledQty),
      avgPrice: avg(inst, o),
      sentTime: o.lastSentAt === null ? null : iso(o.lastSentAt),
      reason: reasons.get(o.request.sliceNum) ?? (unsentEnded ? (stopReason ?? 'not sent') : null),
    };
  });
}

export function parentView(inst: Instrument, ledger: OrderLedger, p: ParentState): ParentStateView {
  const children = ledger.childrenOf(p.spec.parentId);
  let notional = 0;
  let fees = 0;
  for (const o of children) {
    notional += o.filledNotional;
    fees += o.fees;
  }
  const filled = p.totals.filled;
  return {
    parentId: p.spec.parentId,
    symbol: p.spec.symbol,
    side: p.spec.side,
    qty: lotsToQty(inst, p.spec.qty),
    route: p.spec.route,
    status: p.completed?.status ?? (p.cancelRequested ? 'cancelling' : 'working'),
    filledQty: lotsToQty(inst, filled),
    avgPrice: filled > 0 ? fractionalTicksToPrice(inst, notional / filled) : null,
    fees: unitsToQuote(inst, fees),
    createdAt: iso(p.createdAt),
    stopReason: p.stopReason,
    source: p.spec.source,
  };
}

export function orderView(inst: Instrument, o: OrderState): OrderStateView {
  const r = o.request;
  return {
    clientOrderId: r.clientOrderId,
    parentId: r.parentId,
    venueOrderId: o.venueOrderId,
    symbol: r.symbol,
    side: r.side,
    type: r.type,
    tif: r.tif,
    qty: lotsToQty(inst, r.qty),
    limitPrice: r.limitPrice === undefined ? null : ticksToPrice(inst, r.limitPrice),
    status: o.status,
    filledQty: lotsToQty(inst, o.filledQty),
    avgPrice: avg(inst, o),
    fees: unitsToQuote(inst, o.fees),
    sliceNum: r.sliceNum,
    totalSlices: r.totalSlices,
    scheduledTime: iso(r.scheduledTime),
    sentTime: o.lastSentAt === null ? null : iso(o.lastSentAt),
    attempts: o.attempts,
    createdAt: iso(o.createdAt),
    updatedAt: iso(o.updatedAt),
  };
}

/** The order's client id as the ledger keys it. */
export const asClientOrderId = (id: string): ClientOrderId => id as ClientOrderId;
