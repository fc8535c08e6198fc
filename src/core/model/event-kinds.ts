// Every kind of event a run's log may hold, as a value: what a reader filtering the log by kind
// (GET /runs/{id}/events?kinds=, the run page) checks a name against, so that a misspelt kind is
// refused with the kind it most likely meant rather than answered with an empty log. A record
// over ExecEvent's kinds, so the compiler fails when an event kind is added or renamed and not
// here. A kind filters a log; MarketSampled is one, though its samples are stored beside the log.
import { closestKey } from '../config/closest-key.ts';
import type { ExecEvent } from './events.ts';

const KINDS: Readonly<Record<ExecEvent['kind'], true>> = {
  RunStarted: true,
  ParentOrderCreated: true,
  ParentOrderCompleted: true,
  ParentRejected: true,
  ParentStopped: true,
  ParentCancelRequested: true,
  SliceSkipped: true,
  OrderCreated: true,
  SubmitOrder: true,
  CancelOrder: true,
  ChildAmended: true,
  OrderAbandoned: true,
  FillReport: true,
  OrderStatusReport: true,
  AckReport: true,
  RejectReport: true,
  RetryableRejectReport: true,
  CancelReport: true,
  CancelRejectReport: true,
  ExpiredReport: true,
  OutcomeUnknownReport: true,
  OrderNotFoundReport: true,
  QueryFailedReport: true,
  OpenOrdersReport: true,
  OrdersPageReport: true,
  AccountReport: true,
  ConnectionReport: true,
  OrderStatusChanged: true,
  DiscrepancyRecorded: true,
  ReportIgnored: true,
  FillInferred: true,
  InferredFillMatched: true,
  CommissionUnvalued: true,
  FaultApplied: true,
  KillSwitchChanged: true,
  CircuitBreakerTripped: true,
  CircuitBreakerReset: true,
  TwapPlanned: true,
  MarketBenchmark: true,
  MarketDataGap: true,
  MarketDataRebuilt: true,
  MarketDataEnded: true,
  ModelWarning: true,
  MarketSampled: true,
  FillMonitorStarted: true,
  FillStatusObserved: true,
  FillVerified: true,
  FillQueryFailed: true,
  PartialFillDetected: true,
  FillDeadlineReached: true,
  FillMonitorEnded: true,
  SlippageWarning: true,
  PositionChecked: true,
  PositionCheckDeferred: true,
  PositionSyncStarted: true,
  FillAudit: true,
  SignalReceived: true,
  SignalRejected: true,
  SignalAccepted: true,
  SignalRegistered: true,
  SignalExecuted: true,
  LargeOrderConfirmed: true,
  ProcessRestarted: true,
  StartupGateChanged: true,
  ReconciliationStarted: true,
  ReconciliationMismatch: true,
  ReconciliationUnresolved: true,
  ReconciliationCompleted: true,
  OrphanDetected: true,
  OrphanResolved: true,
  OrphanResolutionRefused: true,
  SliceRecovered: true,
  AccountBaseline: true,
  PositionCorrected: true,
  RequestDecided: true,
  StrategyStarted: true,
  StrategyHydration: true,
  StrategyOutputRefused: true,
  StrategyFailed: true,
  StrategySwapRequested: true,
  StrategySwapDecided: true,
  DailyVolumeRead: true,
  LiquidityCapOff: true,
  AlgoPlanned: true,
  AlgoMemo: true,
  AlgoIntentRefused: true,
  MarketDataDegraded: true,
  MarketDataFallbackExpired: true,
  MarketDataRestored: true,
  ReplayStats: true,
};

/** Every event kind, in no particular order. */
export const EXEC_EVENT_KINDS: readonly ExecEvent['kind'][] = Object.keys(KINDS) as ExecEvent['kind'][];

const KNOWN: ReadonlySet<string> = new Set(EXEC_EVENT_KINDS);

/** Why `kind` names no event kind, with the kind it most likely meant; null for a kind. */
export function unknownEventKind(kind: string): string | null {
  if (KNOWN.has(kind)) return null;
  const near = closestKey(kind, EXEC_EVENT_KINDS);
  return near === null
    ? `${JSON.stringify(kind)} is no event kind (kinds are names such as FillReport, OrderStatusChanged, SliceSkipped)`
    : `${JSON.stringify(kind)} is no event kind; did you mean ${near}?`;
}
