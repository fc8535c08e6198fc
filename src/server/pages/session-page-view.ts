// What the session page shows of a running service session, read from its port between units of
// work: identity, readiness, the kill switch and breaker, parents with their slice progress, the
// latest quote and its age, and the last entries of its log, in the instrument's own units
// (decimal strings for prices and quantities). One plain object, so the page and its live
// fragment render the same thing and a test can read it.
import type { LogEntry } from '../../core/model/events.ts';
import { lotsToQty, ticksToPrice } from '../../core/model/instrument.ts';
import type { ParentState } from '../../core/order/order-ledger.ts';
import type { ReadableEvents } from '../../store/readable-events.ts';
import { instrumentOfSymbol, type SessionPort } from '../session-port.ts';
import { accountView, type AccountView, type LatestAccount } from './session-account.ts';

export interface ParentProgress {
  readonly parentId: string;
  readonly symbol: string;
  readonly side: string;
  readonly route: string;
  /** working, cancelling, or how it completed (filled, partially_filled, unfilled). */
  readonly status: string;
  readonly filled: string;
  readonly qty: string;
  readonly filledLots: number;
  readonly qtyLots: number;
  /** Slices sent to the venue at least once, of the slices planned. */
  readonly slicesSent: number;
  readonly slicesTotal: number;
  readonly stopReason: string | null;
}

export interface QuoteView {
  readonly bid: string | null;
  readonly ask: string | null;
  readonly bidQty: string;
  readonly askQty: string;
  /** When the venue last updated it (epoch ms). */
  readonly at: number;
  readonly ageMs: number;
  readonly stale: boolean;
}

export interface SessionView {
  readonly id: string;
  readonly name: string;
  readonly mode: string;
  readonly venue: string;
  readonly symbol: string;
  readonly resumed: boolean;
  readonly ready: boolean;
  readonly reasons: readonly string[];
  readonly killSwitch: string;
  readonly breaker: { readonly tripped: boolean; readonly reason: string | null };
  readonly reconciling: boolean;
  readonly stopped: boolean;
  readonly openOrders: number;
  /** Open parents first (oldest first), then the latest completed ones. */
  readonly parents: readonly ParentProgress[];
  readonly quote: QuoteView | null;
  /** Each symbol's latest quote's age (null before its first), by symbol. */
  readonly quotes: Readonly<Record<string, { readonly ageMs: number; readonly stale: boolean } | null>>;
  /** Position, the quote our fills moved, P&L at the mid, the venue's balance (session-account.ts). */
  readonly account: AccountView;
  /** The last committed entry's seq when this was read: the stream resumes after it. */
  readonly lastSeq: number;
}

/** Completed parents shown after the open ones: enough to see the last orders end. */
export const COMPLETED_SHOWN = 10;

/** The view of `port` now (the session's clock), or at `now` (epoch ms); `latest` follows the
 *  venue's account answers for the balance (null: none shown). */
export function sessionView(port: SessionPort, now?: number, latest: LatestAccount | null = null): SessionView {
  const inst = port.instrument;
  const status = port.status();
  const readiness = port.readiness(now);
  // The ledger's parents in creation order; rows are built only for those shown.
  const open: ParentState[] = [];
  const done: ParentState[] = [];
  for (const p of port.ledger.parents.values()) (p.completed === null ? open : done).push(p);
  const row = (p: ParentState): ParentProgress => {
    const children = port.ledger.childrenOf(p.spec.parentId);
    const inst = instrumentOfSymbol(port, p.spec.symbol);
    return {
      parentId: p.spec.parentId,
      symbol: p.spec.symbol,
      side: p.spec.side,
      route: p.spec.route,
      status: p.completed?.status ?? (p.cancelRequested ? 'cancelling' : 'working'),
      filled: lotsToQty(inst, p.totals.filled),
      qty: lotsToQty(inst, p.spec.qty),
      filledLots: p.totals.filled,
      qtyLots: p.spec.qty,
      slicesSent: children.filter((o) => o.attempts > 0).length,
      slicesTotal: Math.max(p.spec.totalSlices, children.length),
      stopReason: p.stopReason,
    };
  };
  const q = port.latestQuote(inst.symbol, now);
  // Each symbol's latest quote: the first is the session's own (shown in the summary), all of
  // them mark the account's symbols.
  const latestBySymbol = new Map(
    port.instruments.map((i) => [i.symbol as string, i.symbol === inst.symbol ? q : port.latestQuote(i.symbol, now)]),
  );
  const tops = new Map([...latestBySymbol].map(([s, x]) => [s, x === null ? null : x.top] as const));
  const quotes: Record<string, { ageMs: number; stale: boolean } | null> = {};
  for (const [s, x] of latestBySymbol) quotes[s] = x === null ? null : { ageMs: x.ageMs, stale: x.stale };
  return {
    id: port.id,
    name: port.name,
    mode: port.mode,
    venue: port.venue,
    symbol: inst.symbol,
    resumed: port.resumed,
    ready: readiness.ready,
    reasons: readiness.reasons,
    killSwitch: status.killSwitch,
    breaker: status.breaker,
    reconciling: port.reconciling,
    stopped: status.stopped,
    openOrders: status.openOrders,
    parents: [...open, ...done.slice(-COMPLETED_SHOWN).reverse()].map(row),
    quote:
      q === null
        ? null
        : {
            bid: q.top.bid === null ? null : ticksToPrice(inst, q.top.bid),
            ask: q.top.ask === null ? null : ticksToPrice(inst, q.top.ask),
            bidQty: lotsToQty(inst, q.top.bidQty),
            askQty: lotsToQty(inst, q.top.askQty),
            at: q.at,
            ageMs: q.ageMs,
            stale: q.stale,
          },
    quotes,
    account: accountView(port, tops, latest),
    lastSeq: port.lastSeq,
  };
}

/** The last `n` committed entries (market samples are chart data, not entries), oldest first. */
export function lastEntries(port: SessionPort, n: number): LogEntry[] {
  // Samples share their entry's seq, so the last n seqs hold the last n entries.
  const entries = port.entriesAfter(Math.max(0, port.lastSeq - n));
  return entries.filter((e) => e.event.kind !== 'MarketSampled').slice(-n);
}

/** An entry's event without its kind, as short JSON in the instrument's decimals and ISO times
 *  (`readable`: the session's instrument): what the events list shows of it. */
export function entryText(entry: LogEntry, readable: ReadableEvents, max = 200): string {
  const { kind, ...rest } = entry.event as unknown as { kind: string } & Record<string, unknown>;
  const text = JSON.stringify(readable.payload(kind, rest)) ?? '';
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The symbol of parents and orders by id: what shows an entry that names only its order or parent
 *  in its symbol's units. Empty for a session of one symbol (every entry is in its units). */
export interface WorkingSymbols {
  readonly parents: Readonly<Record<string, string>>;
  readonly orders: Readonly<Record<string, string>>;
}

/** Every parent's and order's symbol (`all`), or those still working only: the ones the entries
 *  the page's script adds may name. */
export function workingSymbols(port: SessionPort, all = false): WorkingSymbols {
  const parents: Record<string, string> = {};
  const orders: Record<string, string> = {};
  if (port.instruments.length > 1) {
    for (const p of port.ledger.parents.values())
      if (all || p.completed === null) parents[p.spec.parentId] = p.spec.symbol;
    for (const o of all ? port.ledger.orders.values() : port.ledger.openOrders())
      orders[o.request.clientOrderId] = o.request.symbol;
  }
  return { parents, orders };
}
