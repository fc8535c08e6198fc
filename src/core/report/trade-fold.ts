// A run's round trips and statistics (docs/0084-round-trips-and-run-statistics.md), fed by the P&L
// fold (pnl-fold.ts) as it changes its books: each leg to its symbol's TradeBook, each point of
// the equity curve to the EquityTrack. The report gives every trade in its symbol's quote currency
// and the statistics in the run's (the P&L total's unit): closed trades only for win rate, profit
// factor and expectancy; the trade still open at the end marked at the book's last mark and kept
// apart. The closed trades' net plus the open ones' is the run's net P&L.
import { fractionalTicksToPrice, lotsToQty, unitsToQuote, type Instrument } from '../model/instrument.ts';
import type { SymbolPnl } from './pnl-book.ts';
import { EquityTrack } from './equity-track.ts';
import { TradeBook, type Leg, type RoundTrip } from './trade-book.ts';
import { curveFigures, ratio, tradeFigures, type CurveFigures } from './trade-stats.ts';

/** The equity curve's sampling interval when the scenario names none (report.equityIntervalMs). */
export const DEFAULT_EQUITY_INTERVAL_MS = 60_000;

export interface TradeRow {
  readonly symbol: string;
  readonly side: 'long' | 'short';
  /** Epoch ms of run clock. */
  readonly entryTime: number;
  readonly entryPrice: string;
  /** Null while open. */
  readonly exitTime: number | null;
  readonly exitPrice: string | null;
  /** An open trade's mark (the P&L book's last); null for a closed one. */
  readonly mark: string | null;
  /** Everything that opened or added to it, base units. */
  readonly qty: string;
  /** Quote currency of its symbol; an open trade's gross includes its unrealized part. */
  readonly gross: string;
  readonly fees: string;
  readonly net: string;
  /** To its exit, or to the run's end while open. */
  readonly holdingMs: number;
  readonly fills: number;
  /** Part of it is inventory the run did not trade (a baseline, a correction). */
  readonly inventory: boolean;
}

export interface RunStatistics extends Omit<
  ReturnType<typeof tradeFigures>,
  'avgWin' | 'avgLoss' | 'expectancy' | 'total'
> {
  /** Trades open at the end (at most one per symbol): not in the figures above. */
  readonly open: number;
  readonly avgWin: string | null;
  readonly avgLoss: string | null;
  readonly expectancy: string | null;
  /** Net P&L of the closed trades and of the open ones: together the run's net. */
  readonly closedNet: string;
  readonly openNet: string;
  /** Sharpe and Sortino of the equity curve sampled every `intervalMs` of run clock. */
  readonly equity: CurveFigures & { readonly intervalMs: number; readonly samples: number };
  /** Share of the run (0..1) with a position open in any symbol, and the run's length. */
  readonly exposure: number | null;
  readonly exposureMs: number;
  readonly runMs: number;
  readonly drawdown: {
    readonly amount: string;
    /** Of the peak net P&L it fell from; null when that peak was not above 0. */
    readonly shareOfPeak: number | null;
    /** From its peak to the curve's return to it, or to the run's end (recovered false). */
    readonly durationMs: number;
    readonly recovered: boolean;
  };
}

export interface TradesReport {
  /** Closed trades, by exit time (then symbol). */
  readonly closed: readonly TradeRow[];
  /** Trades open at the end, by symbol. */
  readonly open: readonly TradeRow[];
  readonly stats: RunStatistics;
}

export class TradeFold {
  private readonly books = new Map<string, TradeBook>();
  readonly equity: EquityTrack;

  constructor(intervalMs: number = DEFAULT_EQUITY_INTERVAL_MS) {
    this.equity = new EquityTrack(intervalMs);
  }

  book(symbol: string): TradeBook {
    let b = this.books.get(symbol);
    if (!b) {
      b = new TradeBook();
      this.books.set(symbol, b);
    }
    return b;
  }

  leg(symbol: string, leg: Leg): void {
    this.book(symbol).add(leg);
  }

  /**
   * The trades and figures at `end` (the run's last time). `pnl`: each symbol's P&L book (marks,
   * unrealized); `scale`: its notional unit in the run's (`account`, the P&L total's instrument).
   */
  summary(
    instruments: readonly Instrument[],
    pnl: (symbol: string) => SymbolPnl,
    scale: (symbol: string) => number,
    account: Instrument,
    endAt: number,
  ): TradesReport {
    const span = this.equity.span(endAt);
    const closed: Array<{ row: TradeRow; net: number }> = [];
    const open: Array<{ row: TradeRow; net: number }> = [];
    let unattributed = 0;
    for (const inst of [...instruments].sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0))) {
      const tb = this.book(inst.symbol);
      const k = scale(inst.symbol);
      unattributed += tb.unattributedFees * k;
      for (const t of tb.closed) closed.push({ row: row(inst, t, 0, null, span.end), net: (t.realized - t.fees) * k });
      if (tb.open) {
        const book = pnl(inst.symbol);
        const unrealized = book.unrealized();
        open.push({
          row: row(inst, tb.open, unrealized, book.mark, span.end),
          net: (tb.open.realized + unrealized - tb.open.fees) * k,
        });
      }
    }
    // Exit time, then symbol (the sort above): the same whatever order the node lists its symbols.
    closed.sort((a, b) => (a.row.exitTime as number) - (b.row.exitTime as number));
    const figures = tradeFigures(closed.map((c) => c.net));
    const money = (x: number | null): string | null => (x === null ? null : quote(account, x));
    const samples = this.equity.sampled(span.end);
    const dd = this.equity.drawdown();
    const runMs = span.end - span.start;
    return {
      closed: closed.map((c) => c.row),
      open: open.map((o) => o.row),
      stats: {
        trades: figures.trades,
        open: open.length,
        wins: figures.wins,
        losses: figures.losses,
        winRate: figures.winRate,
        avgWin: money(figures.avgWin),
        avgLoss: money(figures.avgLoss),
        profitFactor: figures.profitFactor,
        expectancy: money(figures.expectancy),
        closedNet: quote(account, figures.total - unattributed),
        openNet: quote(
          account,
          open.reduce((s, o) => s + o.net, 0),
        ),
        equity: {
          intervalMs: this.equity.intervalMs,
          samples: samples.length,
          ...curveFigures(samples, this.equity.intervalMs),
        },
        exposure: runMs > 0 ? ratio(this.equity.exposedMs(span.end) / runMs) : null,
        exposureMs: this.equity.exposedMs(span.end),
        runMs,
        drawdown: {
          amount: quote(account, dd.amount),
          shareOfPeak: dd.amount > 0 && dd.peak > 0 ? ratio(dd.amount / dd.peak) : null,
          durationMs: dd.amount > 0 ? (dd.recovered ?? span.end) - dd.from : 0,
          recovered: dd.amount > 0 && dd.recovered !== null,
        },
      },
    };
  }
}

function row(inst: Instrument, t: RoundTrip, unrealized: number, mark: number | null, end: number): TradeRow {
  const gross = t.realized + unrealized;
  return {
    symbol: inst.symbol,
    side: t.side === 1 ? 'long' : 'short',
    entryTime: t.entryTime,
    entryPrice: fractionalTicksToPrice(inst, t.entryNotional / t.entryQty),
    exitTime: t.exitTime,
    exitPrice: t.exitQty > 0 && t.exitTime !== null ? fractionalTicksToPrice(inst, t.exitNotional / t.exitQty) : null,
    mark: t.exitTime === null && mark !== null ? fractionalTicksToPrice(inst, mark) : null,
    qty: lotsToQty(inst, t.entryQty),
    gross: quote(inst, gross),
    fees: quote(inst, t.fees),
    net: quote(inst, gross - t.fees),
    holdingMs: (t.exitTime ?? end) - t.entryTime,
    fills: t.fills,
    inventory: t.inventory,
  };
}

/** Notional units (possibly fractional: fees split pro rata) as quote currency, to the unit. */
function quote(inst: Instrument, units: number): string {
  const whole = Math.round(units) + 0;
  if (Number.isSafeInteger(whole)) return unitsToQuote(inst, whole);
  return String(units * Number(unitsToQuote(inst, 1)));
}
