// A venue a test scripts: it holds the truth about every order (what it accepted, filled, ended)
// and answers every command and read of the Broker port from that truth, on a VirtualClock, as
// its venue rules say (codes, client-id uniqueness, order shapes, the class of a refused cancel).
// The script decides the fate of each request (answered, lost, failed, rate limited, processed
// with its answer lost) and which pushes are lost; a test fills orders by fiat at any price, or
// lets the static book and others' trades fill them. It passes the broker contract
// (test/contract/scripted-venue.test.ts), so what a test shows with it is what a venue may do.
//
// Timing: a command reaches the venue after `latencyMs` and its answer travels as long; a read is
// answered after `latencyMs` with the truth at that moment; a push travels `latencyMs`.
// By hand (`byHand`): nothing is sent on the venue's own; each request waits in `pending` until
// the test answers it with `reply` (then and there), and fills by fiat push nothing.
import type { VirtualClock } from '../../../src/core/clock/virtual-clock.ts';
import { symbol, tradeId, venueOrderId, type ClientOrderId } from '../../../src/core/model/ids.ts';
import type { OrderRequest } from '../../../src/core/model/order.ts';
import type { AckReport, ReportedTrade, VenueMessage } from '../../../src/core/model/reports.ts';
import type { Broker, OrdersCursor, ReportHandler } from '../../../src/core/ports/broker.ts';
import {
  isValidClientId,
  orderShapeRefusal,
  refusal,
  type RefusalReason,
  type VenueRules,
} from '../../../src/core/venues/venue-rules.ts';
import { ScriptedBook, type Level } from './scripted-book.ts';
import { isLive, rowOf, stateOf, type Truth } from './scripted-order.ts';

export type { Truth } from './scripted-order.ts';

/** One request as the venue received it. */
export interface Call {
  readonly call: 'submit' | 'cancel' | 'query' | 'open' | 'since' | 'account';
  /** The order it is about; null for the snapshot reads. */
  readonly id: ClientOrderId | null;
  readonly at: number;
  readonly order?: OrderRequest;
  readonly askedAfterSeq?: number;
  readonly requestId?: string;
  readonly since?: number;
  readonly limit?: number;
  readonly after?: OrdersCursor;
}

/**
 * What becomes of a request: answered; lost on the way (never reaches the venue, never
 * answered); failed without being processed (a read: a transient failure; a command: a refusal of
 * the rate-limit kind); a lookup answered "no such order" whatever the venue holds; or unanswered,
 * reported unknown by the client `lostAfterMs` after sending, the venue having acted on it unless
 * `received` is false (a timeout before or after the venue got it).
 */
export type Fate =
  | 'answer'
  | 'silent'
  | 'fail'
  | 'not_found'
  | 'rate_limited'
  | { readonly lostAfterMs: number; readonly received?: boolean };

export interface ScriptedVenueScript {
  /** One-way latency of every request, answer and push, ms. */
  readonly latencyMs: number;
  /** The fate of the n-th (1-based) request of its kind (for its order, when it has one). */
  fate(call: Call, n: number): Fate;
  /** A push (a message the venue sends on its own: acks, fills, cancels, expiries) that is lost. */
  pushLost(msg: VenueMessage): boolean;
  /** Called when a cancel reaches the venue, before it is applied (to make a fill win the race). */
  beforeCancel(id: ClientOrderId): void;
  /** The position the venue states, given its truth (a desync when they differ). */
  accountOverride(truth: number): number;
  /** Whether lookups and listings list the trades (else: the cumulative and its average). */
  readonly answerTrades: boolean;
  /** A refusal the venue gives every order that passes its rules (e.g. insufficient-balance). */
  readonly refuseOrders: RefusalReason | null;
  /** false: the venue neither matches an order against its book nor ends a market, IOC or FOK
   *  remainder by itself; only the test fills and ends orders (fill, expire, marketTrade). */
  readonly matches: boolean;
}

export interface ScriptedVenueOptions {
  readonly clock: VirtualClock;
  readonly rules: VenueRules;
  readonly symbol: string;
  readonly script?: Partial<ScriptedVenueScript>;
  /** Every request waits for the test's `reply`; nothing is sent unasked. */
  readonly byHand?: boolean;
  /** The displayed book our orders take from, [ticks, lots] best first. */
  readonly bids?: Level[];
  readonly asks?: Level[];
  /** What the account holds before any order: lots of the symbol, notional units of quote. */
  readonly position?: number;
  readonly quote?: number;
  /** The instrument's minimum notional in notional units (tick x lot); 0: none. */
  readonly minNotionalUnits?: number;
  /** Overrides the rules' listing time (the port's ordersSinceBy). */
  readonly ordersSinceBy?: 'updated' | 'submitted';
  /** Told of every request as it arrives. */
  readonly onCall?: (call: Call) => void;
  /** Stamps each unstamped lookup as it arrives, standing in for the engine, which stamps every
   *  lookup with the sequence number of its last log entry before it reaches a venue. */
  readonly lookupStamp?: () => number;
}

export const NEUTRAL_SCRIPT: ScriptedVenueScript = {
  latencyMs: 1,
  fate: () => 'answer',
  pushLost: () => false,
  beforeCancel: () => {},
  accountOverride: (p) => p,
  answerTrades: true,
  refuseOrders: null,
  matches: true,
};

export class ScriptedVenue implements Broker {
  readonly clientIdMaxLength: number;
  readonly ordersSinceBy: 'updated' | 'submitted';
  /** The venue's orders by client id (the latest order of a reused id). */
  readonly truth = new Map<ClientOrderId, Truth>();
  /** Every order the venue accepted, in submission order. */
  readonly orders: Truth[] = [];
  readonly calls: Call[] = [];
  /** Requests waiting for the test's answer (by hand). */
  readonly pending: Call[] = [];
  readonly script: ScriptedVenueScript;
  private handler: ReportHandler = () => {};
  private readonly counts = new Map<string, number>();
  private readonly book: ScriptedBook;
  private readonly clock: VirtualClock;
  private readonly rules: VenueRules;
  private trades = 0;
  private quote: number;
  private readonly basePosition: number;

  constructor(private readonly options: ScriptedVenueOptions) {
    this.clock = options.clock;
    this.rules = options.rules;
    this.clientIdMaxLength = options.rules.clientIdMaxLength;
    this.ordersSinceBy = options.ordersSinceBy ?? options.rules.ordersSinceBy;
    this.script = { ...NEUTRAL_SCRIPT, ...options.script };
    this.book = new ScriptedBook(options.bids, options.asks);
    this.quote = options.quote ?? 0;
    this.basePosition = options.position ?? 0;
  }

  setReportHandler(handler: ReportHandler): void {
    this.handler = handler;
  }

  /** The position the venue's fills add up to (on top of what the account held), lots. */
  get position(): number {
    let p = this.basePosition;
    for (const t of this.orders) p += t.side === 'buy' ? t.filled : -t.filled;
    return p;
  }

  // ---- the Broker port ---------------------------------------------------------------------

  submit(order: OrderRequest): void {
    this.request({ call: 'submit', id: order.clientOrderId, at: this.clock.now(), order });
  }
  cancel(id: ClientOrderId): void {
    this.request({ call: 'cancel', id, at: this.clock.now() });
  }
  queryOrder(id: ClientOrderId, askedAfterSeq = this.options.lookupStamp?.()): void {
    this.request({
      call: 'query',
      id,
      at: this.clock.now(),
      ...(askedAfterSeq === undefined ? {} : { askedAfterSeq }),
    });
  }
  queryOpenOrders(requestId?: string): void {
    this.request({ call: 'open', id: null, at: this.clock.now(), ...(requestId === undefined ? {} : { requestId }) });
  }
  queryOrdersSince(since: number, limit: number, after?: OrdersCursor, requestId?: string): void {
    this.request({
      call: 'since',
      id: null,
      at: this.clock.now(),
      since,
      limit,
      ...(after === undefined ? {} : { after }),
      ...(requestId === undefined ? {} : { requestId }),
    });
  }
  queryAccount(requestId?: string): void {
    this.request({
      call: 'account',
      id: null,
      at: this.clock.now(),
      ...(requestId === undefined ? {} : { requestId }),
    });
  }

  // ---- what a test does --------------------------------------------------------------------

  /**
   * By hand: answers a waiting request now (the oldest of a kind, for an order when given), as
   * `how` says, hands the answer to the handler and returns it (null: the fate sends none).
   */
  reply(which: Call | { call: Call['call']; id?: ClientOrderId }, how: Fate = 'answer'): VenueMessage | null {
    const at = this.pending.findIndex((c) =>
      'at' in which ? c === which : c.call === which.call && (which.id === undefined || c.id === which.id),
    );
    if (at < 0) throw new Error(`scripted venue: no ${which.call} ${which.id ?? ''} waits for an answer`);
    const [call] = this.pending.splice(at, 1) as [Call];
    const answer = this.outcome(call, how);
    if (answer !== null) this.handler(answer);
    return answer;
  }

  /** By hand: what the venue answers a waiting request, applied at the venue but not handed over. */
  answerOf(which: Call | { call: Call['call']; id?: ClientOrderId }): VenueMessage | null {
    const saved = this.handler;
    let got: VenueMessage | null = null;
    this.handler = (m) => void (got = m);
    try {
      this.reply(which);
    } finally {
      this.handler = saved;
    }
    return got;
  }

  /** An order the venue accepted before the test begins to watch: no request is recorded, and
   *  the venue's acknowledgement is returned instead of sent. Throws if the rules refuse it. */
  seed(order: OrderRequest): AckReport {
    const answer = this.accept(order);
    if (answer.kind !== 'AckReport') throw new Error(`scripted venue: ${order.clientOrderId} refused: ${answer.kind}`);
    return answer;
  }

  /** The venue fills `qty` lots (capped at what remains) of a live order now, at `price`, and
   *  pushes the FillReport; returns the lots filled. */
  fill(id: ClientOrderId, qty: number, price: number, trade?: Partial<ReportedTrade>): number {
    const t = this.truth.get(id);
    if (!t || !isLive(t)) return 0;
    const q = Math.min(qty, t.qty - t.filled);
    if (q <= 0) return 0;
    this.execute(t, q, price, 'taker', trade);
    return q;
  }

  /** The venue ends a live order by itself (an IOC remainder, a DAY close; or `canceled`: by
   *  someone else), and pushes the report. */
  expire(id: ClientOrderId, status: 'expired' | 'canceled' = 'expired'): void {
    const t = this.truth.get(id);
    if (!t || !isLive(t)) return;
    this.end(t, status);
  }

  /** Someone else's trade (`aggressor` the taking side): fills our resting orders it reaches, at
   *  their prices, best first, up to `qty`. */
  marketTrade(price: number, qty: number, aggressor: 'buy' | 'sell'): void {
    let left = qty;
    for (const t of ScriptedBook.reached(this.orders, price, aggressor)) {
      if (left === 0) break;
      const q = Math.min(left, t.qty - t.filled);
      this.execute(t, q, t.limitPrice!, 'maker');
      left -= q;
    }
  }

  // ---- requests ----------------------------------------------------------------------------

  private request(call: Call): void {
    this.calls.push(call);
    this.options.onCall?.(call);
    if (this.options.byHand) {
      this.pending.push(call);
      return;
    }
    const key = `${call.call} ${call.id ?? ''}`;
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    const fate = this.script.fate(call, n);
    if (fate === 'silent') return;
    const latency = this.script.latencyMs;
    if (typeof fate === 'object') {
      // No answer: the client gives up; the venue may have got the request and acted on it.
      if (fate.received !== false && (call.call === 'submit' || call.call === 'cancel'))
        this.clock.schedule(() => this.process(call), latency);
      this.clock.schedule(() => this.handler(this.failure(call, 'timeout')), fate.lostAfterMs);
      return;
    }
    if (call.call === 'submit' || call.call === 'cancel') {
      // Two hops: the venue acts when the request arrives, the answer travels back.
      this.clock.schedule(() => {
        const answer = this.outcome(call, fate);
        if (answer !== null) this.send(answer, latency, call.call === 'submit' || answer.kind === 'CancelReport');
      }, latency);
      return;
    }
    // A read: answered after one hop, with the truth of that moment.
    this.clock.schedule(() => {
      const answer = this.outcome(call, fate);
      if (answer !== null) this.handler(answer);
    }, latency);
  }

  /** What the venue answers `call` under `fate`, acting on it when it is processed. */
  private outcome(call: Call, fate: Fate): VenueMessage | null {
    if (fate === 'silent') return null;
    if (typeof fate === 'object') {
      if (fate.received !== false && (call.call === 'submit' || call.call === 'cancel')) this.process(call);
      return this.failure(call, 'timeout');
    }
    if (fate === 'rate_limited') return this.rateLimited(call);
    if (fate === 'fail')
      return call.call === 'submit' || call.call === 'cancel' ? this.rateLimited(call) : this.failure(call, 'server');
    if (fate === 'not_found' && call.call === 'query')
      return { kind: 'OrderNotFoundReport', clientOrderId: call.id!, ...stampOf(call) };
    return this.process(call);
  }

  /** The request done at the venue, and its answer. */
  private process(call: Call): VenueMessage {
    const stamp = stampOf(call);
    const asOf = { asOf: call.at };
    const trades = this.script.answerTrades;
    switch (call.call) {
      case 'submit':
        return this.accept(call.order!);
      case 'cancel':
        return this.cancelNow(call.id!);
      case 'query': {
        const t = this.truth.get(call.id!);
        return t
          ? { kind: 'OrderStatusReport', ...stateOf(t, trades), ...stamp }
          : { kind: 'OrderNotFoundReport', clientOrderId: call.id!, ...stamp };
      }
      case 'open':
        return {
          kind: 'OpenOrdersReport',
          orders: this.orders.filter(isLive).map((t) => stateOf(t, trades)),
          ...asOf,
          ...stamp,
        };
      case 'since':
        return { kind: 'OrdersPageReport', ...this.page(call.since!, call.limit!, call.after), ...asOf, ...stamp };
      case 'account':
        return {
          kind: 'AccountReport',
          symbol: symbol(this.options.symbol),
          position: this.script.accountOverride(this.position),
          quote: this.quote,
          ...asOf,
          ...stamp,
        };
    }
  }

  private accept(order: OrderRequest): VenueMessage {
    const id = order.clientOrderId;
    const reason = this.refusalOf(order);
    if (reason !== null) {
      const r = refusal(this.rules, reason, {
        symbol: this.options.symbol,
        requested: String(order.qty),
        available: '0',
      });
      return {
        kind: 'RejectReport',
        clientOrderId: id,
        code: r.code,
        reason: r.message,
        ...(reason === 'duplicate-client-id' ? { duplicate: true as const } : {}),
      };
    }
    const reused = this.orders.filter((o) => o.id === id).length;
    const now = this.clock.now();
    const t: Truth = {
      id,
      vid: venueOrderId(reused === 0 ? `v-${id}` : `v-${id}-${reused + 1}`),
      qty: order.qty,
      side: order.side,
      type: order.type,
      tif: order.tif,
      limitPrice: order.limitPrice ?? null,
      status: 'new',
      filled: 0,
      trades: [],
      submittedAt: now,
      updatedAt: now,
    };
    this.truth.set(id, t);
    this.orders.push(t);
    // The answer leaves first; what the order takes from the book follows it on the stream.
    if (this.options.byHand) this.match(t);
    else this.clock.schedule(() => this.match(t), 0);
    return { kind: 'AckReport', clientOrderId: id, venueOrderId: t.vid };
  }

  private refusalOf(order: OrderRequest): RefusalReason | null {
    const rules = this.rules;
    const existing = this.truth.get(order.clientOrderId);
    if (!isValidClientId(rules, order.clientOrderId)) return 'invalid-client-id';
    if (existing && (rules.clientIdUniqueness === 'all-orders' || isLive(existing))) return 'duplicate-client-id';
    const shape = orderShapeRefusal(rules, order.type, order.tif);
    if (shape !== null) return shape;
    if (order.postOnly && !rules.postOnly.supported) return 'unsupported-order-type';
    const reference = order.limitPrice ?? this.book.touch(order.side);
    if (reference !== null && reference * order.qty < (this.options.minNotionalUnits ?? 0)) return 'below-min-notional';
    const touch = this.book.touch(order.side);
    if (
      order.postOnly &&
      touch !== null &&
      (order.side === 'buy' ? order.limitPrice! >= touch : order.limitPrice! <= touch)
    )
      return 'post-only-would-take';
    return this.script.refuseOrders;
  }

  /** An accepted order takes what it can from the book; a market, IOC or FOK rest ends. */
  private match(t: Truth): void {
    if (!isLive(t) || !this.script.matches) return;
    const wanted = t.qty - t.filled;
    const takesAll = t.tif !== 'FOK' || this.book.available(t.side, t.limitPrice) >= wanted;
    if (takesAll)
      for (const x of this.book.take(t.side, wanted, t.limitPrice)) this.execute(t, x.qty, x.price, 'taker');
    if (isLive(t) && (t.type === 'market' || t.tif === 'IOC' || t.tif === 'FOK')) this.end(t, 'expired');
  }

  private cancelNow(id: ClientOrderId): VenueMessage {
    this.script.beforeCancel(id);
    const t = this.truth.get(id);
    if (t && isLive(t)) {
      t.status = 'canceled';
      t.updatedAt = this.clock.now();
      return { kind: 'CancelReport', clientOrderId: id };
    }
    const finished = t !== undefined && this.rules.errors['cancel-finished-order'] !== undefined;
    const r = finished
      ? refusal(this.rules, 'cancel-finished-order', { status: t.status })
      : refusal(this.rules, 'cancel-unknown-order');
    const failure = r.failure as 'not_found' | 'not_cancelable';
    return { kind: 'CancelRejectReport', clientOrderId: id, code: r.code, reason: r.message, failure };
  }

  private rateLimited(call: Call): VenueMessage {
    const r = refusal(this.rules, 'rate-limited');
    const id = call.id!;
    if (call.call === 'submit')
      return { kind: 'RetryableRejectReport', clientOrderId: id, code: r.code, reason: r.message };
    if (call.call === 'cancel')
      return { kind: 'CancelRejectReport', clientOrderId: id, code: r.code, reason: r.message, failure: 'transient' };
    return this.failure(call, 'rate_limit', r.message);
  }

  /** The client's report of a request that failed or whose answer it never got. */
  private failure(call: Call, category: 'timeout' | 'server' | 'rate_limit', text?: string): VenueMessage {
    const reason = text ?? (category === 'timeout' ? 'timed out' : '503 Service Unavailable');
    if (call.call === 'submit' || call.call === 'cancel')
      return {
        kind: 'OutcomeUnknownReport',
        clientOrderId: call.id!,
        request: call.call,
        reason,
        ...(category === 'rate_limit' ? {} : { category }),
      };
    const query = ({ query: 'order', open: 'open_orders', since: 'orders_since', account: 'account' } as const)[
      call.call
    ];
    return {
      kind: 'QueryFailedReport',
      clientOrderId: call.id,
      query,
      failure: 'transient',
      category,
      reason,
      ...stampOf(call),
    };
  }

  private page(since: number, limit: number, after?: OrdersCursor) {
    const time = (t: Truth) => (this.ordersSinceBy === 'submitted' ? t.submittedAt : t.updatedAt);
    const rows = this.orders
      .filter((t) => time(t) >= since)
      .sort((a, b) => time(a) - time(b) || (a.vid < b.vid ? -1 : a.vid > b.vid ? 1 : 0))
      .filter((t) => after === undefined || time(t) > after.at || (time(t) === after.at && t.vid > after.venueOrderId));
    const shown = rows.slice(0, limit);
    const last = shown.at(-1);
    return {
      since,
      orders: shown.map((t) => rowOf(t, this.script.answerTrades)),
      next: rows.length > limit && last ? { at: time(last), venueOrderId: String(last.vid) } : null,
    };
  }

  // ---- the venue acting on its own -----------------------------------------------------------

  private execute(
    t: Truth,
    qty: number,
    price: number,
    liquidity: 'maker' | 'taker',
    extra?: Partial<ReportedTrade>,
  ): void {
    const r: ReportedTrade = {
      tradeId: tradeId(`t${++this.trades}`),
      qty,
      price,
      fee: 0,
      liquidity,
      venueTime: this.clock.now(),
      ...extra,
    };
    t.trades.push(r);
    t.filled += qty;
    t.status = t.filled === t.qty ? 'filled' : 'partially_filled';
    t.updatedAt = this.clock.now();
    this.quote += t.side === 'buy' ? -(qty * r.price + r.fee) : qty * r.price - r.fee;
    this.push({ kind: 'FillReport', clientOrderId: t.id, venueOrderId: t.vid, ...r });
  }

  private end(t: Truth, status: 'expired' | 'canceled'): void {
    t.status = status;
    t.updatedAt = this.clock.now();
    this.push(
      status === 'expired'
        ? { kind: 'ExpiredReport', clientOrderId: t.id, reason: 'IOC remainder' }
        : { kind: 'CancelReport', clientOrderId: t.id },
    );
  }

  private push(msg: VenueMessage): void {
    if (this.options.byHand) return;
    this.send(msg, this.script.latencyMs, true);
  }

  private send(msg: VenueMessage, delay: number, push: boolean): void {
    this.clock.schedule(() => {
      if (!(push && this.script.pushLost(msg))) this.handler(msg);
    }, delay);
  }
}

function stampOf(call: Call): { askedAfterSeq?: number; requestId?: string } {
  if (call.askedAfterSeq !== undefined) return { askedAfterSeq: call.askedAfterSeq };
  if (call.requestId !== undefined) return { requestId: call.requestId };
  return {};
}
