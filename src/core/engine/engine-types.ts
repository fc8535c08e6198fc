// The engine's request and dependency types: a parent order as the router takes it, TWAP
// parameters in the engine's integers, the routing policy and what the engine is built from.
import type { AlgorithmResolver, AlgoRequest } from '../algo/intent-algorithm.ts';
import type { CatchUp, EarlyStops } from '../algo/slice-scheduler.ts';
import type { Placement } from '../algo/placement.ts';
import type { TrajectorySpec } from '../algo/trajectory.ts';
import type { TwapRandomize } from '../algo/twap-slicer.ts';
import type { Rng } from '../clock/rng.ts';
import type { FillConfig, PartialFillPolicy } from '../fills/fill-config.ts';
import type { EventLog } from '../log/event-log.ts';
import type { Instrument } from '../model/instrument.ts';
import type { InstrumentSet } from '../model/instrument-set.ts';
import type { ParentOrderId, Symbol } from '../model/ids.ts';
import type { OrderType, Side, TimeInForce } from '../model/order.ts';
import type { OrderLedger } from '../order/order-ledger.ts';
import type { Broker, MarketDataPort } from '../ports/broker.ts';
import type { Clock } from '../ports/clock.ts';
import type { BreakerConfig } from '../risk/breaker-config.ts';
import type { TradingHours } from '../venues/nyse-calendar.ts';
import type { RetryPolicy } from './order-retry.ts';
import type { LiquidityPolicy } from './liquidity-book.ts';
import type { MinuteVolumeSource } from '../algo/history-profile.ts';

export interface TwapParams {
  readonly durationMs: number;
  readonly intervalMs?: number;
  readonly sliceCount?: number;
  readonly maxSliceQty?: number;
  readonly minSliceNotionalUnits?: number;
  readonly randomize?: TwapRandomize;
  readonly limitOffsetTicks?: number;
  readonly stopOffsetTicks?: number;
  readonly unfilled: 'carry' | 'drop';
  readonly stops: EarlyStops;
  /** After a restart (carry): the missed quantity spread over the slices left, no slice above
   *  maxMultiple times its planned size; or sent at once. Absent: DEFAULT_CATCH_UP. */
  readonly catchUp?: CatchUp;
}

export interface ParentRequest {
  readonly parentId: ParentOrderId;
  /** The instrument traded; absent: the node's first (the run's symbol). */
  readonly symbol?: Symbol;
  readonly side: Side;
  /** Lots. */
  readonly qty: number;
  readonly type: OrderType;
  readonly tif: TimeInForce;
  readonly limitPrice?: number;
  readonly stopPrice?: number;
  readonly postOnly?: boolean;
  /** auto: TWAP above the routing threshold, one order below it. */
  readonly route: 'auto' | 'single' | 'twap';
  /** TWAP parameters; the routing default applies when absent. */
  readonly twap?: TwapParams;
  /** The target trajectory a sliced parent's slices follow (algo/trajectory.ts) on the TWAP's
   *  slice grid; absent: TWAP's straight line. */
  readonly trajectory?: TrajectorySpec;
  /** An algorithm that decides the children as it runs (an iceberg, a user's module:
   *  algo/intent-runner.ts) over this horizon, instead of a trajectory on a slice grid. A parent
   *  routed single ignores it. Its never-worse price: the parent's limit, else twap.stops. */
  readonly algo?: AlgoRequest;
  /** How a sliced parent's children are placed (algo/placement.ts), whatever its trajectory:
   *  passive limits crossing when behind, or chased limits; absent: as its type makes them. */
  readonly placement?: Placement;
  readonly source: string;
  /** Overrides the fill detection config's policy for this parent's orders. */
  readonly partialFillPolicy?: PartialFillPolicy;
  /** Only reduce the venue's position: the order manager checks it against the venue's position
   *  and open orders before the parent is made (never on the caller's word). */
  readonly reduceOnly?: boolean;
}

export interface RoutingPolicy {
  /** Parents above this notional (the run's symbol's notional units: ticks x lots) go through
   *  TWAP when routed auto. */
  readonly twapThresholdUnits: number;
  readonly defaultTwap: TwapParams;
}

export interface EngineDeps {
  readonly clock: Clock;
  readonly log: EventLog;
  readonly ledger: OrderLedger;
  readonly broker: Broker;
  readonly marketData: MarketDataPort;
  /** The run's symbol's instrument (the first of `instruments`). */
  readonly instrument: Instrument;
  /** Every instrument the node trades on the account; absent: `instrument` alone. */
  readonly instruments?: InstrumentSet;
  readonly rng: Rng;
  readonly routing: RoutingPolicy;
  readonly hours?: TradingHours;
  readonly retry?: RetryPolicy;
  /** Fill detection (monitoring every sent order); absent: pushes and retry lookups only. */
  readonly fills?: FillConfig;
  /** Why new orders on this symbol must wait (an unresolved orphan), or null. */
  readonly quarantine?: (symbol: Symbol) => string | null;
  /** Automatic circuit breaker conditions (rejects, errors...); absent: manual trips only. */
  readonly breaker?: BreakerConfig;
  /** Quote price of a commission asset, for fees charged in another asset. */
  readonly priceOf?: (asset: string) => number | null;
  /** TWAP slices capped at a share of average daily volume; absent: no cap, nothing logged. */
  readonly liquidity?: LiquidityPolicy;
  /** Minute bars before a VWAP's start, for `profile: history`; absent: such a VWAP falls back
   *  to the venue's default profile, saying why. */
  readonly volumeHistory?: MinuteVolumeSource;
  /** Finds a user's algorithm module a parent names (the host loads it); absent: built-in
   *  algorithms only. */
  readonly algorithms?: AlgorithmResolver;
}

export interface CancelResult {
  /** Slices never sent, now cancelled. */
  readonly cancelledSlices: number;
  /** Children working at the venue we asked to cancel. */
  readonly cancelRequests: number;
  /** Lots already filled when the cancel was made. */
  readonly filledQty: number;
}
