// What the circuit breaker's automatic conditions see, taken from what the engine already has,
// sampled before every order and slice is let out and after every report that carried a fill: a
// breaker trips at the first decision it would have changed and adds no clock actions. What each
// condition reads: docs/0069-core-and-simulator-notes.md.
import type { InstrumentSet } from '../model/instrument-set.ts';
import type { VenueMessage } from '../model/reports.ts';
import type { MarketDataPort } from '../ports/broker.ts';
import type { CircuitBreaker } from './circuit-breaker.ts';

export interface EquitySource {
  /** Signed position, lots (the run's symbol's). */
  readonly position: number;
  /** Cash from fills net of fees, notional units (the run's symbol's). */
  readonly cash: number;
  /** The same of any symbol. */
  positionOf(symbol: string): number;
  cashOf(symbol: string): number;
}

export class BreakerFeed {
  constructor(
    private readonly breaker: CircuitBreaker,
    private readonly marketData: MarketDataPort,
    private readonly instruments: InstrumentSet,
    private readonly account: EquitySource,
  ) {}

  /** Market-data time, price and equity now. */
  sample(): void {
    const symbol = this.instruments.primary.symbol;
    const at = this.marketData.lastUpdateAt(symbol);
    if (at !== null) this.breaker.recordMarketData(at);
    const top = this.marketData.topOfBook(symbol);
    if (top.bid === null || top.ask === null) return;
    const mid = (top.bid + top.ask) / 2;
    this.breaker.recordPrice(mid);
    if (this.instruments.size === 1) {
      this.breaker.recordEquity(Math.round(this.account.cash + this.account.position * mid));
      return;
    }
    // Every symbol at its own mid, added in account units and stated in the run's symbol's
    // notional units (the units of the breaker's limits); none while a symbol has no two-sided
    // quote.
    const { instruments, account } = this;
    let equity = (account.cash + account.position * mid) * instruments.scaleOf(symbol);
    for (const inst of instruments.all) {
      if (inst.symbol === symbol) continue;
      const t = this.marketData.topOfBook(inst.symbol);
      if (t.bid === null || t.ask === null) return;
      const m = (t.bid + t.ask) / 2;
      equity += (account.cashOf(inst.symbol) + account.positionOf(inst.symbol) * m) * instruments.scaleOf(inst.symbol);
    }
    this.breaker.recordEquity(Math.round(equity / instruments.scaleOf(symbol)));
  }

  /** A venue message the engine logged and folded into the ledger. */
  onReport(report: VenueMessage): void {
    if (report.kind === 'RejectReport') this.breaker.recordReject();
    else if (report.kind === 'OutcomeUnknownReport' || report.kind === 'QueryFailedReport') this.breaker.recordError();
    else if (
      report.kind === 'FillReport' ||
      (report.kind === 'OrderStatusReport' && (report.trades?.length ?? report.filledQty) > 0)
    )
      this.sample();
  }
}
