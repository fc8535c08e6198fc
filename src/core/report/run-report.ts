// The run report as a fold over the event log: per-parent execution figures (filled quantity,
// average price, arrival price, implementation shortfall, fees) and whole-run counts. Built from
// log entries only, so the same fold serves a live run and a run read back from the store; a
// backtest's fold reads the orders from its process's ledger instead of folding them again
// (follow()).
import { ReconMetricsFold, type ReconMetrics } from './recon-metrics.ts';
import type { LogEntry } from '../model/events.ts';
import { fractionalTicksToPrice, lotsToQty, unitsToQuote, type Instrument } from '../model/instrument.ts';
import { sideSign } from '../model/order.ts';
import type { OrderStatus } from '../model/order-status.ts';
import { OrderLedger } from '../order/order-ledger.ts';
import { FillMetricsFold, type FillMetrics } from './fill-metrics.ts';
import { ChildNotesFold, type ChildNote, type FaultSummary } from './child-notes.ts';
import type { OrderState } from '../order/apply-event.ts';
import { ReplayMetricsFold, type ReplayMetrics } from './replay-metrics.ts';
import { ModelWarningsFold, type ModelWarningSummary } from './model-warnings.ts';
import { StrategySummaryFold, type StrategySummary } from './strategy-summary.ts';
import { DiscrepancyFold, type DiscrepancySummary } from './discrepancies.ts';
import { unvaluedByAsset } from './unvalued-fees.ts';
import { PnlFold, type PnlReport } from './pnl-fold.ts';
import type { TradesReport } from './trade-fold.ts';
import { QuoteFallbackMetricsFold, type QuoteFallbackMetrics } from './quote-fallback-metrics.ts';
import { icebergWarning, planWarnings, type PlanWarning } from './plan-warnings.ts';
import { CostFold } from './cost-fold.ts';
import type { ParentCosts, RunCosts } from './cost-figures.ts';
import { profileSource } from './profile-source.ts';

/** One symbol's position at the end of the run, as decimal quantities of its base: ours (the
 *  account's baseline plus our fills and corrections) and the venue's. */
export interface PositionReport {
  readonly symbol: string;
  readonly ours: string;
  readonly venue: string;
}

export interface ParentReport {
  readonly id: string;
  /** Its symbol, when the node trades several. */
  readonly symbol?: string;
  readonly side: 'buy' | 'sell';
  readonly qty: string;
  readonly filledQty: string;
  readonly avgPrice: string | null;
  /** Mid when the parent started (or the one side that existed). */
  readonly arrivalPrice: string | null;
  /** Implementation shortfall vs arrival in basis points; positive = cost. */
  readonly shortfallBps: number | null;
  /** The same in quote currency: side x (avg - arrival) x filled; positive = cost. */
  readonly shortfallQuote: string | null;
  /** Filled / ordered, 0..1. */
  readonly fillRatio: number;
  /** When the parent was created (its start), epoch ms: what its slices' times count from. */
  readonly startedAt: number;
  /** From the parent's creation to its completion, ms; null while working. */
  readonly durationMs: number | null;
  readonly fees: string;
  /** Commissions its fills paid in an asset no price was known for (CommissionUnvalued), summed
   *  per asset as the venue stated them: `fees` leaves them out. Empty when there are none. */
  readonly unvaluedFees: ReadonlyArray<{ readonly asset: string; readonly amount: string }>;
  /** What the parent cost against its arrival price, fees included: shortfallQuote + fees, in
   *  quote currency and in bps of the arrival value of what filled; positive = cost. */
  readonly totalCostQuote: string | null;
  readonly totalCostBps: number | null;
  readonly childOrders: number;
  readonly status: 'filled' | 'partially_filled' | 'unfilled' | 'working';
  readonly route: 'single' | 'twap' | 'algo';
  /** The algorithm a sliced parent's slices follow (twap, vwap, is: implementation shortfall,
   *  pov), or that decides its children as it runs (iceberg, module: a user's); null for a
   *  single order. */
  readonly algo: 'twap' | 'vwap' | 'is' | 'pov' | 'iceberg' | 'module' | null;
  /** Where a VWAP's volume profile came from (profile-source.ts); null for any other parent. */
  readonly profile: string | null;
  /** Slices (children) sent to the venue at least once, of the plan's total (an algorithm
   *  deciding as it runs: of the children it placed). */
  readonly slicesExecuted: number;
  readonly totalSlices: number;
  readonly stoppedEarly: boolean;
  readonly stopReason: string | null;
  /** Its algorithm failed (threw, ran past its budget, looped, or returned a malformed decision):
   *  the stop reason says how. A run fails on it unless it expects it (algorithmFailed). */
  readonly algorithmFailed: boolean;
  /** Market VWAP and time-weighted mid over the parent's horizon (prices), null if none. */
  readonly marketVwap: string | null;
  readonly marketTwap: string | null;
  /** Our average price against them, in bps; positive = we paid more (bought) / got less (sold). */
  readonly vwapSlippageBps: number | null;
  readonly twapSlippageBps: number | null;
  /** Our filled quantity over everyone's volume in the horizon (ours included), 0..1; null
   *  when the benchmark cannot give it (benchmarkNote says why). */
  readonly participationRate: number | null;
  /** Why the market benchmark is not whole (it covered part of the horizon, or saw less volume
   *  than we filled); null when it is. */
  readonly benchmarkNote: string | null;
  /** Slices never sent, grouped by why (a guard, an early stop, nothing left to send, ...). */
  readonly unsent: ReadonlyArray<{ readonly reason: string; readonly slices: number }>;
  /** What it cost, decomposed (delay, timing, spread, opportunity, fees), its markouts and
   *  reversion, beside its slippage and participation (cost-fold.ts, cost-figures.ts). */
  readonly costs: ParentCosts;
  readonly children: readonly ChildReport[];
}

/** One child order: when it was due and sent, what it got, and why it ended as it did. */
export interface ChildReport {
  readonly sliceNum: number;
  readonly clientOrderId: string;
  readonly status: OrderStatus;
  /** What happened: its status once sent; 'not_sent' (skipped, cancelled or given up before it
   *  went out) or 'pending' (not due yet) otherwise. */
  readonly outcome: OrderStatus | 'not_sent' | 'pending';
  readonly qty: string;
  readonly filledQty: string;
  readonly avgPrice: string | null;
  /** Epoch ms: the slice's scheduled time, and its first send (null: never sent). */
  readonly scheduledAt: number;
  readonly sentAt: number | null;
  readonly attempts: number;
  /** Why it did not fill or was not sent (a skip, a refusal, our cancel, an expiry, an
   *  abandonment), with the venue's code when the venue refused it. */
  readonly reason: string | null;
  readonly code: string | null;
}

/** `discrepancies` counts every way our record was found to disagree with the venue
 *  (discrepancies.ts). */
export interface LogSummary extends DiscrepancySummary {
  readonly events: number;
  /** Trades applied to our orders (from fill reports or lookup answers; duplicates not counted). */
  readonly fills: number;
  /** Client order ids the venue acknowledged more than once under different venue ids. */
  readonly duplicateOrders: readonly string[];
  readonly parents: readonly ParentReport[];
  /** Each signal's fate (the last decision about it): accepted with its parent, or rejected. */
  readonly signals: ReadonlyArray<{
    readonly id: string;
    readonly outcome: 'accepted' | 'rejected';
    readonly stage: string | null;
    readonly code: string | null;
    /** The refusal in words (the kill switch's, the breaker's, the duplicate it copies, ...),
     *  else null. */
    readonly reason: string | null;
    readonly parentId: string | null;
  }>;
  /** Fill detection metrics; null when no order was monitored. */
  readonly fillDetection: FillMetrics | null;
  /** Restarts, reconciliation and recovery (recon-metrics.ts). */
  readonly reconciliation: ReconMetrics;
  /** Parents refused before they were created: pre-trade denials and TWAP plans that failed. */
  readonly rejectedParents: ReadonlyArray<{
    readonly id: string;
    readonly stage: string;
    readonly code: string | null;
    readonly reason: string;
  }>;
  /** What the faults did to our orders (child-notes.ts). */
  readonly faults: FaultSummary;
  /** Replay statistics (replay-metrics.ts); null unless the market is a replay. */
  readonly replay: ReplayMetrics | null;
  /** The market model's warnings, per kind (model-warnings.ts). */
  readonly modelWarnings: readonly ModelWarningSummary[];
  /** What the TWAP planner changed of what was asked (slice count, interval, slice size), one
   *  warning per change, and an iceberg's display worth less than the minimum notional, parents
   *  in the order they were created (plan-warnings.ts). */
  readonly warnings: readonly PlanWarning[];
  /** The run's strategy module: warm-up, signals, failure (null: the run has none). */
  readonly strategy: StrategySummary | null;
  /** Time and reads on the quote fallback (quote-fallback-metrics.ts); null when the market data
   *  never degraded. */
  readonly quoteFallback: QuoteFallbackMetrics | null;
  /** Each symbol's position at the end (the run's first), ours and the venue's, from the end-of-run
   *  audit; empty without one. */
  readonly positions: readonly PositionReport[];
  /** Profit and loss of the run's trading, per symbol and in all (pnl-fold.ts). */
  readonly pnl: PnlReport;
  /** The round trips of the run's trading and their statistics (trade-fold.ts). */
  readonly trades: TradesReport;
  /** The parents' costs summed, and the markouts over every fill of the run (cost-fold.ts, cost-figures.ts). */
  readonly costs: RunCosts;
}

export class RunReportFold {
  /** The orders as the log has them: the fold's own, or (after follow()) a running process's,
   *  which applies every entry right after this fold is handed it. */
  private ledger = new OrderLedger();
  private followed = false;
  /** With a followed ledger: the last entry added, whose applied trades are counted once that
   *  ledger has applied it (at the next add or summary). */
  private pending: LogEntry | null = null;
  private lastSeq = 0;
  private events = 0;
  private fills = 0;
  private readonly venueIds = new Map<string, Set<string>>();
  private readonly slices = new Map<string, number>();
  private readonly duplicates = new Set<string>();
  private readonly benchmarks = new Map<string, Extract<LogEntry['event'], { kind: 'MarketBenchmark' }>>();
  /** When each symbol's replayed recording ran out (MarketDataEnded), and after how many messages. */
  private readonly dataEnded = new Map<string, { readonly at: number; readonly messages: number }>();
  /** When the run ended, as its host marked it (markEnd). */
  private endAt: number | null = null;
  /** The plans of parents run by an intent-driven algorithm (an iceberg's display is warned of). */
  private readonly algoPlans = new Map<string, Extract<LogEntry['event'], { kind: 'AlgoPlanned' }>>();
  /** Each stopped parent's first stop (the one its stop reason is): whether its algorithm failed. */
  private readonly stops = new Map<string, boolean>();
  /** Commissions without a value, by the order that paid them. */
  private readonly unvalued = new Map<string, Array<{ asset: string; amount: string }>>();

  private readonly fillMetrics = new FillMetricsFold();
  private readonly signals: LogSummary['signals'][number][] = [];
  private readonly rejectedParents: LogSummary['rejectedParents'][number][] = [];
  private readonly reconMetrics = new ReconMetricsFold();
  private readonly notes = new ChildNotesFold();
  private readonly replayMetrics = new ReplayMetricsFold();
  private readonly modelWarnings = new ModelWarningsFold();
  private readonly strategy = new StrategySummaryFold();
  private readonly discrepancies = new DiscrepancyFold();
  private readonly pnl: PnlFold;
  private readonly quoteFallback = new QuoteFallbackMetricsFold();
  private readonly costs: CostFold;
  private positions: PositionReport[] = [];

  /** `others`: the further instruments of a node trading several; each parent's figures are in
   *  its own symbol's units. */
  constructor(
    private readonly instrument: Instrument,
    private readonly others: readonly Instrument[] = [],
    markoutHorizonsMs?: readonly number[],
    /** The equity curve's sampling interval for the statistics (absent: trade-fold.ts's default). */
    equityIntervalMs?: number,
  ) {
    this.pnl = new PnlFold([instrument, ...others], equityIntervalMs);
    this.costs = new CostFold(instrument.symbol, markoutHorizonsMs);
  }

  private instrumentOf(symbol: string): Instrument {
    if (this.others.length === 0) return this.instrument;
    return this.others.find((i) => i.symbol === symbol) ?? this.instrument;
  }

  /**
   * Reads the orders from `ledger` from now on instead of folding them a second time: a running
   * process's ledger, which has applied exactly the entries added here so far and applies every
   * entry appended after, right after the log hands it to this fold (appendAndFold). A run folds
   * each entry once instead of twice. A followed ledger that has not applied an entry when its
   * trades are counted is an error, not a quietly wrong report.
   */
  follow(ledger: OrderLedger): void {
    this.settle();
    if (ledger.appliedSeq !== this.lastSeq)
      throw new Error(
        `run report: a ledger at entry ${ledger.appliedSeq} cannot be followed from entry ${this.lastSeq}`,
      );
    this.ledger = ledger;
    this.followed = true;
  }

  add(entry: LogEntry): void {
    // A market sample is no entry of the log (EventLog.sample) and concerns no order: the run's
    // events are its entries. It marks the run's symbol for the P&L, after the trades of the
    // entry it follows.
    if (entry.event.kind === 'MarketSampled') {
      this.settle();
      this.pnl.add(entry, this.ledger);
      this.costs.add(entry);
      return;
    }
    this.settle();
    this.costs.add(entry);
    this.lastSeq = entry.seq;
    this.events++;
    this.fillMetrics.add(entry);
    this.reconMetrics.add(entry);
    this.replayMetrics.add(entry);
    this.modelWarnings.add(entry);
    this.strategy.add(entry);
    this.discrepancies.add(entry);
    this.quoteFallback.add(entry);
    if (entry.event.kind === 'SignalAccepted')
      this.signals.push({
        id: entry.event.signalId,
        outcome: 'accepted',
        stage: null,
        code: null,
        reason: null,
        parentId: entry.event.parentId,
      });
    else if (entry.event.kind === 'SignalRejected')
      this.signals.push({
        id: entry.event.signalId,
        outcome: 'rejected',
        stage: entry.event.stage,
        code: entry.event.code,
        reason: entry.event.reason,
        parentId: null,
      });
    const e = entry.event;
    if (e.kind === 'ParentRejected')
      this.rejectedParents.push({ id: e.parentId, stage: e.stage ?? 'plan', code: e.code ?? null, reason: e.reason });
    if (e.kind === 'MarketBenchmark') this.benchmarks.set(e.parentId, e);
    else if (e.kind === 'MarketDataEnded')
      this.dataEnded.set(e.symbol ?? this.instrument.symbol, { at: entry.time, messages: e.messages });
    if (e.kind === 'AlgoPlanned') this.algoPlans.set(e.parentId, e);
    if (e.kind === 'ParentStopped' && !this.stops.has(e.parentId))
      this.stops.set(e.parentId, e.algorithmFailed === true);
    if (e.kind === 'CommissionUnvalued') {
      const list = this.unvalued.get(e.clientOrderId) ?? [];
      list.push({ asset: e.asset, amount: e.amount });
      this.unvalued.set(e.clientOrderId, list);
    }
    if (e.kind === 'FillAudit') {
      const at = (inst: Instrument, ours: number, venue: number): PositionReport => ({
        symbol: inst.symbol,
        ours: lotsToQty(inst, ours),
        venue: lotsToQty(inst, venue),
      });
      this.positions = [
        at(this.instrument, e.expectedPosition, e.venuePosition),
        ...(e.others ?? []).map((o) => at(this.instrumentOf(o.symbol), o.expectedPosition, o.venuePosition)),
      ];
    }
    if (e.kind === 'AckReport') {
      const ids = this.venueIds.get(e.clientOrderId) ?? new Set<string>();
      ids.add(e.venueOrderId);
      this.venueIds.set(e.clientOrderId, ids);
      if (ids.size > 1) this.duplicates.add(e.clientOrderId);
    }
    // A chaser's replacement re-prices its slice (sent only once the child it replaces ended):
    // it is no second order for the slice; its venue ids are checked as every order's are.
    if (e.kind === 'OrderCreated' && e.replaces === undefined) {
      const key = `${e.parentId}#${e.sliceNum}`;
      const n = (this.slices.get(key) ?? 0) + 1;
      this.slices.set(key, n);
      if (n > 1) this.duplicates.add(e.clientOrderId);
    }
    this.pnl.add(entry, this.ledger);
    if (this.followed) this.pending = entry;
    else {
      this.ledger.apply(entry);
      this.trades(entry);
    }
  }

  /** Counts the trades the followed ledger applied for the pending entry. */
  private settle(): void {
    const entry = this.pending;
    if (entry === null) return;
    this.pending = null;
    if (this.ledger.appliedSeq !== entry.seq)
      throw new Error(
        `run report: the followed ledger has not applied entry ${entry.seq} (at ${this.ledger.appliedSeq})`,
      );
    this.trades(entry);
  }

  private trades(entry: LogEntry): void {
    const n = this.ledger.appliedTrades.length;
    this.fills += n;
    this.notes.add(entry, n);
    if (n > 0) {
      this.pnl.trades(this.ledger.appliedTrades, this.ledger, entry.time);
      this.costs.trades(entry, this.ledger.appliedTrades, this.ledger);
    }
  }

  /**
   * The book of `symbol` as the run ended (ticks; null for an empty side): the P&L's last mark,
   * given by the run's host, which has the market (pnl-fold.ts). Not an entry: the log and its
   * digest stay what they were. `at`: when the run ended (markouts past it are unavailable);
   * without it, the last time the log saw.
   */
  markEnd(symbol: string, top: { readonly bid: number | null; readonly ask: number | null }, at?: number): void {
    this.settle();
    if (at !== undefined) this.endAt = at;
    this.pnl.markEnd(symbol, top.bid, top.ask, at);
    this.costs.end(symbol, top.bid, top.ask, at);
  }

  /** A warning per symbol whose replayed recording ran out before the run ended: after it the
   *  book held its last state and no one else traded, so fills there are against a frozen book. */
  private dataEndedWarnings(): ModelWarningSummary[] {
    const end = this.endAt;
    return [...this.dataEnded]
      .filter(([, d]) => end === null || d.at < end)
      .map(([symbol, d]) => ({
        model: 'replay',
        warning: 'data_ended',
        count: 1,
        firstAt: d.at,
        first:
          `${symbol}: the recording ran out after ${d.messages} messages` +
          `${end === null ? '' : `, ${((end - d.at) / 1000).toFixed(1)} s before the run ended`}: ` +
          'after it the book held its last state and no one else traded',
      }));
  }

  summary(): LogSummary {
    this.settle();
    const parents: ParentReport[] = [];
    const warnings: PlanWarning[] = [];
    for (const [id, parent] of this.ledger.parents) {
      const spec = parent.spec;
      const inst = this.instrumentOf(spec.symbol);
      if (parent.plan !== null) warnings.push(...planWarnings(id, parent.plan, inst));
      const algoPlan = this.algoPlans.get(id);
      const display = algoPlan === undefined ? null : icebergWarning(id, algoPlan, spec, inst);
      if (display !== null) warnings.push(display);
      const children = this.ledger.childrenOf(id);
      const filled = children.reduce((s, c) => s + c.filledQty, 0);
      const notional = children.reduce((s, c) => s + c.filledNotional, 0);
      const fees = children.reduce((s, c) => s + c.fees, 0);
      const arrival = arrivalTicks(spec.arrivalBid, spec.arrivalAsk);
      const avg = filled > 0 ? notional / filled : null;
      const shortfall =
        avg !== null && arrival !== null ? round2((sideSign(spec.side) * (avg - arrival) * 10_000) / arrival) : null;
      // (avg - arrival) x filled in notional units: avg x filled is exactly the filled notional.
      const shortfallUnits =
        arrival !== null && filled > 0 ? sideSign(spec.side) * (notional - arrival * filled) : null;
      const costUnits = shortfallUnits === null ? null : shortfallUnits + fees;
      const unvalued = unvaluedByAsset(children.flatMap((c) => this.unvalued.get(c.request.clientOrderId) ?? []));
      const bench = this.benchmarks.get(id);
      const against = (ref: number | null | undefined) =>
        avg !== null && ref !== null && ref !== undefined
          ? round2((sideSign(spec.side) * (avg - ref) * 10_000) / ref)
          : null;
      // A benchmark window that began after the recording ran out saw no market but ours.
      const ended = this.dataEnded.get(spec.symbol);
      const noMarket = bench !== undefined && ended !== undefined && ended.at <= bench.from;
      const vwapSlippageBps = noMarket ? null : against(bench?.vwap);
      const twapSlippageBps = noMarket ? null : against(bench?.twapMid);
      const share = participation(inst, filled, bench, ended?.at);
      parents.push({
        id,
        ...(this.others.length > 0 ? { symbol: spec.symbol } : {}),
        side: spec.side,
        qty: lotsToQty(inst, spec.qty),
        filledQty: lotsToQty(inst, filled),
        avgPrice: avg === null ? null : fractionalTicksToPrice(inst, avg),
        arrivalPrice: arrival === null ? null : fractionalTicksToPrice(inst, arrival),
        shortfallBps: shortfall,
        shortfallQuote: shortfallUnits === null ? null : unitsToQuote(inst, Math.round(shortfallUnits)),
        fillRatio: Math.round((filled / spec.qty) * 1e6) / 1e6,
        startedAt: parent.createdAt,
        durationMs: parent.completed ? parent.completed.at - parent.createdAt : null,
        fees: unitsToQuote(inst, fees),
        unvaluedFees: unvalued,
        totalCostQuote: costUnits === null ? null : unitsToQuote(inst, Math.round(costUnits)),
        totalCostBps: costUnits === null || arrival === null ? null : round2((costUnits * 10_000) / (arrival * filled)),
        childOrders: children.length,
        status: parent.completed?.status ?? 'working',
        route: spec.route,
        algo:
          spec.route === 'single'
            ? null
            : spec.route === 'algo'
              ? parent.algo === 'iceberg'
                ? 'iceberg'
                : 'module'
              : algoName(parent.plan?.trajectory?.kind),
        profile: profileSource(parent.plan?.trajectory),
        // An algorithm deciding as it runs: each child is its own; on a grid, slices with a child
        // sent (a chaser's replacements re-price their slice, not add one).
        slicesExecuted:
          spec.route === 'algo'
            ? children.filter((c) => c.attempts > 0).length
            : new Set(children.filter((c) => c.attempts > 0).map((c) => c.request.sliceNum)).size,
        totalSlices: spec.route === 'algo' ? children.length : spec.totalSlices,
        stoppedEarly: parent.stopReason !== null,
        stopReason: parent.stopReason,
        algorithmFailed: this.stops.get(id) === true,
        marketVwap: !noMarket && bench?.vwap != null ? fractionalTicksToPrice(inst, bench.vwap) : null,
        marketTwap: !noMarket && bench?.twapMid != null ? fractionalTicksToPrice(inst, bench.twapMid) : null,
        vwapSlippageBps,
        twapSlippageBps,
        ...share,
        unsent: unsentReasons(
          children.map((c) => this.notes.noteOf(id, c)),
          children,
        ),
        costs: this.costs.parent(id, parent, inst, fees, {
          slippage: { arrivalBps: shortfall, vwapBps: vwapSlippageBps, twapBps: twapSlippageBps },
          participationRate: share.participationRate,
        }),
        children: children.map((c): ChildReport => {
          const note = this.notes.noteOf(id, c);
          const sent = c.attempts > 0;
          return {
            sliceNum: c.request.sliceNum,
            clientOrderId: c.request.clientOrderId,
            status: c.status,
            outcome: sent ? c.status : c.status === 'pending_new' ? 'pending' : 'not_sent',
            qty: lotsToQty(inst, c.request.qty),
            filledQty: lotsToQty(inst, c.filledQty),
            avgPrice: c.filledQty > 0 ? fractionalTicksToPrice(inst, c.filledNotional / c.filledQty) : null,
            scheduledAt: c.request.scheduledTime,
            sentAt: note.firstSentAt,
            attempts: c.attempts,
            reason: c.status === 'filled' ? null : note.reason,
            code: c.status === 'filled' ? null : note.code,
          };
        }),
      });
    }
    return {
      events: this.events,
      fills: this.fills,
      ...this.discrepancies.summary(this.ledger, this.instrument),
      duplicateOrders: [...this.duplicates],
      parents,
      fillDetection: this.fillMetrics.summary(),
      signals: [...this.signals],
      rejectedParents: [...this.rejectedParents],
      reconciliation: this.reconMetrics.summary(),
      faults: this.notes.faults(),
      replay: this.replayMetrics.summary(),
      modelWarnings: [...this.modelWarnings.summary(), ...this.dataEndedWarnings()],
      warnings,
      strategy: this.strategy.summary(),
      quoteFallback: this.quoteFallback.summary(),
      positions: [...this.positions],
      pnl: this.pnl.summary(this.ledger, this.unvalued),
      trades: this.pnl.roundTripReport(),
      costs: this.costs.run(),
    };
  }
}

/** The slices never sent, grouped by reason (in order of first appearance). */
function unsentReasons(notes: readonly ChildNote[], children: readonly OrderState[]): ParentReport['unsent'] {
  const by = new Map<string, number>();
  children.forEach((c, i) => {
    if (c.attempts > 0 || c.status === 'pending_new') return;
    const reason = notes[i]?.reason ?? 'not sent';
    by.set(reason, (by.get(reason) ?? 0) + 1);
  });
  return [...by].map(([reason, slices]) => ({ reason, slices }));
}

/**
 * Our share of the market's volume over the parent's horizon. A benchmark that covered only part
 * of the horizon, or saw less volume than we filled (ours is part of it), missed volume: its share
 * would overstate ours, up to more than 100%, so there is none and the note says why.
 */
function participation(
  inst: Instrument,
  filled: number,
  bench: Extract<LogEntry['event'], { kind: 'MarketBenchmark' }> | undefined,
  /** When the replayed recording of the parent's symbol ran out, if it did. */
  dataEndedAt?: number,
): Pick<ParentReport, 'participationRate' | 'benchmarkNote'> {
  if (bench === undefined) return { participationRate: null, benchmarkNote: null };
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  const note =
    dataEndedAt !== undefined && dataEndedAt <= bench.from
      ? `no market data: the recording ran out ${seconds(bench.from - dataEndedAt)} before the parent began`
      : dataEndedAt !== undefined && dataEndedAt < bench.to
        ? `partial: the recording ran out ${seconds(dataEndedAt - bench.from)} into the parent's ${seconds(bench.to - bench.from)}`
        : bench.coveredFrom !== undefined
          ? `partial: market data covered only the last ${seconds(bench.to - bench.coveredFrom)} of the parent's ${seconds(bench.to - bench.from)}`
          : bench.volume < filled
            ? `market volume seen (${lotsToQty(inst, Math.floor(bench.volume))}) is below our filled ${lotsToQty(inst, filled)}: the window missed volume`
            : null;
  const rate = note === null && bench.volume > 0 ? Math.round((filled / bench.volume) * 1e6) / 1e6 : null;
  return { participationRate: rate, benchmarkNote: note };
}

function arrivalTicks(bid: number | null, ask: number | null): number | null {
  if (bid !== null && ask !== null) return (bid + ask) / 2;
  return bid ?? ask;
}

const round2 = (x: number): number => Math.round(x * 100) / 100 + 0; // + 0 turns -0 into 0

const algoName = (kind: 'vwap' | 'almgren-chriss' | 'pov' | undefined): 'twap' | 'vwap' | 'is' | 'pov' =>
  kind === undefined ? 'twap' : kind === 'vwap' ? 'vwap' : kind === 'pov' ? 'pov' : 'is';
