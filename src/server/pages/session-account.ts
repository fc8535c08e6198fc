// The session page's account part: our position in the session's symbol (the account's baseline
// plus our fills), the quote our fills moved (fees included), our P&L marked at the latest mid
// (that flow plus what the position gained since the baseline is worth at the mid: a flat
// session's P&L is its flow), and the venue's own balances as its latest account answer stated
// them (the reconciler asks for one on start, after reconnects and on its schedule).
import type { LogEntry } from '../../core/model/events.ts';
import { lotsToQty, ticksToPrice, unitsToQuote, type Instrument } from '../../core/model/instrument.ts';
import type { AccountReport } from '../../core/model/reports.ts';
import type { SessionPort } from '../session-port.ts';

export interface AccountView {
  readonly position: string;
  readonly baseline: string | null;
  /** Quote our fills moved since the session began: spent (-) and received (+), fees included. */
  readonly cashFlow: string;
  /** Our P&L in quote currency at `mark`; null without a two-sided quote. */
  readonly pnl: number | null;
  readonly mark: string | null;
  /** The venue's latest account answer: its quote balance (free + locked), and when. */
  readonly balance: { readonly quote: string; readonly at: number } | null;
}

/** The latest account answer of a session's log: read back once, then followed as it commits. */
export class LatestAccount {
  private report: { readonly quote: number; readonly at: number } | null = null;
  private readonly stop: () => void;

  /** `lookBack`: how many of the last entries are searched for an answer at start. */
  constructor(port: SessionPort, lookBack = 5_000) {
    for (const e of port.entriesAfter(Math.max(0, port.lastSeq - lookBack))) this.see(e);
    this.stop = port.follow((e) => this.see(e));
  }

  get latest(): { readonly quote: number; readonly at: number } | null {
    return this.report;
  }

  close(): void {
    this.stop();
  }

  private see(e: LogEntry): void {
    if (e.event.kind !== 'AccountReport') return;
    const r = e.event as AccountReport;
    this.report = { quote: r.quote, at: e.time };
  }
}

const followers = new WeakMap<SessionPort, LatestAccount>();

/** The one follower of `port`'s account answers (pages built again for the same session share it). */
export function latestAccountOf(port: SessionPort): LatestAccount {
  let f = followers.get(port);
  if (f === undefined) {
    f = new LatestAccount(port);
    followers.set(port, f);
  }
  return f;
}

const signed = (lots: number, f: (n: number) => string): string => (lots < 0 ? `-${f(-lots)}` : f(lots));

/** The account view of `port` now, its P&L marked at the mid of `top` (ticks; null or a side
 *  missing: no mark). */
export function accountView(
  port: SessionPort,
  top: { readonly bid: number | null; readonly ask: number | null } | null,
  latest: LatestAccount | null,
): AccountView {
  const inst: Instrument = port.instrument;
  const s = inst.symbol;
  const position = port.ledger.accountPositionOf(s);
  const baseline = port.ledger.baselineOf(s);
  const cash = port.ledger.cashOf(s);
  const flow = Number(signed(cash, (n) => unitsToQuote(inst, n)));
  const moved = position - (baseline ?? 0);
  const mark =
    top === null || top.bid === null || top.ask === null
      ? null
      : String((Number(ticksToPrice(inst, top.bid)) + Number(ticksToPrice(inst, top.ask))) / 2);
  const b = latest?.latest ?? null;
  return {
    position: signed(position, (n) => lotsToQty(inst, n)),
    baseline: baseline === null ? null : signed(baseline, (n) => lotsToQty(inst, n)),
    cashFlow: signed(cash, (n) => unitsToQuote(inst, n)),
    pnl: mark === null ? null : flow + Number(signed(moved, (n) => lotsToQty(inst, n))) * Number(mark),
    mark,
    balance: b === null ? null : { quote: signed(b.quote, (n) => unitsToQuote(inst, n)), at: b.at },
  };
}
