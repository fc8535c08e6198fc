// What the circuit breaker's automatic conditions see, taken from what the engine already has:
//   rejects / errors   every RejectReport; every OutcomeUnknownReport and QueryFailedReport
//   staleData          the time our market data last arrived (MarketDataPort.lastUpdateAt)
//   priceBand          the mid of our view of the book (ticks, may be x.5)
//   loss / drawdown    equity = cash + position x mid, in notional units (tick x lot), from the
//                      ledger's applied fills net of fees; the first sample (0 at a run's start) is
//                      the start and the peak. A node trading several symbols sums every
//                      symbol's in account units (instrument-set.ts), each at its own mid; the
//                      price band and stale data watch the run's symbol.
// The market and equity are sampled when they matter: before every order and slice is let out
// (the engine's guard) and after every report that carried a fill. So a breaker trips at the
// first decision it would have changed, not on a timer of its own, and adds no clock actions.
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
