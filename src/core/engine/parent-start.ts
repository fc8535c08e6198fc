// How a parent starts: routed (one order, or TWAP slices when its notional is above the routing
// threshold or it asks for TWAP), stored, and launched. Everything about the parent is committed
// before its first order leaves: a single order then goes to the slice sender; a TWAP's plan (its
// liquidity cap looked up once, here, and stored with it: TwapPlanned; its slices re-sized to the
// parent's trajectory when it asks for a VWAP or implementation shortfall, trajectory-plan.ts)
// goes to a slice scheduler that hands each slice to the slice sender at its time. A parent with a
// placement policy (algo/placement.ts) has limit children, priced by the scheduler at slice time.
import { isDefaultCatchUp, SliceScheduler, type EarlyStops } from '../algo/slice-scheduler.ts';
import { povTarget } from './pov-target.ts';
import { twapClientOrderId, twapParentKey } from '../algo/twap-client-order-id.ts';
import { defaultProfile } from '../algo/trajectory.ts';
import { planTrajectorySlices } from '../algo/trajectory-plan.ts';
import { readHistoryProfile } from '../algo/history-profile.ts';
import { TwapPlanError, type TwapPlan, type TwapSpec } from '../algo/twap-slicer.ts';
import type { PlannedTrajectory } from '../model/events.ts';
import { deriveClientOrderId, utcDate } from '../model/client-order-id.ts';
import { plannedCap, twapCapOf } from '../algo/liquidity-cap.ts';
import type { ExecEvent } from '../model/events.ts';
import type { ClientOrderId } from '../model/ids.ts';
import type { Instrument } from '../model/instrument.ts';
import type { InstrumentSet } from '../model/instrument-set.ts';
import type { LiquidityEvent } from '../model/liquidity-events.ts';
import type { EngineDeps, ParentRequest, TwapParams } from './engine-types.ts';
import type { LiquidityBook } from './liquidity-book.ts';
import type { RunningTwaps } from './running-twaps.ts';
import type { ParentCompletion } from './parent-completion.ts';
import { algoPlanned, resolveAlgorithm } from './algo-recovery.ts';
import { IntentRunner } from '../algo/intent-runner.ts';
import type { RunnerPlan } from '../algo/runner-plan.ts';
import type { AlgoRequest } from '../algo/intent-algorithm.ts';
import type { SliceSender } from './slice-sender.ts';

type Top = { readonly bid: number | null; readonly ask: number | null };

export interface ParentStarterDeps {
  /** What the engine is built from (its broker: the one that stamps lookups). */
  readonly engine: EngineDeps;
  /** The node's instruments: the run's symbol first. */
  readonly instruments: InstrumentSet;
  readonly sender: SliceSender;
  readonly twaps: RunningTwaps;
  readonly completion: ParentCompletion;
  /** The liquidity caps TWAPs are planned with, or null when the run has none. */
  readonly liquidity: LiquidityBook | null;
  /** Logs a cap found off when a TWAP is planned (said once per symbol). */
  readonly recordLiquidity: (e: LiquidityEvent) => void;
  record(e: ExecEvent): void;
}

export class ParentStarter {
  constructor(private readonly deps: ParentStarterDeps) {}

  /** Routes a parent and starts it: TWAP above the routing threshold (auto) or when asked, one
   *  order otherwise. */
  start(req: ParentRequest): void {
    const { marketData, routing, instrument: primary } = this.deps.engine;
    if (!Number.isSafeInteger(req.qty) || req.qty <= 0)
      throw new Error(`parent ${req.parentId}: qty must be positive lots`);
    const set = this.deps.instruments;
    const instrument = req.symbol === undefined ? primary : set.of(req.symbol);
    const top = marketData.topOfBook(instrument.symbol);
    const reference = req.limitPrice ?? (req.side === 'buy' ? (top.ask ?? top.bid) : (top.bid ?? top.ask));
    // The threshold is in the run's symbol's notional units: another symbol's notional is
    // counted in those (through account units) before it is compared.
    const toPrimary = instrument === primary ? 1 : set.scaleOf(instrument.symbol) / set.scaleOf(set.primary.symbol);
    const twap =
      req.route === 'twap' ||
      (req.route === 'auto' && reference !== null && reference * req.qty * toPrimary > routing.twapThresholdUnits);
    if (req.algo !== undefined && req.route !== 'single') this.startAlgo(instrument, req, req.algo, top);
    else if (twap) this.startTwap(instrument, req, req.twap ?? this.defaultTwap(toPrimary), top, reference);
    else this.startSingle(instrument, req, top);
  }

  /** The routing's TWAP parameters for a parent of a symbol whose notional unit is `toPrimary`
   *  of the run's symbol's: its minimum slice notional in that symbol's units. */
  private defaultTwap(toPrimary: number): TwapParams {
    const p = this.deps.engine.routing.defaultTwap;
    if (toPrimary === 1 || p.minSliceNotionalUnits === undefined) return p;
    return { ...p, minSliceNotionalUnits: Math.ceil(p.minSliceNotionalUnits / toPrimary) };
  }

  private parentCreated(
    instrument: Instrument,
    req: ParentRequest,
    top: Top,
    route: 'single' | 'twap' | 'algo',
    totalSlices: number,
  ): void {
    this.deps.record({
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
  private startSingle(instrument: Instrument, req: ParentRequest, top: Top): void {
    const { clock, broker } = this.deps.engine;
    const now = clock.now();
    this.parentCreated(instrument, req, top, 'single', 1);
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
    this.deps.record({
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
    this.deps.engine.log.commit();
    this.deps.sender.send(clientOrderId);
  }

  /** An algorithm that decides its children as it runs: parent and plan stored in one commit,
   *  then its runner asks it (intent-runner.ts). An algorithm that cannot be found, or an
   *  iceberg's impossible parameters, is a ParentRejected event. */
  private startAlgo(instrument: Instrument, req: ParentRequest, algo: AlgoRequest, top: Top): void {
    const { clock, rng } = this.deps.engine;
    const now = planStart(clock.now());
    const worstPrice = req.limitPrice ?? (req.type === 'market' ? req.twap?.stops.worstPrice : undefined) ?? null;
    const durationMs = algo.durationMs ?? (req.twap ?? this.deps.engine.routing.defaultTwap).durationMs;
    let algorithm;
    try {
      if (!(Number.isSafeInteger(durationMs) && durationMs > 0))
        throw new TwapPlanError('duration', 'must be a positive horizon');
      algorithm = resolveAlgorithm(algo, worstPrice !== null, this.deps.engine.algorithms);
    } catch (err) {
      const reason = err instanceof TwapPlanError ? err.message : `algorithm ${algo.algo}: ${(err as Error).message}`;
      this.deps.record({ kind: 'ParentRejected', parentId: req.parentId, reason });
      return;
    }
    this.parentCreated(instrument, req, top, 'algo', 0);
    const plan: RunnerPlan = {
      parentId: req.parentId,
      symbol: instrument.symbol,
      side: req.side,
      qty: req.qty,
      startTime: now,
      endTime: now + durationMs,
      worstPrice,
      stops: earlyStopsOf((req.twap ?? this.deps.engine.routing.defaultTwap).stops),
      arrivalMid: top.bid !== null && top.ask !== null ? (top.bid + top.ask) / 2 : null,
      algo: algo.algo,
      ...(algo.module !== undefined ? { module: algo.module } : {}),
      params: algo.params,
    };
    this.deps.record(algoPlanned(plan));
    this.deps.engine.log.commit();
    const runner = new IntentRunner(
      this.deps.sender.runnerPort(instrument, rng.stream(`algo/${req.parentId}`), () =>
        this.deps.completion.completeIfDone(req.parentId),
      ),
      plan,
      algorithm,
    );
    this.deps.twaps.registerRunner(req.parentId, runner);
    runner.start();
  }

  /** A TWAP: planned; parent, plan and every child (pending_new) stored in one commit; then the
   *  scheduler runs the slices. An impossible plan is a ParentRejected event. */
  private startTwap(
    instrument: Instrument,
    req: ParentRequest,
    p: TwapParams,
    top: Top,
    reference: number | null,
  ): void {
    const { clock, broker } = this.deps.engine;
    const now = planStart(clock.now());
    const found = this.deps.liquidity?.capFor(instrument.symbol, this.deps.recordLiquidity) ?? null;
    const liquidity = found === null ? null : plannedCap(found, this.deps.engine.liquidity?.minIntervalMs ?? 1);
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
      // A placed limit parent's offset is its policy's.
      ...(p.limitOffsetTicks !== undefined
        ? { limitOffsetTicks: p.limitOffsetTicks }
        : req.placement !== undefined && req.type === 'limit'
          ? { limitOffsetTicks: req.placement.offsetTicks }
          : {}),
      ...(p.stopOffsetTicks !== undefined ? { stopOffsetTicks: p.stopOffsetTicks } : {}),
    };
    let plan: TwapPlan;
    let trajectory: PlannedTrajectory | null;
    try {
      if (reference === null) throw new TwapPlanError('referencePrice', 'no market to price the plan against');
      if (req.placement !== undefined && req.type !== 'market' && req.type !== 'limit')
        throw new TwapPlanError('placement', `places limit children: a ${req.type} order cannot have one`);
      // TWAP's grid, re-sized to the parent's trajectory when it asks for one other than the
      // straight line (a VWAP without a profile of its own follows the venue's default; one
      // with `profile: history` reads the minute bars before its start, here, once).
      const { hours, volumeHistory } = this.deps.engine;
      ({ plan, trajectory } = planTrajectorySlices(
        spec,
        req.trajectory,
        this.deps.engine.rng.stream(`twap/${req.parentId}`),
        defaultProfile(hours),
        (start, horizonMs, days) => readHistoryProfile(volumeHistory, instrument.symbol, start, horizonMs, days, hours),
      ));
    } catch (err) {
      if (!(err instanceof TwapPlanError)) throw err;
      this.deps.record({ kind: 'ParentRejected', parentId: req.parentId, reason: err.message });
      return;
    }
    // A placed limit parent's children are held to its limit price as to a never-worse price
    // (the tighter of the two), stored with the plan so a restart holds them too.
    const stops = req.placement !== undefined ? placedStops(p.stops, req) : p.stops;
    // Parent, plan and every child (pending_new) are stored in one commit before any slice goes.
    this.parentCreated(instrument, req, top, 'twap', plan.totalSlices);
    this.deps.record({
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
      stops,
      ...(p.catchUp && !isDefaultCatchUp(p.catchUp) ? { catchUp: p.catchUp } : {}),
      ...(liquidity !== null ? { liquidityCap: liquidity } : {}),
      ...(trajectory !== null ? { trajectory } : {}),
      ...(req.placement !== undefined ? { placement: req.placement } : {}),
    });
    const key = twapParentKey(req.parentId, spec, req.trajectory, req.placement);
    const children: ClientOrderId[] = [];
    // A market parent with a never-worse price sends each slice as an IOC limit at that price
    // (a protected market order): it takes what the book offers up to the price, never past it.
    const worst = req.type === 'market' ? p.stops.worstPrice : undefined;
    // A placement policy's children are limits, priced at slice time; a market parent's rest
    // until filled or replaced (GTC), a limit parent's keep its time in force.
    const placed = req.placement !== undefined;
    const type = placed ? 'limit' : worst === undefined ? req.type : 'limit';
    const tif = placed ? (req.type === 'limit' ? req.tif : 'GTC') : req.type === 'market' ? 'IOC' : req.tif;
    for (const slice of plan.slices) {
      const clientOrderId = twapClientOrderId(key, slice.sliceNum, broker.clientIdMaxLength);
      children.push(clientOrderId);
      this.deps.record({
        kind: 'OrderCreated',
        clientOrderId,
        parentId: req.parentId,
        sliceNum: slice.sliceNum,
        totalSlices: plan.totalSlices,
        scheduledTime: slice.scheduledTime,
        symbol: instrument.symbol,
        side: req.side,
        type,
        tif,
        qty: slice.qty,
        limitPrice: placed ? null : (worst ?? null),
        stopPrice: null,
      });
    }
    this.deps.engine.log.commit();
    const arrivalMid = top.bid !== null && top.ask !== null ? (top.bid + top.ask) / 2 : null;
    const scheduler = new SliceScheduler(
      this.deps.sender.slicePort(req.side, instrument),
      req.parentId,
      plan,
      children,
      p.unfilled,
      stops,
      arrivalMid,
      p.catchUp,
      trajectory?.kind === 'pov' ? povTarget(trajectory, now, req.parentId, instrument, this.deps.engine) : null,
      req.placement !== undefined ? { placement: req.placement } : null,
    );
    this.deps.twaps.register(req.parentId, scheduler, plan.intervalMs);
    scheduler.start();
  }
}

/** A placed parent's stops: a limit parent's limit price joins its never-worse price (a buy's
 *  lower, a sell's higher of the two). */
function placedStops(stops: EarlyStops, req: ParentRequest): EarlyStops {
  const limit = req.type === 'limit' ? req.limitPrice : undefined;
  if (limit === undefined) return stops;
  const worst = stops.worstPrice;
  const tighter = worst === undefined ? limit : req.side === 'buy' ? Math.min(worst, limit) : Math.max(worst, limit);
  return { ...stops, worstPrice: tighter };
}

/** The early stops an algorithm-run parent's children are held to: a TWAP's, its never-worse
 *  price apart (the runner holds children to the plan's worstPrice). */
function earlyStopsOf(stops: EarlyStops): { maxSpread: number; maxPriceDeviation: number; minLiquidity: number } {
  return { maxSpread: stops.maxSpread, maxPriceDeviation: stops.maxPriceDeviation, minLiquidity: stops.minLiquidity };
}

/** When a plan starts: the first whole millisecond at or after `now`. Schedules are whole
 *  milliseconds, while the clock reads a fraction of one when the parent starts on a venue's
 *  answer that came after a jittered latency (a reduce-only signal's parent starts on the
 *  venue's answer about the position). */
function planStart(now: number): number {
  return Math.ceil(now);
}
