// Scenario decimals to the engine's integers: TWAP parameters and the scenario's parent orders.
import type { ParentRequest, TwapParams } from '../core/engine/execution-engine.ts';
import { parentOrderId } from '../core/model/ids.ts';
import { makeInstrument, priceToTicks, qtyToLots, quoteToUnits, type Instrument } from '../core/model/instrument.ts';
import { InstrumentSet } from '../core/model/instrument-set.ts';
import type { Confirmation } from '../core/model/safety-events.ts';
import { algoTrajectory, type TrajectorySpec } from '../core/algo/trajectory.ts';
import { DEFAULT_ICEBERG_CHECK_MS, type IcebergParams } from '../core/algo/iceberg.ts';
import type { AlgoRequest } from '../core/algo/intent-algorithm.ts';
import { moduleRequest, type DeclaredAlgorithms } from '../core/algo/declared-algorithms.ts';
import type { AlgoEntry, TwapEntry } from './execution-schema.ts';
import { toPlacement } from './placement-schema.ts';
import type { ScenarioFile } from './scenario-fields.ts';
import { parseDurationMs } from '../core/model/time-fields.ts';

/** A scenario's `algo` block as the trajectory its slices follow; TWAP (or none): none, so a
 *  TWAP takes the exact path it always did. */
export function toTrajectory(a: AlgoEntry | undefined, inst: Instrument): TrajectorySpec | undefined {
  if (a === undefined || a.kind === 'iceberg' || a.kind === 'module') return undefined;
  return algoTrajectory(
    a,
    (q) => qtyToLots(inst, q),
    (field) => {
      // The schema requires every field a kind needs.
      throw new Error(`algo.${field}: missing after validation`);
    },
  );
}

/** An `algo` block that decides its children as it runs (iceberg, a user's module) as the
 *  engine's request over `durationMs` (the twap block's duration); any other: undefined. A
 *  module is named as written: its path (the host loads it relative to the file), or its declared
 *  name, its params the declared ones with the block's own replacing them key by key. */
export function toAlgoRequest(
  a: AlgoEntry | undefined,
  inst: Instrument,
  durationMs?: number,
  declared: DeclaredAlgorithms = {},
): AlgoRequest | undefined {
  if (a === undefined) return undefined;
  const horizon = durationMs === undefined ? {} : { durationMs };
  if (a.kind === 'module') {
    if (a.name === undefined) return { algo: 'module', module: a.path ?? '', params: a.params, ...horizon };
    return moduleRequest(a.name, a.params, declared, horizon);
  }
  if (a.kind !== 'iceberg') return undefined;
  const lots = (q: string): number => qtyToLots(inst, q);
  const params: IcebergParams = {
    displayMin: lots(a.display ?? (a.displayMin as string)),
    displayMax: lots(a.display ?? (a.displayMax as string)),
    ...(a.peg !== undefined
      ? { peg: { to: a.peg, ...(a.offsetTicks !== undefined ? { offsetTicks: a.offsetTicks } : {}) } }
      : {}),
    ...(a.repegTicks !== undefined ? { repegTicks: a.repegTicks } : {}),
    checkEveryMs: a.checkEvery !== undefined ? parseDurationMs(a.checkEvery) : DEFAULT_ICEBERG_CHECK_MS,
    end: a.end,
  };
  return { algo: 'iceberg', params, ...horizon };
}

export { moduleRequest, undeclared, type DeclaredAlgorithms } from '../core/algo/declared-algorithms.ts';

/** Scenario TWAP parameters to the engine's integers. */
export function toTwapParams(t: TwapEntry, inst: Instrument): TwapParams {
  return {
    durationMs: parseDurationMs(t.duration),
    ...(t.interval !== undefined ? { intervalMs: parseDurationMs(t.interval) } : { sliceCount: t.slices ?? 1 }),
    ...(t.maxSliceQty !== undefined ? { maxSliceQty: qtyToLots(inst, t.maxSliceQty) } : {}),
    ...(t.minSliceNotional !== undefined ? { minSliceNotionalUnits: quoteToUnits(inst, t.minSliceNotional) } : {}),
    ...(t.randomize !== undefined ? { randomize: t.randomize } : {}),
    ...(t.limitOffsetTicks !== undefined ? { limitOffsetTicks: t.limitOffsetTicks } : {}),
    ...(t.stopOffsetTicks !== undefined ? { stopOffsetTicks: t.stopOffsetTicks } : {}),
    unfilled: t.unfilled,
    catchUp: { mode: t.catchUp, maxMultiple: t.catchUpMaxMultiple },
    stops: {
      maxSpread: t.maxSpread,
      maxPriceDeviation: t.maxPriceDeviation,
      minLiquidity: qtyToLots(inst, t.minLiquidity),
      ...(t.worstPrice !== undefined ? { worstPrice: priceToTicks(inst, t.worstPrice) } : {}),
    },
  };
}

/** Scenario decimals to the engine's integers. */
export function toParentRequests(
  s: ScenarioFile,
  run: Instrument,
): Array<{ id: string; at: number; req: ParentRequest; confirm: readonly Confirmation[]; confirmedBy: string | null }> {
  const orders = s.orders.map((o) => {
    const inst = instrumentFor(s, run, o.symbol);
    const trajectory = toTrajectory(o.algo, inst);
    const algo = toAlgoRequest(o.algo, inst, parseDurationMs((o.twap ?? s.routing.defaultTwap).duration), s.algorithms);
    const placement = toPlacement(o.placement, inst);
    return {
      id: o.id,
      at: parseDurationMs(o.at),
      confirm: o.confirm,
      confirmedBy: o.confirmedBy ?? null,
      req: {
        parentId: parentOrderId(o.id),
        ...(o.symbol === undefined ? {} : { symbol: inst.symbol }),
        side: o.side,
        qty: qtyToLots(inst, o.qty),
        type: o.type,
        tif: o.tif ?? (o.type === 'market' ? 'IOC' : 'GTC'),
        ...(o.limitPrice === undefined ? {} : { limitPrice: priceToTicks(inst, o.limitPrice) }),
        ...(o.stopPrice === undefined ? {} : { stopPrice: priceToTicks(inst, o.stopPrice) }),
        ...(o.postOnly ? { postOnly: true } : {}),
        route: o.twap || o.algo || placement ? 'twap' : o.route,
        ...(o.twap ? { twap: toTwapParams(o.twap, inst) } : {}),
        ...(trajectory !== undefined ? { trajectory } : {}),
        ...(algo !== undefined ? { algo } : {}),
        ...(placement !== undefined ? { placement } : {}),
        ...(o.partialFillPolicy ? { partialFillPolicy: o.partialFillPolicy } : {}),
        source: 'scenario-order',
      } satisfies ParentRequest,
    };
  });
  return orders;
}

/** The instrument `symbol` names in the scenario: the run's when absent, else one of
 *  otherInstruments (the schema refused any other). */
export function instrumentFor(s: ScenarioFile, run: Instrument, symbol: string | undefined): Instrument {
  if (symbol === undefined || symbol === run.symbol) return run;
  const spec = s.otherInstruments.find((o) => o.symbol === symbol);
  if (!spec) throw new Error(`${symbol} is not traded by this scenario`);
  const { market: _market, base: _base, ...fields } = spec;
  return makeInstrument(fields);
}

/** Every instrument the scenario trades on its account, the run's first. */
export function scenarioInstruments(s: ScenarioFile, run: Instrument): InstrumentSet {
  return InstrumentSet.of([run, ...s.otherInstruments.map((o) => instrumentFor(s, run, o.symbol))]);
}
