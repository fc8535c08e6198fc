// Reconciliation: our orders and position against the venue's truth. A pass asks at once for
// every open order, every order updated since the persisted high-water mark (less an overlap) and
// the account, then looks up each order we hold as possibly live that the open orders did not show.
// A venue state ahead of ours is applied through the one update path (source 'reconciliation');
// an unknown order, an orphan or a position off ours is a finding (ReconciliationMismatch), and the
// pass ends with ReconciliationCompleted and its mark. Passes run at startup, periodically and on a
// reconnect of the execution stream (docs/0036-a-reconciliation-pass.md). A node trading several
// symbols compares, takes the baseline of and corrects each symbol's position on its own.
import type { ExecEvent, LogEntry } from '../model/events.ts';
import type { ClientOrderId } from '../model/ids.ts';
import { isTerminal, statusOfVenue, type OrderStatus } from '../model/order-status.ts';
import { isStaleNotFound, neverShown } from '../order/apply-event.ts';
import type { MismatchKind, OrphanDetected, ReconMode } from '../model/recon-events.ts';
import { OrphanBook } from './orphan-book.ts';
import { earliestSubmission } from '../order/open-orders.ts';
import { positionIn, type AccountReport, type OrderStatusReport, type VenueMessage } from '../model/reports.ts';
import type { OrderLedger } from '../order/order-ledger.ts';
import type { Broker } from '../ports/broker.ts';
import type { Clock } from '../ports/clock.ts';
import type { ReconConfig } from './recon-config.ts';

export interface ReconcilerDeps {
  readonly clock: Clock;
  readonly ledger: OrderLedger;
  readonly broker: Broker;
  readonly config: ReconConfig;
  /** Every symbol the node trades, the run's first; absent: the one the account answer names. */
  readonly symbols?: readonly string[];
  record(e: ExecEvent): void;
  /** Applies a venue truth as if the venue had reported it (the engine's report path). */
  apply(report: OrderStatusReport): void;
  /** Marks a live order failed: the venue does not know it (the engine completes its parent). */
  fail(id: ClientOrderId, reason: string): void;
  /** Makes an adopted orphan one of our orders (its own parent; then looked up). */
  adopt(orphan: OrphanDetected): void;
}

type Entry = Omit<OrderStatusReport, 'kind'>;

interface Pass {
  readonly mode: ReconMode;
  /** The ids of the snapshot reads this pass sent (answers to others are not this pass's). */
  readonly requests: Set<string>;
  /** Submission time of the oldest order we held as not ended when the pass began (or the
   *  pass's start): the mark on a venue that lists by submission time. */
  readonly oldestOpen: number;
  readonly outstanding: Set<'open' | 'page' | 'account'>;
  /** Lookups asked, with our record when asked (to tell what the answer corrected) and whether
   *  the venue had shown us the order by then. */
  readonly lookups: Map<ClientOrderId, { status: OrderStatus; filledQty: number; shown: boolean }>;
  readonly seenOpen: Set<string>;
  /** Orders with a finding recorded in this pass. */
  readonly found: Set<ClientOrderId>;
  readonly since: number;
  highWater: number;
  mismatches: number;
  /** Take the account's baseline from this pass (the run's first process, nothing sent yet). */
  readonly baseline: boolean;
  account: AccountReport | null;
  /** Each symbol's position off ours at the pass's end (venue less ours), asked again after
   *  settleMs before it is a finding; null when none is being confirmed. */
  confirming: Map<string, number> | null;
  /** The confirming account read went out (settleMs after the first): only answers from then
   *  on are the second look (an account read someone else asked for earlier is not). */
  confirmAsked: boolean;
  /** The confirming read's ids: an account answer to an earlier read (of this pass or another
   *  reader) is not the second look. */
  readonly confirmReads: Set<string>;
  readonly done: (() => void) | null;
}

export class Reconciler {
  private pass: Pass | null = null;
  /** Venue time up to which orders are known; restored from ReconciliationCompleted. */
  private highWaterMark: number | null = null;
  private periodic: { unsubscribe(): void } | null = null;
  /** Snapshot reads sent by the current pass (for their ids). */
  private reads = 0;
  /** The execution stream dropped and has not come back; a reconnect waiting for the running
   *  pass to end. */
  private streamDown = false;
  private reconnectPending = false;
  /** Venue states (venueState) found and not applicable, per order: reported once. */
  private readonly unresolved = new Map<ClientOrderId, string>();
  readonly orphans: OrphanBook;

  constructor(private readonly deps: ReconcilerDeps) {
    this.orphans = new OrphanBook({
      record: (e) => deps.record(e),
      cancel: (id) => deps.broker.cancel(id, null),
      adopt: (o) => deps.adopt(o),
    });
  }

  /** Rebuilds the high-water mark, the unresolved findings and the orphan book from the durable
   *  log (restart). */
  restore(entries: readonly LogEntry[]): void {
    for (const { event: e } of entries) {
      if (e.kind === 'ReconciliationCompleted') this.highWaterMark = e.highWaterMark;
      else if (e.kind === 'ReconciliationUnresolved')
        this.unresolved.set(e.clientOrderId, `${e.venueStatus}:${e.venueFilledQty}`);
    }
    this.orphans.restore(entries);
  }

  get running(): boolean {
    return this.pass !== null;
  }

  /** Why new orders on `symbol` must wait (an unresolved orphan: owner unknown, fail closed). */
  quarantine(symbol?: string): string | null {
    return this.orphans.quarantine(symbol);
  }

  /** An operator's resolution of an orphan (orphan-book.ts). */
  resolveOrphan(id: ClientOrderId, resolution: 'adopt' | 'cancel', actor: string, reason: string): void {
    this.orphans.resolve(id, resolution, actor, reason);
  }

  /**
   * Starts a pass now; `done` runs when it ends (startup recovery waits for it). `baseline`: the
   * pass records what the account holds as the run's baseline (AccountBaseline) before comparing
   * positions. Only for the run's first process before it sent anything: the venue's position
   * then holds none of our fills. A restarted process never asks for one.
   */
  run(
    mode: ReconMode,
    done: (() => void) | null = null,
    baseline = false,
    by?: { readonly actor: string; readonly reason: string },
  ): void {
    if (this.pass) return; // one pass at a time; the next period asks again
    const now = Math.floor(this.deps.clock.now());
    const since = this.sinceFor(now);
    let oldestOpen = now;
    // The oldest of the orders held as open: those sent, and the never-sent one due first.
    const { ledger } = this.deps;
    for (const o of ledger.sentOrders()) oldestOpen = Math.min(oldestOpen, Math.floor(earliestSubmission(o)));
    const neverSent = ledger.oldestNeverSent();
    if (neverSent) oldestOpen = Math.min(oldestOpen, Math.floor(earliestSubmission(neverSent)));
    this.reads = 0;
    this.pass = {
      mode,
      requests: new Set(),
      oldestOpen,
      outstanding: new Set(['open', 'account', 'page']),
      lookups: new Map(),
      seenOpen: new Set(),
      found: new Set(),
      since,
      // The listing answers everything updated up to about now: the mark may advance to the
      // pass's start (and past it, to the newest row seen); the next pass's overlap covers
      // updates not yet visible in the listing and clock skew.
      highWater: Math.max(this.highWaterMark ?? now, now),
      mismatches: 0,
      baseline,
      account: null,
      confirming: null,
      confirmAsked: false,
      confirmReads: new Set(),
      done,
    };
    this.deps.record({
      kind: 'ReconciliationStarted',
      mode,
      since,
      ...(by ? { actor: by.actor, reason: by.reason } : {}),
    });
    const p = this.pass;
    this.watchStall(p);
    this.askOpen(p);
    this.askAccount(p);
    this.askPage(p, since);
  }

  /** A snapshot read's id: unique per pass (the pass's start and a counter) and per process. */
  private requestId(p: Pass, read: string): string {
    const id = `${Math.floor(this.deps.clock.now())}:${p.mode}:${read}:${++this.reads}`;
    p.requests.add(id);
    return id;
  }

  private askOpen(p: Pass): void {
    this.deps.broker.queryOpenOrders(this.requestId(p, 'open'));
  }

  private askAccount(p: Pass): void {
    const id = this.requestId(p, 'account');
    if (p.confirmAsked) p.confirmReads.add(id);
    this.deps.broker.queryAccount(id);
  }

  private askPage(p: Pass, since: number, after?: { at: number; venueOrderId: string }): void {
    this.deps.broker.queryOrdersSince(since, this.deps.config.pageLimit, after, this.requestId(p, 'page'));
  }

  /** An answer to one of this pass's snapshot reads (or an unstamped one). */
  private ours(p: Pass, msg: { readonly requestId?: string }): boolean {
    return msg.requestId === undefined || p.requests.has(msg.requestId);
  }

  /** The execution stream's life cycle: a reconnect (connected after disconnected) runs a pass,
   *  or one more after the running pass when one runs. */
  private onConnection(state: 'connected' | 'disconnected'): void {
    if (state === 'disconnected') {
      this.streamDown = true;
      return;
    }
    if (!this.streamDown) return; // the first connection is the start, not a reconnect
    this.streamDown = false;
    if (this.pass) this.reconnectPending = true;
    else this.run('reconnect');
  }

  /**
   * Where the orders listing starts: the high-water mark minus the overlap, or, before any pass
   * completed, our first order's creation minus the overlap. Startup asks too: an order that
   * ended before the crash with a fill report lost on the stream is terminal in our log, so
   * neither the open orders nor a lookup would show its fill; only the listing does.
   */
  private sinceFor(now: number): number {
    if (this.highWaterMark !== null) return this.highWaterMark - this.deps.config.overlapMs;
    let first = now;
    for (const o of this.deps.ledger.orders.values()) first = Math.min(first, o.createdAt);
    return Math.floor(first) - this.deps.config.overlapMs;
  }

  /** Periodic passes every periodMs on the clock (none when periodMs is null). */
  startPeriodic(): void {
    const period = this.deps.config.periodMs;
    if (period === null || this.periodic) return;
    const tick = (): void => {
      this.periodic = this.deps.clock.schedule(tick, period);
      this.run('periodic');
    };
    this.periodic = this.deps.clock.schedule(tick, period);
  }

  /** A venue message, after the engine folded it; `before`: our order as it was before (what the
   *  answer is compared with: the stream may have told us more since the lookup was asked). */
  onMessage(msg: VenueMessage, before?: { readonly status: OrderStatus; readonly filledQty: number }): void {
    if (msg.kind === 'CancelReport') this.orphans.update(msg.clientOrderId, 'canceled', null);
    else if (msg.kind === 'OrderStatusReport') this.orphans.update(msg.clientOrderId, msg.status, msg.filledQty);
    else if (msg.kind === 'ConnectionReport' && msg.stream === 'orders') return this.onConnection(msg.state);
    const p = this.pass;
    if (!p) return;
    if (
      (msg.kind === 'OpenOrdersReport' || msg.kind === 'OrdersPageReport' || msg.kind === 'AccountReport') &&
      !this.ours(p, msg)
    )
      return;
    switch (msg.kind) {
      case 'OpenOrdersReport':
        if (!p.outstanding.has('open')) return;
        for (const o of msg.orders) {
          p.seenOpen.add(o.clientOrderId);
          this.entry(p, o);
        }
        this.lookUpTheRest(p);
        p.outstanding.delete('open');
        break;
      case 'OrdersPageReport':
        if (!p.outstanding.has('page')) return;
        for (const o of msg.orders) {
          if (this.deps.broker.ordersSinceBy === 'updated')
            p.highWater = Math.max(p.highWater, Math.floor(o.updatedAt));
          this.entry(p, o);
        }
        if (msg.next) this.askPage(p, msg.since, msg.next);
        else p.outstanding.delete('page');
        break;
      case 'AccountReport':
        if (p.confirming !== null) {
          if (p.confirmAsked && (msg.requestId === undefined || p.confirmReads.has(msg.requestId)))
            this.confirmPosition(p, msg);
          return;
        }
        if (!p.outstanding.has('account')) return;
        p.account = msg;
        p.outstanding.delete('account');
        break;
      case 'OrderStatusReport':
      case 'OrderNotFoundReport': {
        const asked = p.lookups.get(msg.clientOrderId);
        if (!asked) return;
        p.lookups.delete(msg.clientOrderId);
        // The answer is already folded (the engine logs and applies it first); say what it corrected.
        const ours = this.deps.ledger.order(msg.clientOrderId);
        if (msg.kind === 'OrderNotFoundReport') {
          // A "not found" asked before our latest send of the order (it was resent while this
          // lookup was in flight) says nothing about the order now: the fold ignored it too.
          if (!ours || isStaleNotFound(ours, msg)) break;
          // Only an order the venue had shown us is a mismatch: one still on its way (sent, not
          // yet acknowledged) is unknown to a lookup that overtakes it, which proves nothing.
          if (asked.status !== 'pending_new' && asked.shown)
            this.mismatch(
              p,
              'unknown_at_venue',
              msg.clientOrderId,
              `the venue does not know an order we held as ${asked.status}`,
            );
          // Not sent (submitted, unconfirmed) went back to pending_new and recovery sends it
          // again with the same id; one the venue had acknowledged is failed (and revived if
          // the venue shows it later).
          if (ours.status === 'accepted' || ours.status === 'partially_filled')
            this.deps.fail(msg.clientOrderId, 'reconciliation: the venue does not know this order after lookup');
        } else if (!this.unresolvedBefore(msg)) {
          // Compared with what we held when the answer arrived, not when it was asked: a fill
          // or an ack the stream delivered in between was never missed.
          const had = before ?? asked;
          if (msg.filledQty > had.filledQty)
            this.mismatch(
              p,
              'missed_fill',
              msg.clientOrderId,
              `venue filled ${msg.filledQty}, we had ${had.filledQty}`,
            );
          else if (!agrees(had, msg) && had.status !== 'pending_cancel' && !ackOvertaken(had, msg))
            this.mismatch(p, 'status', msg.clientOrderId, `venue ${msg.status}, we had ${had.status}`);
          this.checkApplied(msg);
        }
        break;
      }
      case 'QueryFailedReport':
        if (msg.query !== 'order' && !this.ours(p, msg)) return;
        return this.retry(p, msg);
      default:
        return;
    }
    this.finishIfDone(p);
  }

  private entry(p: Pass, o: Entry): void {
    const ours = this.deps.ledger.order(o.clientOrderId);
    if (!ours) {
      if (this.orphans.seen(o))
        this.mismatch(p, 'orphan', o.clientOrderId, `order ${o.venueOrderId} at the venue is not ours`);
      return;
    }
    if (agrees(ours, o) || this.unresolvedBefore(o)) return;
    if (o.filledQty > ours.filledQty)
      this.mismatch(p, 'missed_fill', o.clientOrderId, `venue filled ${o.filledQty}, we had ${ours.filledQty}`);
    else if (!ackOvertaken(ours, o))
      this.mismatch(p, 'status', o.clientOrderId, `venue ${o.status}, we had ${ours.status}`);
    this.deps.apply({ kind: 'OrderStatusReport', ...o, source: 'reconciliation' });
    this.checkApplied(o);
  }

  /** This venue state of the order was found before and could not be applied: it is reported
   *  once (ReconciliationUnresolved), not again by every pass that reads it. */
  private unresolvedBefore(o: Entry): boolean {
    return this.unresolved.get(o.clientOrderId) === venueState(o);
  }

  /**
   * After the venue's state was applied through the one update path, our record must agree with
   * it. When it does not (the fold refused it: a forbidden transition, an overfill, a terminal
   * order the venue shows otherwise), the finding is recorded once, with what we hold; later
   * passes that read the same venue state skip it, so reconciliation converges.
   */
  private checkApplied(o: Entry): void {
    const ours = this.deps.ledger.order(o.clientOrderId);
    if (!ours || agrees(ours, o)) return;
    this.unresolved.set(o.clientOrderId, venueState(o));
    this.deps.record({
      kind: 'ReconciliationUnresolved',
      clientOrderId: o.clientOrderId,
      venueStatus: o.status,
      venueFilledQty: o.filledQty,
      status: ours.status,
      filledQty: ours.filledQty,
    });
  }

  /** Every order we hold as possibly at the venue that the open orders did not show. */
  private lookUpTheRest(p: Pass): void {
    const now = this.deps.clock.now();
    // Only a startup pass looks up orders never sent (a submit the crash may have cut short);
    // otherwise those sent are all that can be at the venue. A copy: a lookup may be answered
    // (and folded) before the walk is over.
    const { ledger } = this.deps;
    for (const o of [...(p.mode === 'startup' ? ledger.openOrders() : ledger.sentOrders())]) {
      const id = o.request.clientOrderId;
      if (p.seenOpen.has(id)) continue;
      const due =
        o.status !== 'pending_new' || (p.mode === 'startup' && o.request.scheduledTime <= now) || o.attempts > 0;
      if (!due) continue;
      p.lookups.set(id, { status: o.status, filledQty: o.filledQty, shown: !neverShown(o) });
      this.deps.broker.queryOrder(id);
    }
  }

  private retry(p: Pass, msg: Extract<VenueMessage, { kind: 'QueryFailedReport' }>): void {
    const again = (): void => {
      if (this.pass !== p) return;
      if (msg.query === 'open_orders' && p.outstanding.has('open')) this.askOpen(p);
      else if (msg.query === 'account' && (p.outstanding.has('account') || (p.confirming !== null && p.confirmAsked)))
        this.askAccount(p);
      else if (msg.query === 'orders_since' && p.outstanding.has('page')) this.askPage(p, p.since);
      else if (msg.query === 'order' && msg.clientOrderId !== null && p.lookups.has(msg.clientOrderId))
        this.deps.broker.queryOrder(msg.clientOrderId);
    };
    this.deps.clock.schedule(again, this.deps.config.retryMs);
  }

  /** Asks again whatever is still unanswered every stallMs until the pass ends. */
  private watchStall(p: Pass): void {
    this.deps.clock.schedule(() => {
      if (this.pass !== p) return;
      if (p.outstanding.has('open')) this.askOpen(p);
      if (p.outstanding.has('account') || (p.confirming !== null && p.confirmAsked)) this.askAccount(p);
      if (p.outstanding.has('page')) this.askPage(p, p.since);
      for (const id of p.lookups.keys()) this.deps.broker.queryOrder(id);
      this.watchStall(p);
    }, this.deps.config.stallMs);
  }

  private finishIfDone(p: Pass): void {
    if (p.outstanding.size > 0 || p.lookups.size > 0 || p.confirming !== null) return;
    if (p.baseline) this.recordBaseline(p);
    const off = p.account === null ? null : this.differences(p.account);
    if (off !== null) {
      // Fills in flight explain a first mismatch: ask again after settleMs and compare again.
      p.confirming = off;
      this.deps.clock.schedule(() => {
        if (this.pass !== p) return;
        p.confirmAsked = true;
        this.askAccount(p);
      }, this.deps.config.settleMs);
      return;
    }
    this.end(p);
  }

  /** The symbols whose positions are compared: the node's, or the one the answer names. */
  private symbolsOf(a: AccountReport): readonly string[] {
    return this.deps.symbols ?? [a.symbol];
  }

  /** The venue's position in `symbol` as we expect it: the account's baseline, our fills, and
   *  the fills of orphans we did not adopt. */
  private expectedPosition(symbol: string, primary: boolean): number {
    return this.deps.ledger.accountPositionOf(symbol) + this.orphans.signedFills(symbol, primary);
  }

  /** Each symbol whose position the answer states off ours, by how much (venue less ours); null
   *  when none is. */
  private differences(a: AccountReport): Map<string, number> | null {
    let off: Map<string, number> | null = null;
    this.symbolsOf(a).forEach((symbol, i) => {
      const diff = positionIn(a, symbol) - this.expectedPosition(symbol, i === 0);
      if (diff !== 0) (off ??= new Map()).set(symbol, diff);
    });
    return off;
  }

  /**
   * The account as the venue showed it to this pass, less what our fills and the orphans' fills
   * explain, is what the run started with: recorded as its baseline (folded by the ledger) when
   * anything is held, one per symbol. Once per run: a log that has a baseline keeps it.
   */
  private recordBaseline(p: Pass): void {
    const a = p.account;
    const { ledger } = this.deps;
    if (a === null) return;
    this.symbolsOf(a).forEach((symbol, i) => {
      if (ledger.baselineOf(symbol) !== null) return;
      const position = positionIn(a, symbol) - ledger.positionOf(symbol) - this.orphans.signedFills(symbol, i === 0);
      if (i > 0) {
        // Another symbol: its base lots (the quote balance is the one the first symbol's states).
        const base = a.others?.find((o) => o.symbol === symbol)?.base;
        if (position === 0 && (base === undefined || (base.free === 0 && (base.locked ?? 0) === 0))) return;
        const balances = base === undefined || a.balances === undefined ? null : { base, quote: a.balances.quote };
        this.deps.record({ kind: 'AccountBaseline', symbol, position, quote: a.quote, balances });
        return;
      }
      const b = a.balances;
      const held =
        position !== 0 ||
        a.quote !== 0 ||
        (b !== undefined && [b.base.free, b.base.locked, b.quote.free, b.quote.locked].some((v) => (v ?? 0) !== 0));
      if (!held) return;
      this.deps.record({ kind: 'AccountBaseline', symbol: a.symbol, position, quote: a.quote, balances: b ?? null });
    });
  }

  /** The second look: a symbol still off ours by the same amount is a finding, and the
   *  difference is carried on top of our fills (PositionCorrected). */
  private confirmPosition(p: Pass, a: AccountReport): void {
    const several = this.deps.symbols !== undefined && this.deps.symbols.length > 1;
    this.symbolsOf(a).forEach((symbol, i) => {
      const venue = positionIn(a, symbol);
      const ours = this.expectedPosition(symbol, i === 0);
      const diff = venue - ours;
      if (diff !== 0 && diff === p.confirming?.get(symbol)) {
        const what = several
          ? `${symbol}: venue position ${venue} lots, ours ${ours}`
          : `venue position ${venue} lots, ours ${ours}`;
        this.mismatch(p, 'position', null, what);
        this.deps.record({ kind: 'PositionCorrected', ours, venue, adjustment: diff, ...(several ? { symbol } : {}) });
      }
    });
    p.confirming = null;
    this.end(p);
  }

  private end(p: Pass): void {
    this.pass = null;
    const mark = this.deps.broker.ordersSinceBy === 'updated' ? p.highWater : p.oldestOpen;
    this.highWaterMark = Math.max(mark, this.highWaterMark ?? mark);
    this.deps.record({
      kind: 'ReconciliationCompleted',
      mode: p.mode,
      highWaterMark: this.highWaterMark,
      mismatches: p.mismatches,
    });
    p.done?.();
    if (this.reconnectPending && this.pass === null) {
      this.reconnectPending = false;
      this.run('reconnect');
    }
  }

  /** Records a finding; an order's finding counts once per pass (the listing and its lookup
   *  can both show the same missed fill). */
  private mismatch(p: Pass, mismatch: MismatchKind, clientOrderId: ClientOrderId | null, detail: string): void {
    if (clientOrderId !== null && mismatch !== 'orphan') {
      if (p.found.has(clientOrderId)) return;
      p.found.add(clientOrderId);
    }
    p.mismatches++;
    this.deps.record({ kind: 'ReconciliationMismatch', mismatch, clientOrderId, detail });
  }
}

/** Our record says what the venue says: same filled quantity, and the same status (a cancel we
 *  asked for that the venue has not done yet agrees with its open order). */
function agrees(ours: { status: OrderStatus; filledQty: number }, o: Pick<Entry, 'status' | 'filledQty'>): boolean {
  if (o.filledQty !== ours.filledQty) return false;
  const venue = statusOfVenue(o.status);
  return venue === ours.status || (ours.status === 'pending_cancel' && !isTerminal(venue));
}

/** The venue shows open and untouched an order whose send has not been answered yet: its
 *  acknowledgement is still on its way (a read overtook it), which is no disagreement. It is
 *  applied like any venue state, but not reported as a mismatch. An order whose send failed with
 *  an unknown outcome (submitted_unconfirmed) is different: that the venue has it is a finding. */
function ackOvertaken(
  ours: { status: OrderStatus; filledQty: number },
  o: Pick<Entry, 'status' | 'filledQty'>,
): boolean {
  return ours.status === 'submitted' && o.filledQty === ours.filledQty && statusOfVenue(o.status) === 'accepted';
}

const venueState = (o: Pick<Entry, 'status' | 'filledQty'>): string => `${o.status}:${o.filledQty}`;
