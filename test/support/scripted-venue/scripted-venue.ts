// A venue a test scripts: it holds the truth about every order (scripted-exchange.ts: what it
// accepted, filled, ended) and answers every command and read of the Broker port from that truth,
// on a VirtualClock, as its venue rules say (codes, client-id uniqueness, order shapes, the class
// of a refused cancel). The script decides the fate of each request (answered, lost, failed, rate
// limited, processed with its answer lost) and which pushes are lost; a test fills orders by fiat
// at any price, or lets the static book and others' trades fill them. It passes the broker
// contract (test/contract/scripted-venue.test.ts), so what a test shows with it a venue may do.
//
// Timing: a command reaches the venue after `latencyMs` and its answer travels as long; a read is
// answered after `latencyMs` with the truth at that moment; a push travels `latencyMs`.
// By hand (`byHand`): nothing is sent on the venue's own; each request waits in `pending` until
// the test answers it with `reply` (then and there), and fills by fiat push nothing.
import type { VirtualClock } from '../../../src/core/clock/virtual-clock.ts';
import { symbol, type ClientOrderId } from '../../../src/core/model/ids.ts';
import type { OrderRequest } from '../../../src/core/model/order.ts';
import type { AckReport, ReportedTrade, VenueMessage } from '../../../src/core/model/reports.ts';
import type { Broker, OrdersCursor, ReportHandler } from '../../../src/core/ports/broker.ts';
import type { VenueRules } from '../../../src/core/venues/venue-rules.ts';
import { failure, pageOf, rateLimited, stampOf } from './scripted-answers.ts';
import type { Level } from './scripted-book.ts';
import { ScriptedExchange } from './scripted-exchange.ts';
import { isLive, stateOf, type Truth } from './scripted-order.ts';
import { NEUTRAL_SCRIPT, type Call, type Fate, type ScriptedVenueScript } from './scripted-script.ts';

export type { Truth } from './scripted-order.ts';
export type { Call, Fate, ScriptedVenueScript } from './scripted-script.ts';

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

export class ScriptedVenue implements Broker {
  readonly clientIdMaxLength: number;
  readonly ordersSinceBy: 'updated' | 'submitted';
  /** The venue's orders by client id (the latest order of a reused id). */
  readonly truth: Map<ClientOrderId, Truth>;
  /** Every order the venue accepted, in submission order. */
  readonly orders: Truth[];
  readonly calls: Call[] = [];
  /** Requests waiting for the test's answer (by hand). */
  readonly pending: Call[] = [];
  readonly script: ScriptedVenueScript;
  private handler: ReportHandler = () => {};
  private readonly counts = new Map<string, number>();
  private readonly exchange: ScriptedExchange;
  private readonly clock: VirtualClock;
  private readonly rules: VenueRules;

  constructor(private readonly options: ScriptedVenueOptions) {
    this.clock = options.clock;
    this.rules = options.rules;
    this.clientIdMaxLength = options.rules.clientIdMaxLength;
    this.ordersSinceBy = options.ordersSinceBy ?? options.rules.ordersSinceBy;
    this.script = { ...NEUTRAL_SCRIPT, ...options.script };
    this.exchange = new ScriptedExchange({
      ...options,
      matches: this.script.matches,
      refuseOrders: this.script.refuseOrders,
      // The answer leaves first; what the order takes from the book follows it on the stream.
      matchAtOnce: options.byHand === true,
      push: (msg) => {
        if (!options.byHand) this.send(msg, this.script.latencyMs, true);
      },
    });
    this.truth = this.exchange.truth;
    this.orders = this.exchange.orders;
  }

  setReportHandler(handler: ReportHandler): void {
    this.handler = handler;
  }

  /** The position the venue's fills add up to (on top of what the account held), lots. */
  get position(): number {
    return this.exchange.position;
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

  /** An order the venue accepted before the test begins to watch: no request is recorded, and
   *  the venue's acknowledgement is returned instead of sent. Throws if the rules refuse it. */
  seed(order: OrderRequest): AckReport {
    const answer = this.exchange.accept(order);
    if (answer.kind !== 'AckReport') throw new Error(`scripted venue: ${order.clientOrderId} refused: ${answer.kind}`);
    return answer;
  }

  /** The venue fills `qty` lots (capped at what remains) of a live order now, at `price`, and
   *  pushes the FillReport; returns the lots filled. */
  fill(id: ClientOrderId, qty: number, price: number, trade?: Partial<ReportedTrade>): number {
    return this.exchange.fill(id, qty, price, trade);
  }

  /** The venue ends a live order by itself (an IOC remainder, a DAY close; or `canceled`: by
   *  someone else), and pushes the report. */
  expire(id: ClientOrderId, status: 'expired' | 'canceled' = 'expired'): void {
    this.exchange.end(id, status);
  }

  /** Someone else's trade (`aggressor` the taking side): fills our resting orders it reaches, at
   *  their prices, best first, up to `qty`. */
  marketTrade(price: number, qty: number, aggressor: 'buy' | 'sell'): void {
    this.exchange.marketTrade(price, qty, aggressor);
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
      this.clock.schedule(() => this.handler(failure(call, 'timeout')), fate.lostAfterMs);
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
      return failure(call, 'timeout');
    }
    if (fate === 'rate_limited') return rateLimited(this.rules, call);
    if (fate === 'fail')
      return call.call === 'submit' || call.call === 'cancel' ? rateLimited(this.rules, call) : failure(call, 'server');
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
        return this.exchange.accept(call.order!);
      case 'cancel':
        this.script.beforeCancel(call.id!);
        return this.exchange.cancel(call.id!);
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
        return {
          kind: 'OrdersPageReport',
          ...pageOf(
            this.orders,
            this.ordersSinceBy,
            { since: call.since!, limit: call.limit!, ...(call.after ? { after: call.after } : {}) },
            trades,
          ),
          ...asOf,
          ...stamp,
        };
      case 'account':
        return {
          kind: 'AccountReport',
          symbol: symbol(this.options.symbol),
          position: this.script.accountOverride(this.position),
          quote: this.exchange.quote,
          ...asOf,
          ...stamp,
        };
    }
  }

  private send(msg: VenueMessage, delay: number, push: boolean): void {
    this.clock.schedule(() => {
      if (!(push && this.script.pushLost(msg))) this.handler(msg);
    }, delay);
  }
}
