// Our executions and order changes from Binance's user data stream (ccxt 4.5 subscribes on the
// WebSocket API): watchMyTrades gives each execution, reported once, watchOrders the order's state.
// The stream is the account's: with several symbols it is watched whole and each event read on
// its own symbol's market (one subscription, so no fill is told twice).
// The 'orders' ConnectionReport tells its life cycle; core answers a reconnect with a
// reconciliation pass, since what the stream carried meanwhile is lost.
// Design notes: docs/0066-live-adapter-notes.md.
import type { Order, Trade } from 'ccxt';
import { clientOrderId as toClientOrderId, venueOrderId as toVenueOrderId } from '../../core/model/ids.ts';
import { orderRow, reportedTrade } from './binance-convert.ts';
import type { BinanceExchange } from './binance-ccxt.ts';
import type { BinanceLink } from './binance-link.ts';
import type { ReadyMarkets } from './binance-ready-markets.ts';
import type { BinanceOrderCalls } from './binance-orders.ts';
import { StreamSupervisor } from './binance-supervisor.ts';

export interface UserStreamOptions {
  /** First delay before subscribing again after a failure (ms, doubling to 30 s). */
  readonly reconnectInitialMs?: number;
}

export class BinanceUserStream {
  private readonly supervisor: StreamSupervisor;
  /** The subscription's generation: loops of an earlier one end at their next answer. */
  private generation = 0;
  private stopped = false;
  /** Events told after a trade whose commission is being valued, in the order told. */
  private turns: Promise<void> = Promise.resolve();
  private waiting = 0;

  constructor(
    private readonly link: BinanceLink,
    private readonly orders: Pick<BinanceOrderCalls, 'end' | 'fills'>,
    options: UserStreamOptions = {},
  ) {
    this.supervisor = new StreamSupervisor((healthy) => this.subscribe(healthy), {
      clock: link.clock,
      initialDelayMs: options.reconnectInitialMs ?? 1000,
      maxDelayMs: 30_000,
      onFailure: (reason) => {
        this.generation++;
        link.reports.connection('orders', 'disconnected', `user data stream: ${link.scrubbed(reason)}`);
      },
    });
  }

  start(): void {
    this.supervisor.start();
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    this.supervisor.stop();
  }

  private async subscribe(healthy: () => void): Promise<void> {
    const ready = await this.link.ready();
    await subscribed(this.link.ex);
    if (this.stopped) return;
    healthy();
    this.link.reports.connection('orders', 'connected', 'user data stream subscribed');
    const generation = ++this.generation;
    const orders = this.orderLoop(ready, generation);
    const trades = this.tradeLoop(ready, generation);
    orders.catch(() => undefined);
    trades.catch(() => undefined);
    await Promise.race([orders, trades]);
  }

  private live(generation: number): boolean {
    return !this.stopped && generation === this.generation;
  }

  /** The symbol a watch names: the one market's, or none (the whole account) among several. */
  private watched(ready: ReadyMarkets): string | undefined {
    return ready.all.length === 1 ? ready.first.symbol : undefined;
  }

  private async orderLoop(ready: ReadyMarkets, generation: number): Promise<void> {
    for (;;) {
      const orders = await this.link.ex.watchOrders(this.watched(ready));
      if (!this.live(generation)) return;
      for (const o of orders) this.onOrder(ready, o);
    }
  }

  private async tradeLoop(ready: ReadyMarkets, generation: number): Promise<void> {
    for (;;) {
      const trades = await this.link.ex.watchMyTrades(this.watched(ready));
      if (!this.live(generation)) return;
      for (const t of trades) this.onTrade(ready, t);
    }
  }

  /** An order's latest state: its end, or (NEW, nothing filled) its state; fills come as trades. */
  onOrder(markets: ReadyMarkets, o: Order): void {
    const ready = markets.unified(o.symbol);
    if (ready === null) return;
    const read = orderRow(ready.inst, this.link.ids, o, 'stream');
    if (read === null) return;
    const symbol = ready.inst.symbol;
    if (typeof o.clientOrderId === 'string') this.link.orderMarkets.note(o.clientOrderId, symbol);
    const row = this.link.instruments.stated(read.row, symbol);
    this.inTurn(() => {
      if (row.status === 'new' && row.filledQty === 0) {
        this.link.reports.emit({ kind: 'OrderStatusReport', ...row });
        return;
      }
      for (const m of this.orders.end(row.clientOrderId, row.venueOrderId, row.status, 'the user data stream', ready))
        this.link.reports.emit(m);
    });
  }

  /** One execution of one of the account's orders on the symbol; a commission in another asset
   *  is valued first (binance-commissions.ts), and what the stream tells after it waits its turn. */
  onTrade(markets: ReadyMarkets, t: Trade): void {
    const { ids, clock, reports, commissions } = this.link;
    const ready = markets.unified(t.symbol);
    if (ready === null || typeof t.order !== 'string' || t.order === '') return;
    const { inst } = ready;
    const wire = (t.info as { c?: unknown } | undefined)?.c;
    if (typeof wire !== 'string' || wire === '') return;
    const trade = reportedTrade(inst, ready.assets, t, clock.now());
    if (trade === null) return;
    const cid = toClientOrderId(ids.local(wire) ?? wire);
    const vid = toVenueOrderId(t.order);
    const report = (x: typeof trade) => {
      for (const m of this.orders.fills(cid, vid, [x], ready)) reports.emit(m);
    };
    if (trade.commission?.unvalued !== true) this.inTurn(() => report(trade));
    else this.afterTurns(async () => report((await commissions.value(inst, ready.assets, [trade]))[0] ?? trade));
  }

  /** Runs `work` now, or after the stream's events still waiting for a price, so what the stream
   *  tells reaches core in the order it told it. */
  private inTurn(work: () => void): void {
    if (this.waiting === 0) work();
    else this.afterTurns(work);
  }

  private afterTurns(work: () => void | Promise<void>): void {
    this.waiting++;
    this.turns = this.turns
      .then(async () => {
        if (!this.stopped) await work();
      })
      .catch(() => undefined) // a report not made holds up none after it
      .finally(() => this.waiting--);
  }
}

/**
 * ccxt's subscription to the user data stream (authenticate: userDataStream.subscribe.signature
 * on the WebSocket API). ccxt 4.5 creates a future for concurrent subscribers before it sends the
 * request and nobody awaits it: when the connection fails, that future's rejection would be
 * unhandled and end the process. It exists as soon as authenticate() returns its promise, so a
 * handler is attached to it here; the failure itself reaches us through authenticate().
 */
async function subscribed(ex: BinanceExchange): Promise<void> {
  const subscribing = ex.authenticate({ type: 'spot' });
  const url = (ex.urls['api'] as { ws: { 'ws-api': { spot: string } } }).ws['ws-api'].spot;
  const clients = ex.clients as Record<string, { futures?: Record<string, Promise<unknown> | undefined> } | undefined>;
  clients[url]?.futures?.['authenticate:signature:spot']?.catch(() => undefined);
  await subscribing;
}
