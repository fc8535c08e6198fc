// The session page's account part, per symbol the session trades: our position (the account's
// baseline plus our fills), the quote our fills moved (fees included), our P&L marked at the
// symbol's latest mid (that flow plus what the position gained since the baseline is worth at the
// mid: a flat symbol's P&L is its flow); the totals over the symbols (one quote currency); and the
// venue's own quote balance as its latest account answer stated it (the reconciler asks for one
// on start, after reconnects and on its schedule).
import type { LogEntry } from '../../core/model/events.ts';
import { lotsToQty, ticksToPrice, unitsToQuote, type Instrument } from '../../core/model/instrument.ts';
import { InstrumentSet } from '../../core/model/instrument-set.ts';
import type { AccountReport } from '../../core/model/reports.ts';
import type { SessionPort } from '../session-port.ts';

/** One symbol's part of the account. */
export interface SymbolAccountView {
  readonly symbol: string;
  readonly position: string;
  readonly baseline: string | null;
  /** Quote our fills in this symbol moved since the session began: spent (-) and received (+),
   *  fees included. */
  readonly cashFlow: string;
  /** Our P&L in this symbol in quote currency at `mark`; null without a two-sided quote. */
  readonly pnl: number | null;
  readonly mark: string | null;
}

export interface AccountView {
  /** Every symbol the session trades, its own first. */
  readonly symbols: readonly SymbolAccountView[];
  /** The session's own symbol's position (the first of `symbols`). */
  readonly position: string;
  readonly baseline: string | null;
  /** Quote our fills moved over every symbol (one quote currency). */
  readonly cashFlow: string;
  /** Our P&L over every symbol; null while a symbol whose position moved has no mark. */
  readonly pnl: number | null;
  /** The session's own symbol's mark. */
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

type Top = { readonly bid: number | null; readonly ask: number | null } | null;

/** One symbol's account, its P&L marked at the mid of `top` (ticks; null or a side missing: no
 *  mark). */
export function symbolAccount(port: SessionPort, inst: Instrument, top: Top): SymbolAccountView {
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
  return {
    symbol: s,
    position: signed(position, (n) => lotsToQty(inst, n)),
    baseline: baseline === null ? null : signed(baseline, (n) => lotsToQty(inst, n)),
    cashFlow: signed(cash, (n) => unitsToQuote(inst, n)),
    pnl:
      mark === null
        ? moved === 0
          ? flow
          : null
        : flow + Number(signed(moved, (n) => lotsToQty(inst, n))) * Number(mark),
    mark,
  };
}

/** The account view of `port` now: each symbol marked at the mid of its top of book (`tops`, by
 *  symbol; a symbol without one has no mark). */
export function accountView(
  port: SessionPort,
  tops: ReadonlyMap<string, Top>,
  latest: LatestAccount | null,
): AccountView {
  const symbols = port.instruments.map((inst) => symbolAccount(port, inst, tops.get(inst.symbol) ?? null));
  const own = symbols[0] as SymbolAccountView;
  const b = latest?.latest ?? null;
  // The account's quote is counted in account units: the finest notional unit of the session's
  // instruments (the one instrument's own, for a session of one); each symbol's cash is a whole
  // number of them, so the total flow is exact.
  const set = InstrumentSet.of(port.instruments);
  const unitOf = port.instruments.find((i) => set.scaleOf(i.symbol) === 1) ?? port.instrument;
  let flow = 0;
  for (const i of port.instruments) flow += port.ledger.cashOf(i.symbol) * set.scaleOf(i.symbol);
  const pnls = symbols.map((s) => s.pnl);
  return {
    symbols,
    position: own.position,
    baseline: own.baseline,
    cashFlow: signed(flow, (n) => unitsToQuote(unitOf, n)),
    pnl: pnls.includes(null) ? null : pnls.reduce((a: number, p) => a + (p as number), 0),
    mark: own.mark,
    balance: b === null ? null : { quote: signed(b.quote, (n) => unitsToQuote(unitOf, n)), at: b.at },
  };
}
