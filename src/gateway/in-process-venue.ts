// The gateway's simulated venue traded in this process, as a LiveVenue: a service session in
// `sim` mode trades on it (a sandbox anyone can run, with the scenario's market, latency, fills,
// fees and faults) through the same live process a paper run uses, without a socket between
// them. The venue runs on its own wall clock (GatewayClock); its answers reach the node through
// the process's serial inbox like any adapter's. Its streams never drop (the venue's fault
// windows act on its answers, as in a backtest), so start() reports both connected. Its state
// lives in this process: when the process ends, the venue and its orders end with it. A scenario
// with otherInstruments trades every symbol on the one account; a market read of a symbol the
// venue does not trade is refused by one error naming those it does.
import type { ClientOrderId, Symbol, VenueOrderId } from '../core/model/ids.ts';
import type { OrderRequest } from '../core/model/order.ts';
import type { MarketWindow, OrdersCursor, ReportHandler, TapeSlice, TopOfBook } from '../core/ports/broker.ts';
import type { LoadedScenario } from '../scenario/load-scenario.ts';
import type { ExecEvent } from '../core/model/events.ts';
import type { VenueClock } from './gateway-clock.ts';
import { GatewayVenue } from './gateway-venue.ts';
import { gatewayOfVenue } from './gateway-registry.ts';

export interface InProcessVenueOptions {
  readonly warn?: (message: string) => void;
  /** The venue's clock instead of the wall clock (a test that advances time itself; the
   *  session's clock must be the same). */
  readonly clock?: VenueClock;
  /** What the venue and its market record (faults applied, model warnings). */
  readonly onEvent?: (event: ExecEvent) => void;
}

/** The simulated venue of a scenario (start and market given), traded in process: a LiveVenue
 *  (src/live/live-venue.ts) by its shape. */
export class InProcessVenue {
  readonly gateway: GatewayVenue;
  readonly clientIdMaxLength: number;
  readonly ordersSinceBy: 'updated' | 'submitted';
  private handler: ReportHandler = () => {};
  private started = false;

  constructor(loaded: LoadedScenario, options: InProcessVenueOptions = {}) {
    const name = loaded.scenario.venue.name;
    const entry = gatewayOfVenue(name);
    if (entry === undefined) throw new Error(`no simulated venue imitates ${name}`);
    this.gateway = new GatewayVenue(loaded, {
      profile: entry.profile,
      ...(options.warn ? { warn: options.warn } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    this.gateway.venue.setReportHandler((m) => this.handler(m));
    this.clientIdMaxLength = this.gateway.venue.clientIdMaxLength;
    this.ordersSinceBy = this.gateway.venue.ordersSinceBy;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.gateway.start();
    for (const stream of ['orders', 'market_data'] as const)
      this.gateway.clock.post(
        () => this.handler({ kind: 'ConnectionReport', stream, state: 'connected', reason: 'in-process venue' }),
        0,
      );
  }

  async stop(): Promise<void> {
    this.gateway.stop();
    this.handler = () => {};
  }

  setReportHandler(handler: ReportHandler): void {
    this.handler = handler;
  }

  submit(order: OrderRequest): void {
    this.gateway.venue.submit(order);
  }

  cancel(clientOrderId: ClientOrderId, venueOrderId: VenueOrderId | null): void {
    this.gateway.venue.cancel(clientOrderId, venueOrderId);
  }

  queryOrder(clientOrderId: ClientOrderId, askedAfterSeq?: number): void {
    this.gateway.venue.queryOrder(clientOrderId, askedAfterSeq);
  }

  queryOpenOrders(requestId?: string): void {
    this.gateway.venue.queryOpenOrders(requestId);
  }

  queryOrdersSince(since: number, limit: number, after?: OrdersCursor, requestId?: string): void {
    this.gateway.venue.queryOrdersSince(since, limit, after, requestId);
  }

  queryAccount(requestId?: string): void {
    this.gateway.venue.queryAccount(requestId);
  }

  topOfBook(symbol: Symbol): TopOfBook {
    return this.traded(symbol).topOfBook(symbol);
  }

  window(symbol: Symbol, from: number, to: number): MarketWindow {
    return this.traded(symbol).window(symbol, from, to);
  }

  lastUpdateAt(symbol: Symbol): number | null {
    return this.traded(symbol).lastUpdateAt(symbol);
  }

  tradesSince(symbol: Symbol, cursor: number): TapeSlice {
    return this.traded(symbol).tradesSince(symbol, cursor);
  }

  /** The venue's market-data path fails in a market_data_outage window of the scenario. */
  feedFailure(symbol: Symbol): string | null {
    return this.traded(symbol).feedFailure(symbol);
  }

  /** The venue, once `symbol` is known to be one it trades (a venue of one symbol answers any
   *  symbol with its one market, as it always has). */
  private traded(symbol: Symbol): GatewayVenue['venue'] {
    if (this.gateway.served.length > 1) this.gateway.requireSymbol(symbol);
    return this.gateway.venue;
  }
}

/** How a sim session reaches its venue: the file's simulated venue in this process, never
 *  closed (its calendar is the simulated venue's own). */
export function inProcessVenueOptions(
  loaded: LoadedScenario,
  options: InProcessVenueOptions = {},
): { venue: () => InProcessVenue; venueUrl: string; marketHours: 'always' } {
  return {
    venue: () => new InProcessVenue(loaded, options),
    venueUrl: 'the in-process simulated venue',
    marketHours: 'always',
  };
}
