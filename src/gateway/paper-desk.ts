// Where the gateway's orders go: the OrderDesk port, with two kinds of fill profile behind it:
// 'book' (the default), the simulated exchange itself (src/sim/venue), exactly what a backtest of
// the same scenario would do; and a touch profile (PaperDesk), a venue's paper venue as it
// documents it (Alpaca's 'alpaca-paper': src/gateway/alpaca/alpaca-profile.ts). The book desk
// serves every symbol of the venue (orders go to their symbol's book); a touch profile, one.
import type { ClientOrderId, Symbol, VenueOrderId } from '../core/model/ids.ts';
import { tradeId, venueOrderId } from '../core/model/ids.ts';
import type { Instrument } from '../core/model/instrument.ts';
import type { OrderRequest } from '../core/model/order.ts';
import type { VenueMessage } from '../core/model/reports.ts';
import type { ReportHandler } from '../core/ports/broker.ts';
import type { Rng } from '../core/clock/rng.ts';
import { refusal, type RefusalReason, type VenueRules } from '../core/venues/index.ts';
import { deliveryOf, type Delivery, type FaultSchedule } from '../sim/faults.ts';
import type { LatencyModel } from '../sim/latency-model.ts';
import { Channel } from '../sim/venue/market-data-feed.ts';
import type { ExchangeOrder } from '../sim/venue/exchange-order.ts';
import type { SimExchange } from '../sim/venue/sim-exchange.ts';
import type { SimVenue } from '../sim/venue/sim-venue.ts';
import type { VenueClock } from './gateway-clock.ts';
import type { TouchFills } from './gateway-profile.ts';

/** The gateway's orders: submitted, cancelled, reported, and looked up at the desk's own record. */
export interface OrderDesk {
  /** Sends an order request; says whether the venue will act on it and answer (Delivery, faults.ts). */
  submit(order: OrderRequest): Delivery;
  cancel(clientOrderId: ClientOrderId, venueOrderId: VenueOrderId | null): void;
  setReportHandler(handler: ReportHandler): void;
  /** The order at the exchange of whichever symbol it is on. */
  order(clientOrderId: ClientOrderId): ExchangeOrder | undefined;
  /** Signed position in the first symbol, lots. */
  readonly position: number;
  /** Signed position in `symbol`, lots (a symbol the desk serves). */
  positionOf(symbol: Symbol): number;
  /** Quote balance, account units (the first symbol's notional units, tick x lot, with one symbol). */
  readonly quoteBalance: number;
}

/** The 'book' profile: the simulated venue and its exchanges (`exchange` the first symbol's; the
 *  venue routes an order to its symbol's book). */
export function bookDesk(venue: SimVenue, exchange: SimExchange): OrderDesk {
  const books = venue.allBooks;
  return {
    submit: (o) => venue.submit(o),
    cancel: (cid, vid) => venue.cancel(cid, vid),
    setReportHandler: (h) => venue.setReportHandler(h),
    order: (cid) => {
      if (books.length === 1) return exchange.order(cid);
      for (const b of books) {
        const o = b.exchange.order(cid);
        if (o !== undefined) return o;
      }
      return undefined;
    },
    positionOf: (symbol) => venue.book(symbol).exchange.position,
    get position() {
      return exchange.position;
    },
    get quoteBalance() {
      return exchange.quoteBalance;
    },
  };
}

export interface PaperDeskOptions {
  readonly clock: VenueClock;
  /** The market: its best bid and ask are the quotes orders fill at. */
  readonly exchange: SimExchange;
  readonly instrument: Instrument;
  readonly rules: VenueRules;
  /** How often a fill is partial, and when what is left is looked at again. */
  readonly fills: TouchFills;
  readonly latency: LatencyModel;
  readonly faults: FaultSchedule;
  /** Draws for partial fills. */
  readonly rng: Rng;
  readonly onFault: (fault: string, detail: string) => void;
}

/**
 * A touch profile. An order is matched against the venue's real-time top of book (the exchange's
 * best bid and ask, the market everyone sees): a marketable order fills at the touch (a buy at the
 * ask, a sell at the bid) for any size, with no queue, no depth check and no impact on the book
 * (our fills do not touch the market or its tape); a limit order fills only once it is marketable;
 * a stop triggers when the touch reaches its stop price. When an order is eligible, a share of the
 * time (TouchFills.partialShare) it gets a partial fill of a random size (1 lot up to all but
 * one), and what is left is looked at again partialRetryMs later (and after every market change)
 * while it is still marketable. FOK orders are never split; IOC and FOK remainders expire. The
 * draws come from the scenario's seed (its 'paper-fills' stream), one sub-stream per order by its
 * number at the desk, so the same requests in the same order get the same fills however the wall
 * clock interleaves one order's later looks with the next orders' arrivals. No fees. The requests
 * still pass through the scenario's latency and faults, on their own random streams. Only for an
 * always-open gateway: the paper desk has no session calendar.
 */
export class PaperDesk implements OrderDesk {
  private handler: ReportHandler = () => {};
  private readonly orders = new Map<ClientOrderId, ExchangeOrder>();
  private readonly open = new Set<ExchangeOrder>();
  /** Each open order's partial-fill draws (its own stream: see the top of the file). */
  private readonly draws = new Map<ExchangeOrder, Rng>();
  /** The answers and the reports, each on a channel that keeps its order on the gateway's wall
   *  clock (market-data-feed.ts: the simulated venue's own). */
  private readonly rest: Channel;
  private readonly stream: Channel;
  private nextTrade = 1;
  private nextOrder = 1;
  position: number;
  quoteBalance: number;

  constructor(private readonly o: PaperDeskOptions) {
    this.rest = new Channel(o.clock);
    this.stream = new Channel(o.clock);
    this.position = o.exchange.position;
    this.quoteBalance = o.exchange.quoteBalance;
    // Resting orders are looked at again after every market change.
    o.clock.afterWork(() => {
      for (const order of [...this.open]) this.evaluate(order);
    });
  }

  setReportHandler(handler: ReportHandler): void {
    this.handler = handler;
  }

  order(clientOrderId: ClientOrderId): ExchangeOrder | undefined {
    return this.orders.get(clientOrderId);
  }

  /** The one symbol's position (a touch profile serves one: gateway-venue.ts refuses more). */
  positionOf(_symbol: Symbol): number {
    return this.position;
  }

  submit(order: OrderRequest): Delivery {
    const cid = order.clientOrderId;
    return this.request(cid, 'submit', () => {
      if (this.orders.has(cid)) return this.reject(cid, 'duplicate-client-id');
      const refused = this.balanceRefusal(order);
      if (refused) return this.reject(cid, refused);
      const now = this.o.clock.now();
      const o: ExchangeOrder = {
        clientOrderId: cid,
        venueOrderId: venueOrderId(`P${this.nextOrder++}`),
        side: order.side,
        type: order.type,
        tif: order.tif,
        qty: order.qty,
        limitPrice: order.limitPrice ?? null,
        stopPrice: order.stopPrice ?? null,
        postOnly: false,
        createdAt: now,
        status: 'new',
        triggered: order.type !== 'stop' && order.type !== 'stop_limit',
        filled: 0,
        notional: 0,
        ahead: 0,
        updatedAt: now,
        trades: [],
      };
      this.orders.set(cid, o);
      this.open.add(o);
      this.draws.set(o, this.o.rng.stream(`order ${o.venueOrderId}`));
      this.evaluate(o);
      return { kind: 'AckReport', clientOrderId: cid, venueOrderId: o.venueOrderId };
    });
  }

  cancel(clientOrderId: ClientOrderId, _venueOrderId: VenueOrderId | null): void {
    this.request(clientOrderId, 'cancel', () => {
      const o = this.orders.get(clientOrderId);
      if (!o || !this.open.has(o)) {
        const r = refusal(this.o.rules, 'cancel-unknown-order', { price: '', symbol: '', field: 'price' });
        const failure = r.failure === 'transient' || r.failure === 'not_cancelable' ? r.failure : 'not_found';
        return { kind: 'CancelRejectReport', clientOrderId, code: r.code, reason: r.message, failure };
      }
      this.close(o, 'canceled');
      return { kind: 'CancelReport', clientOrderId };
    });
  }

  // ---- matching ----------------------------------------------------------------------------

  /** Fills what the touch allows now: all of it, or (a partialShare of the time) a random part of it. */
  private evaluate(o: ExchangeOrder): void {
    if (!this.open.has(o)) return;
    const buy = o.side === 'buy';
    const book = this.o.exchange.book;
    const touch = buy ? book.bestAsk() : book.bestBid();
    if (!o.triggered) {
      if (touch === null || (buy ? touch < (o.stopPrice as number) : touch > (o.stopPrice as number))) return;
      o.triggered = true;
    }
    const limit = o.type === 'limit' || o.type === 'stop_limit' ? o.limitPrice : null;
    const marketable = touch !== null && (limit === null || (buy ? limit >= touch : limit <= touch));
    if (!marketable) {
      if (o.tif === 'IOC' || o.tif === 'FOK') this.close(o, 'expired', 'IOC/FOK: not marketable');
      return;
    }
    const left = o.qty - o.filled;
    let qty = left;
    const rng = this.draws.get(o) as Rng;
    if (o.tif !== 'FOK' && left > 1 && rng.next() < this.o.fills.partialShare) qty = 1 + rng.int(left - 1);
    if (buy) qty = Math.min(qty, Math.floor(this.quoteBalance / touch));
    if (qty <= 0) {
      if (o.tif === 'IOC' || o.tif === 'FOK') this.close(o, 'expired', 'IOC/FOK: insufficient balance');
      return;
    }
    if (o.tif === 'FOK' && qty < left) {
      this.close(o, 'expired', 'FOK: insufficient balance');
      return;
    }
    this.fill(o, qty, touch);
    if (o.filled < o.qty) {
      if (o.tif === 'IOC') this.close(o, 'expired', 'IOC: remainder');
      else this.o.clock.post(() => this.evaluate(o), this.o.fills.partialRetryMs);
    }
  }

  private fill(o: ExchangeOrder, qty: number, price: number): void {
    const now = this.o.clock.now();
    const trade = {
      tradeId: tradeId(`P${this.nextTrade++}`),
      qty,
      price,
      fee: 0,
      liquidity: 'taker' as const,
      time: now,
    };
    o.filled += qty;
    o.notional += qty * price;
    o.trades.push(trade);
    o.updatedAt = now;
    o.status = o.filled === o.qty ? 'filled' : 'partially_filled';
    if (o.status === 'filled') this.leave(o);
    const signed = o.side === 'buy' ? qty : -qty;
    this.position += signed;
    this.quoteBalance -= signed * price;
    this.streamReport({
      kind: 'FillReport',
      clientOrderId: o.clientOrderId,
      venueOrderId: o.venueOrderId,
      tradeId: trade.tradeId,
      qty,
      price,
      fee: 0,
      liquidity: 'taker',
      venueTime: now,
    });
  }

  /** An order that is done: no longer looked at, its draws dropped. */
  private leave(o: ExchangeOrder): void {
    this.open.delete(o);
    this.draws.delete(o);
  }

  private close(o: ExchangeOrder, status: 'canceled' | 'expired', reason = ''): void {
    o.status = status;
    o.updatedAt = this.o.clock.now();
    this.leave(o);
    if (status === 'expired') this.streamReport({ kind: 'ExpiredReport', clientOrderId: o.clientOrderId, reason });
  }

  /** The account's checks at submission: cash for a buy (open buys lock theirs), shares for a sell. */
  private balanceRefusal(order: OrderRequest): RefusalReason | null {
    const book = this.o.exchange.book;
    if (order.side === 'sell') {
      let held = 0;
      for (const o of this.open) if (o.side === 'sell') held += o.qty - o.filled;
      return order.qty > this.position - held ? 'insufficient-position' : null;
    }
    let locked = 0;
    for (const o of this.open)
      if (o.side === 'buy') locked += (o.limitPrice ?? o.stopPrice ?? book.bestAsk() ?? 0) * (o.qty - o.filled);
    const price = order.limitPrice ?? order.stopPrice ?? book.bestAsk() ?? 0;
    return price * order.qty > this.quoteBalance - locked ? 'insufficient-balance' : null;
  }

  private reject(cid: ClientOrderId, reason: RefusalReason): VenueMessage {
    const vars = {
      requested: '',
      available: String(Math.max(0, this.position)),
      price: '',
      symbol: '',
      field: 'price',
    };
    const r = refusal(this.o.rules, reason, vars);
    return { kind: 'RejectReport', clientOrderId: cid, code: r.code, reason: r.message };
  }

  // ---- the wire between the gateway and the desk: latency and faults, as SimVenue's ------------

  private streamReport(report: VenueMessage): void {
    const fate = this.o.faults.reportFate(this.o.clock.now());
    if (fate.kind === 'lose') {
      this.o.onFault('lost_reports', `${report.kind} lost`);
      return;
    }
    if (fate.extraDelayMs > 0) this.o.onFault('delayed_reports', `${report.kind} delayed ${fate.extraDelayMs} ms`);
    this.stream.send(this.o.latency.sample('fillReport') + fate.extraDelayMs, () => this.handler(report));
  }

  /** Sends a request through latency and faults; says what becomes of it (its fate's delivery). */
  private request(cid: ClientOrderId, what: 'submit' | 'cancel', process: () => VenueMessage): Delivery {
    const clock = this.o.clock;
    const fate = this.o.faults.requestFate(clock.now(), what === 'submit');
    const entry = this.o.latency.sample('orderEntry');
    const back = () => this.o.latency.sample('ack');
    const delivery = deliveryOf(fate);
    switch (fate.kind) {
      case 'deliver':
        clock.post(() => {
          const answer = process();
          this.rest.send(back(), () => this.handler(answer));
        }, entry);
        return delivery;
      case 'rate_limited': {
        this.o.onFault('rate_limit', `${what} ${cid}: 429`);
        const r = refusal(this.o.rules, 'rate-limited');
        const answer: VenueMessage =
          what === 'submit'
            ? { kind: 'RetryableRejectReport', clientOrderId: cid, code: r.code, reason: r.message }
            : { kind: 'CancelRejectReport', clientOrderId: cid, code: r.code, reason: r.message, failure: 'transient' };
        this.rest.send(entry + back(), () => this.handler(answer));
        return delivery;
      }
      case 'rejected':
        this.o.onFault('reject_window', `${what} ${cid}: ${fate.reason}`);
        this.rest.send(entry + back(), () =>
          this.handler({ kind: 'RejectReport', clientOrderId: cid, code: fate.code, reason: fate.reason }),
        );
        return delivery;
      case 'timeout':
      case 'server_error': {
        const detail = fate.kind === 'timeout' ? `timed out after ${fate.timeoutMs} ms` : '503 Service Unavailable';
        this.o.onFault(fate.kind === 'timeout' ? 'outage' : 'http_5xx', `${what} ${cid}: ${detail}`);
        if (fate.received) clock.post(() => void process(), entry);
        const wait = fate.kind === 'timeout' ? fate.timeoutMs : entry + back();
        this.rest.send(wait, () =>
          this.handler({
            kind: 'OutcomeUnknownReport',
            clientOrderId: cid,
            request: what,
            reason: detail,
            category: fate.kind === 'timeout' ? 'timeout' : 'server',
          }),
        );
        return delivery;
      }
    }
  }
}
