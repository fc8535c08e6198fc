// How a parent starts (the engine routes; this stores and launches): one order, or a TWAP plan
// with every child. Everything about the parent is committed before its first order leaves. A
// TWAP's liquidity cap is looked up once, here, and stored with its plan (TwapPlanned).
import { isDefaultCatchUp, SliceScheduler, type SchedulerOps } from '../algo/slice-scheduler.ts';
import { twapClientOrderId, twapParentKey } from '../algo/twap-client-order-id.ts';
import { planTwapSlices, TwapPlanError, type TwapSpec } from '../algo/twap-slicer.ts';
import { deriveClientOrderId, utcDate } from '../model/client-order-id.ts';
import { plannedCap, twapCapOf, type LiquidityCap } from '../algo/liquidity-cap.ts';
import type { ExecEvent } from '../model/events.ts';
import type { ClientOrderId, ParentOrderId } from '../model/ids.ts';
import type { Instrument } from '../model/instrument.ts';
import type { Side } from '../model/order.ts';
import type { EngineDeps, ParentRequest, TwapParams } from './engine-types.ts';

type Top = { readonly bid: number | null; readonly ask: number | null };

/** What starting a parent needs from the engine. */
export interface StartOps {
  readonly deps: EngineDeps;
  record(e: ExecEvent): void;
  send(id: ClientOrderId): void;
  schedulerOps(side: Side, instrument: Instrument): SchedulerOps;
  /** The liquidity cap of a TWAP planned now on the symbol, or null (none, or off). */
  liquidityCap(symbol: string): LiquidityCap | null;
  register(parentId: ParentOrderId, scheduler: SliceScheduler, intervalMs: number): void;
}

function parentCreated(
  ops: StartOps,
  instrument: Instrument,
  req: ParentRequest,
  top: Top,
  route: 'single' | 'twap',
  totalSlices: number,
): void {
  ops.record({
    kind: 'ParentOrderCreated',
    parentId: req.parentId,
    symbol: instrument.symbol,
    side: req.side,
    qty: req.qty,
    type: req.type,
    tif: req.tif,
    limitPrice: req.limitPrice ?? null,
    totalSlices,
    route,
    arrivalBid: top.bid,
    arrivalAsk: top.ask,
    source: req.source,
    ...(req.partialFillPolicy ? { partialFillPolicy: req.partialFillPolicy } : {}),
  });
}

/** One order: the parent and its order stored in one commit, then sent. */
export function startSingle(ops: StartOps, instrument: Instrument, req: ParentRequest, top: Top): void {
  const { clock, broker } = ops.deps;
  const now = clock.now();
  parentCreated(ops, instrument, req, top, 'single', 1);
  const clientOrderId = deriveClientOrderId(
    {
      parentId: req.parentId,
      symbol: instrument.symbol,
      side: req.side,
      qty: req.qty,
      tradeDate: utcDate(now),
      sliceNum: 1,
    },
    broker.clientIdMaxLength,
  );
  ops.record({
    kind: 'OrderCreated',
    clientOrderId,
    parentId: req.parentId,
    sliceNum: 1,
    totalSlices: 1,
    scheduledTime: now,
    symbol: instrument.symbol,
    side: req.side,
    type: req.type,
    tif: req.tif,
    qty: req.qty,
    limitPrice: req.limitPrice ?? null,
    stopPrice: req.stopPrice ?? null,
    ...(req.postOnly ? { postOnly: true } : {}),
  });
  ops.deps.log.commit();
  ops.send(clientOrderId);
}

/** A TWAP: planned; parent, plan and every child (pending_new) stored in one commit; then the
 *  scheduler runs the slices. An impossible plan is a ParentRejected event. */
export function startTwap(
  ops: StartOps,
  instrument: Instrument,
  req: ParentRequest,
  p: TwapParams,
  top: Top,
  reference: number | null,
): void {
  const { clock, broker } = ops.deps;
  const now = clock.now();
  const found = ops.liquidityCap(instrument.symbol);
  const liquidity = found === null ? null : plannedCap(found, ops.deps.liquidity?.minIntervalMs ?? 1);
  const spec: TwapSpec = {
    side: req.side,
    qty: req.qty,
    startTime: now,
    durationMs: p.durationMs,
    instrument,
    referencePrice: reference ?? 1,
    childType: req.type,
    ...(p.intervalMs !== undefined ? { intervalMs: p.intervalMs } : { sliceCount: p.sliceCount ?? 1 }),
    ...(p.maxSliceQty !== undefined ? { maxSliceQty: p.maxSliceQty } : {}),
    ...(liquidity !== null ? { liquidityCap: twapCapOf(liquidity) } : {}),
    ...(p.minSliceNotionalUnits !== undefined ? { minSliceNotionalUnits: p.minSliceNotionalUnits } : {}),
    ...(p.randomize !== undefined ? { randomize: p.randomize } : {}),
    ...(p.limitOffsetTicks !== undefined ? { limitOffsetTicks: p.limitOffsetTicks } : {}),
    ...(p.stopOffsetTicks !== undefined ? { stopOffsetTicks: p.stopOffsetTicks } : {}),
  };
  let plan;
  try {
    if (reference === null) throw new TwapPlanError('referencePrice', 'no market to price the plan against');
    plan = planTwapSlices(spec, ops.deps.rng.stream(`twap/${req.parentId}`));
  } catch (err) {
    if (!(err instanceof TwapPlanError)) throw err;
    ops.record({ kind: 'ParentRejected', parentId: req.parentId, reason: err.message });
    return;
  }
  // Parent, plan and every child (pending_new) are stored in one commit before any slice goes.
  parentCreated(ops, instrument, req, top, 'twap', plan.totalSlices);
  ops.record({
    kind: 'TwapPlanned',
    parentId: req.parentId,
    childType: req.type,
    intervalMs: plan.intervalMs,
    durationMs: plan.durationMs,
    unfilledPolicy: p.unfilled,
    limitOffsetTicks: p.limitOffsetTicks ?? null,
    adjustments: plan.adjustments.map((a) => JSON.stringify(a)),
    stopOffsetTicks: p.stopOffsetTicks ?? null,
    minNotionalUnits: plan.minNotionalUnits,
    referencePrice: plan.referencePrice,
    stops: p.stops,
    ...(p.catchUp && !isDefaultCatchUp(p.catchUp) ? { catchUp: p.catchUp } : {}),
    ...(liquidity !== null ? { liquidityCap: liquidity } : {}),
  });
  const key = twapParentKey(req.parentId, spec);
  const children: ClientOrderId[] = [];
  for (const slice of plan.slices) {
    const clientOrderId = twapClientOrderId(key, slice.sliceNum, broker.clientIdMaxLength);
    children.push(clientOrderId);
    ops.record({
      kind: 'OrderCreated',
      clientOrderId,
      parentId: req.parentId,
      sliceNum: slice.sliceNum,
      totalSlices: plan.totalSlices,
      scheduledTime: slice.scheduledTime,
      symbol: instrument.symbol,
      side: req.side,
      type: req.type,
      tif: req.type === 'market' ? 'IOC' : req.tif,
      qty: slice.qty,
      limitPrice: null,
      stopPrice: null,
    });
  }
  ops.deps.log.commit();
  const arrivalMid = top.bid !== null && top.ask !== null ? (top.bid + top.ask) / 2 : null;
  const scheduler = new SliceScheduler(
    ops.schedulerOps(req.side, instrument),
    req.parentId,
    plan,
    children,
    p.unfilled,
    p.stops,
    arrivalMid,
    p.catchUp,
  );
  ops.register(req.parentId, scheduler, plan.intervalMs);
  scheduler.start();
}
