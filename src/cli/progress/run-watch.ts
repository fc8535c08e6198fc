// What a terminal shows of a running paper run or session, folded from its log entries as they
// are written: the orders (an OrderLedger of its own, so the line of an entry knows the order and
// parent it names) and the P&L (the run report's PnlFold), giving each entry's line (event-line.ts)
// and the status line on demand. No timers and no I/O: the printer (live-printer.ts) asks.
import type { LogEntry } from '../../core/model/events.ts';
import type { ClientOrderId, ParentOrderId } from '../../core/model/ids.ts';
import { lotsToQty, type Instrument } from '../../core/model/instrument.ts';
import { isTerminal } from '../../core/model/order-status.ts';
import { OrderLedger } from '../../core/order/order-ledger.ts';
import { PnlFold } from '../../core/report/pnl-fold.ts';
import { eventLine, type ProgressView } from './event-line.ts';

/** What the status line says, as figures (statusText writes them). */
export interface RunStatus {
  readonly elapsedMs: number;
  /** Our position per symbol (from our fills, relative to the account's baseline). */
  readonly positions: ReadonlyArray<{ readonly symbol: string; readonly qty: string }>;
  readonly workingParents: number;
  /** Sent, not ended. */
  readonly workingChildren: number;
  readonly fills: number;
  /** Net P&L in quote currency (average cost, marked at the last price seen); null when a
   *  position has no price to mark it at. */
  readonly net: string | null;
}

export class RunWatch {
  private readonly ledger = new OrderLedger();
  private readonly pnl: PnlFold;
  private fills = 0;
  private readonly view: ProgressView;

  /** `instruments`: the run's, its first symbol first; `secrets`: texts no line may show. */
  constructor(
    private readonly instruments: readonly Instrument[],
    secrets: readonly string[] = [],
  ) {
    this.pnl = new PnlFold(instruments);
    const ledger = this.ledger;
    const first = instruments[0] as Instrument;
    this.view = {
      instrument: (symbol) => instruments.find((i) => i.symbol === symbol) ?? first,
      order: (id: ClientOrderId) => ledger.order(id),
      parent: (id: ParentOrderId) => ledger.parents.get(id),
      get applied() {
        return ledger.appliedTrades;
      },
      secrets,
    };
  }

  /** Folds one entry in; returns its line, or null when it prints none. */
  add(entry: LogEntry): string | null {
    this.fold(entry);
    return eventLine(entry, this.view);
  }

  /** Folds entries in without their lines (the stored log of a resumed run). */
  seed(entries: Iterable<LogEntry>): void {
    for (const e of entries) this.fold(e);
  }

  private fold(entry: LogEntry): void {
    // As the run report folds them: the P&L reads the ledger before the entry, then its trades.
    this.pnl.add(entry, this.ledger);
    this.ledger.apply(entry);
    const trades = this.ledger.appliedTrades;
    if (trades.length > 0) {
      this.fills += trades.length;
      this.pnl.trades(trades, this.ledger);
    }
  }

  status(elapsedMs: number): RunStatus {
    let workingParents = 0;
    for (const p of this.ledger.parents.values()) if (p.completed === null) workingParents++;
    let workingChildren = 0;
    for (const o of this.ledger.orders.values()) if (o.attempts > 0 && !isTerminal(o.status)) workingChildren++;
    const report = this.pnl.summary(this.ledger, new Map());
    const unmarked = report.symbols.some((s) => s.mark === null && Number(s.position) !== 0);
    return {
      elapsedMs,
      positions: this.instruments.map((i) => ({
        symbol: i.symbol,
        qty: lotsToQty(i, this.ledger.positionOf(i.symbol)),
      })),
      workingParents,
      workingChildren,
      fills: this.fills,
      net: unmarked ? null : report.total.net,
    };
  }
}

/** The status line: `status 2 min 05 s  AAPL 60  parents 1 working  children 2 working  fills 6  net -1.5`. */
export function statusText(s: RunStatus, span: (ms: number) => string): string {
  const positions = s.positions.map((p) => `${p.symbol} ${p.qty}`).join(', ');
  return (
    `status ${span(s.elapsedMs)}: position ${positions}; parents ${s.workingParents} working, ` +
    `children ${s.workingChildren} working; fills ${s.fills}; net ${s.net ?? 'unknown (no price yet)'}`
  );
}
