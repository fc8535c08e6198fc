// Each parent's costs, folded from the log: the shortfall against the decision mid decomposed
// (cost-decomposition.ts), the markouts of its fills and the reversion after its last one
// (markouts.ts), beside the slippage and participation the report already has. The mids come from
// what the log carries (mid-timeline.ts): market samples, each parent's arrival top and the book
// at the run's end, so a backtest, a paper run and a session read them alike and the digest does
// not move (samples are not hashed). Where the mids come from and why:
// docs/0071-cost-decomposition.md. The figures' shapes: cost-figures.ts.
import type { LogEntry } from '../model/events.ts';
import { fractionalTicksToPrice, unitsToQuote, type Instrument } from '../model/instrument.ts';
import type { AppliedTrade, OrderLedger, ParentState } from '../order/order-ledger.ts';
import { COST_PARTS, decomposeShortfall, type ShortfallParts } from './cost-decomposition.ts';
import {
  addDecimals,
  bps,
  breakdown,
  breakdownOf,
  bpsBreakdown,
  halfUnitsToQuote,
  type CostBreakdown,
  type MarkoutFigure,
  type ParentCosts,
  type RunCosts,
  type Slippage,
} from './cost-figures.ts';
import { MidTimeline } from './mid-timeline.ts';
import {
  addMarkouts,
  DEFAULT_MARKOUT_HORIZONS_MS,
  emptyMarkoutSums,
  markoutBps,
  reversionBps,
  type MarkoutFill,
} from './markouts.ts';

interface Fill extends MarkoutFill {
  readonly learnedAt: number;
}

/** What the run sums of a parent beside its figures. */
interface RunPart {
  readonly parts: ShortfallParts | null;
  readonly inst: Instrument;
  /** Decision value in quote (for bps). */
  readonly decisionValue: number;
  readonly markouts: ReadonlyArray<{
    value: number;
    notional: number;
    fills: number;
    of: number;
    mv: number;
    mn: number;
    tv: number;
    tn: number;
  }>;
}

export class CostFold {
  private readonly mids = new MidTimeline();
  private readonly fills = new Map<string, Fill[]>();
  private readonly signalAt = new Map<string, number>();
  private readonly decisionAt = new Map<string, number>();
  private lastAt = -Infinity;
  /** Whether the log has market samples (the only mids between arrivals). */
  private sampled = false;
  private endAt: number | null = null;
  /** The figures the run's costs sum, by parent (a later summary replaces a parent's). */
  private readonly runParts = new Map<string, RunPart>();

  constructor(
    private readonly primary: string,
    private readonly horizonsMs: readonly number[] = DEFAULT_MARKOUT_HORIZONS_MS,
  ) {}

  add(entry: LogEntry): void {
    const e = entry.event;
    if (entry.time > this.lastAt) this.lastAt = entry.time;
    switch (e.kind) {
      case 'MarketSampled':
        this.sampled = true;
        this.mids.observe(this.primary, entry.time, e.bid, e.ask);
        return;
      case 'ParentOrderCreated':
        this.mids.observe(e.symbol, entry.time, e.arrivalBid, e.arrivalAsk, true);
        return;
      case 'SignalReceived':
        if (!this.signalAt.has(e.signalId)) this.signalAt.set(e.signalId, entry.time);
        return;
      case 'SignalAccepted': {
        const at = this.signalAt.get(e.signalId);
        if (at !== undefined) this.decisionAt.set(e.parentId, at);
        return;
      }
      default:
    }
  }

  /** The trades the ledger applied for `entry`, each under its parent. */
  trades(entry: LogEntry, applied: readonly AppliedTrade[], ledger: OrderLedger): void {
    for (const t of applied) {
      const order = ledger.orders.get(t.clientOrderId);
      if (!order) continue;
      const parentId = order.request.parentId;
      const created = ledger.parents.get(parentId)?.createdAt ?? entry.time;
      // The venue's time of the trade on our clock's scale: never before the parent started nor
      // after we learned of it (a venue clock may run ahead or behind ours).
      const at = Math.max(created, Math.min(t.venueTime, entry.time));
      const list = this.fills.get(parentId) ?? [];
      list.push({
        qty: t.qty,
        notional: Math.round(t.price * t.qty),
        liquidity: t.liquidity,
        at,
        learnedAt: entry.time,
      });
      this.fills.set(parentId, list);
    }
  }

  /** The book of `symbol` as the run ended at `at`: the last mid, and the run's end (markouts
   *  past it are unavailable). */
  end(symbol: string, bid: number | null, ask: number | null, at: number | undefined): void {
    const t = at ?? this.lastAt;
    if (Number.isFinite(t)) {
      this.mids.observe(symbol, t, bid, ask);
      this.endAt = this.endAt === null ? t : Math.max(this.endAt, t);
    }
  }

  /** The run's end: as the host said, else the last time the log saw. */
  private runEnd(): number {
    return this.endAt ?? this.lastAt;
  }

  /** One parent's costs; also remembered for the run's (runCosts after every parent). */
  parent(id: string, p: ParentState, inst: Instrument, fees: number, slippage: Slippage): ParentCosts {
    const spec = p.spec;
    const symbol = spec.symbol;
    const fills = this.fills.get(id) ?? [];
    const runEnd = this.runEnd();
    const decisionAt = Math.min(this.decisionAt.get(id) ?? p.createdAt, p.createdAt);
    const arrival2 =
      spec.arrivalBid !== null || spec.arrivalAsk !== null ? mid2(spec.arrivalBid, spec.arrivalAsk) : null;
    // The mid at the decision is a sample's: only the run's symbol is sampled, so a parent of
    // another symbol (whose only mids are arrivals, perhaps long before) is decided at arrival.
    const sampledMid = this.sampled && symbol === this.primary ? this.mids.atOrBefore(symbol, decisionAt) : null;
    const decision2 = decisionAt < p.createdAt ? (sampledMid?.mid2 ?? arrival2) : arrival2;
    const endAt = p.completed?.at ?? (Number.isFinite(runEnd) ? runEnd : null);
    const end2 = endAt === null ? arrival2 : (this.mids.atOrBefore(symbol, endAt)?.mid2 ?? arrival2);
    let midAge: number | null = null;
    const costFills = fills.map((f) => {
      const m = this.mids.before(symbol, f.at);
      const age = m === null ? null : f.at - m.at;
      if (age !== null) midAge = Math.max(midAge ?? 0, age);
      return { qty: f.qty, notional: f.notional, mid2: m?.mid2 ?? arrival2 ?? 0 };
    });
    let parts: ShortfallParts | null = null;
    if (arrival2 !== null && decision2 !== null && end2 !== null)
      parts = decomposeShortfall({
        side: spec.side,
        qty: spec.qty,
        decisionMid2: decision2,
        arrivalMid2: arrival2,
        endMid2: end2,
        fills: costFills,
        fees,
      });
    const decisionValue = decision2 === null ? 0 : (spec.qty * decision2) / 2; // units
    const price = (m2: number | null): string | null => (m2 === null ? null : fractionalTicksToPrice(inst, m2 / 2));
    const unitQuote = Number(unitsToQuote(inst, 1));
    const runMarkouts: RunPart['markouts'][number][] = [];
    const markouts = this.horizonsMs.map((h): MarkoutFigure => {
      const sums = emptyMarkoutSums();
      addMarkouts(sums, this.mids, symbol, spec.side, fills, h, runEnd);
      runMarkouts.push({
        value: (Number(sums.value) / 2) * unitQuote,
        notional: sums.notional * unitQuote,
        fills: sums.fills,
        of: fills.length,
        mv: (Number(sums.makerValue) / 2) * unitQuote,
        mn: sums.makerNotional * unitQuote,
        tv: (Number(sums.takerValue) / 2) * unitQuote,
        tn: sums.takerNotional * unitQuote,
      });
      return {
        horizonMs: h,
        bps: markoutBps(sums.value, sums.notional),
        fills: sums.fills,
        of: fills.length,
        makerBps: markoutBps(sums.makerValue, sums.makerNotional),
        takerBps: markoutBps(sums.takerValue, sums.takerNotional),
      };
    });
    const last = fills.reduce<Fill | null>((a, f) => (a === null || f.at >= a.at ? f : a), null);
    this.runParts.set(id, { parts, inst, decisionValue: decisionValue * unitQuote, markouts: runMarkouts });
    return {
      decisionAt,
      decisionPrice: price(decision2),
      arrivalPrice: price(arrival2),
      endAt,
      endPrice: price(end2),
      quote: parts === null ? null : breakdown(parts, (v) => halfUnitsToQuote(inst, v)),
      bps:
        parts === null || decisionValue <= 0
          ? null
          : bpsBreakdown(
              breakdown(parts, (v) => Number(v) / 2),
              decisionValue,
            ),
      midAgeMs: midAge,
      ...slippage,
      markouts,
      reversion: this.horizonsMs.map((h) => ({
        horizonMs: h,
        bps: last === null ? null : reversionBps(this.mids, symbol, spec.side, last.at, last.learnedAt, h, runEnd),
      })),
    };
  }

  /** The run's costs over the parents given to parent() so far. */
  run(): RunCosts {
    const runParts = [...this.runParts.values()];
    const quote = Object.fromEntries(
      [...COST_PARTS, 'total' as const].map((k) => [
        k,
        addDecimals(runParts.flatMap((r) => (r.parts === null ? [] : [halfUnitsToQuote(r.inst, r.parts[k])]))),
      ]),
    ) as CostBreakdown;
    const value = runParts.reduce((s, r) => s + (r.parts === null ? 0 : r.decisionValue), 0);
    const markouts = this.horizonsMs.map((h, i): MarkoutFigure => {
      const at = runParts.map((r) => r.markouts[i]).filter((m) => m !== undefined);
      const sum = (f: (m: (typeof at)[number]) => number): number => at.reduce((s, m) => s + f(m), 0);
      const ratio = (v: number, n: number): number | null => (n > 0 ? bps(v, n) : null);
      return {
        horizonMs: h,
        bps: ratio(
          sum((m) => m.value),
          sum((m) => m.notional),
        ),
        fills: sum((m) => m.fills),
        of: sum((m) => m.of),
        makerBps: ratio(
          sum((m) => m.mv),
          sum((m) => m.mn),
        ),
        takerBps: ratio(
          sum((m) => m.tv),
          sum((m) => m.tn),
        ),
      };
    });
    return {
      quote,
      bps: value > 0 ? bpsBreakdown(breakdownOf(quote, Number), value) : null,
      markouts,
    };
  }
}

function mid2(bid: number | null, ask: number | null): number {
  if (bid !== null && ask !== null) return bid + ask;
  return 2 * ((bid ?? ask) as number);
}
