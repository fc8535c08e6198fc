// What the circuit breaker's automatic conditions see, taken from what the engine already has:
//   rejects / errors   every RejectReport; every OutcomeUnknownReport and QueryFailedReport
//   staleData          the time our market data last arrived (MarketDataPort.lastUpdateAt)
//   priceBand          the mid of our view of the book (ticks, may be x.5)
//   loss / drawdown    equity = cash + position x mid, in notional units (tick x lot), from the
//                      ledger's applied fills net of fees; the first sample (0 at a run's start) is
//                      the start and the peak
// The market and equity are sampled when they matter: before every order and slice is let out
// (the engine's guard) and after every report that carried a fill. So a breaker trips at the
// first decision it would have changed, not on a timer of its own, and adds no clock actions.
import type { Symbol } from '../model/ids.ts';
import type { VenueMessage } from '../model/reports.ts';
import type { MarketDataPort } from '../ports/broker.ts';
import type { CircuitBreaker } from './circuit-breaker.ts';

export interface EquitySource {
  /** Signed position, lots. */
  readonly position: number;
  /** Cash from fills net of fees, notional units. */
  readonly cash: number;
}

export class BreakerFeed {
  constructor(
    private readonly breaker: CircuitBreaker,
    private readonly marketData: MarketDataPort,
    private readonly symbol: Symbol,
    private readonly account: EquitySource,
  ) {}

  /** Market-data time, price and equity now. */
  sample(): void {
    const at = this.marketData.lastUpdateAt(this.symbol);
    if (at !== null) this.breaker.recordMarketData(at);
    const top = this.marketData.topOfBook(this.symbol);
    if (top.bid === null || top.ask === null) return;
    const mid = (top.bid + top.ask) / 2;
    this.breaker.recordPrice(mid);
    this.breaker.recordEquity(Math.round(this.account.cash + this.account.position * mid));
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
