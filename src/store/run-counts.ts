// The counts a grouped run's row keeps (orders and fills) and the seq its stored log reaches, as of
// the whole commit units handed to its writer. A grouped run leaves its order, fill and orphan rows
// to be built from its log when they are first read (deferred-projection.ts), so its writer is
// handed no rows; the run row's counts still come from the ledger of the process that runs it,
// which applies each entry right after the log hands it to the sinks (src/host/backtest-world.ts).
import type { LogEntry } from '../core/model/events.ts';
import type { OrderLedger } from '../core/order/order-ledger.ts';

/** What whole units bring the run to (plain data: it travels to a writer thread). */
export interface UnitCounts {
  /** The seq of the last entry of the units (0: none yet). */
  readonly lastSeq: number;
  /** Child orders and fills the units' log holds, from the run's start. */
  readonly orders: number;
  readonly fills: number;
  /** The sha256 of the log's lines through the units (the run digest of that prefix); null where
   *  not taken. */
  readonly logDigest: string | null;
}

export const NO_UNITS: UnitCounts = { lastSeq: 0, orders: 0, fills: 0, logDigest: null };

export class RunCounts {
  private ledger: OrderLedger | null = null;
  /** The last entry written, whose trades are counted once the ledger has applied it (0: none). */
  private pendingSeq = 0;
  private lastWritten = 0;
  private fills = 0;
  private whole: UnitCounts = NO_UNITS;

  /** The ledger of the process that runs the run, which has applied every entry written here so
   *  far and applies each next one right after it is written. */
  follow(ledger: OrderLedger): void {
    if (this.ledger !== null) throw new Error('store: a run written from a thread has one process, not a restart');
    if (ledger.appliedSeq !== this.lastWritten)
      throw new Error(
        `store: a ledger at entry ${ledger.appliedSeq} cannot be followed from entry ${this.lastWritten}`,
      );
    this.ledger = ledger;
  }

  /** An entry of the log (not a market sample) was written. */
  write(entry: LogEntry): void {
    if (this.pendingSeq !== 0) this.settle(true);
    this.pendingSeq = entry.seq;
    this.lastWritten = entry.seq;
  }

  /** The last entry's trades, once the ledger applied it. `strict`: a ledger that has not is an
   *  error; otherwise (a run that failed in applying it) the entry adds no fills. */
  private settle(strict: boolean): void {
    if (this.pendingSeq === 0) return;
    const ledger = this.ledger;
    if (ledger === null || ledger.appliedSeq !== this.pendingSeq) {
      if (!strict) return;
      throw new Error(
        ledger === null
          ? 'store: a run written from a thread follows its process ledger, and none was given'
          : `store: the run's ledger has not applied entry ${this.pendingSeq} (at ${ledger.appliedSeq})`,
      );
    }
    this.pendingSeq = 0;
    this.fills += ledger.appliedTrades.length;
  }

  /** The entries written so far are whole units. `strict` as settle's (false only for a run
   *  that failed). */
  unitEnd(strict = true): void {
    this.settle(strict);
    this.whole = {
      lastSeq: this.lastWritten,
      orders: this.ledger?.orders.size ?? 0,
      fills: this.fills,
      logDigest: null,
    };
  }

  /** The counts as of the last whole unit. */
  get units(): UnitCounts {
    return this.whole;
  }
}
