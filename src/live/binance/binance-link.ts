// What every part of the Binance adapter that talks to the venue is given: the ccxt exchange,
// the instruments it trades (each market with its assets), the clock, our client ids as the wire spells them, the
// report sink, the prices commissions in another asset are valued at, the executions already
// reported (one trade id is one execution, whichever of the
// POST answer, the stream and a lookup tells it first) and the gate that loads the venue's
// markets and checks every instrument against them before anything is sent. The adapter builds
// it once; each part takes the fields it uses.
import type { VenueInstruments } from '../venue-instruments.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { BoundedSet } from '../bounded-set.ts';
import type { HashedClientIdNamespace } from '../hashed-client-id-namespace.ts';
import type { ReportSink } from '../report-sink.ts';
import type { BinanceExchange } from './binance-ccxt.ts';
import type { CommissionPrices } from './binance-commissions.ts';
import type { OrderMarkets } from './binance-order-markets.ts';
import type { ReadyMarkets } from './binance-ready-markets.ts';

export interface BinanceLink {
  readonly ex: BinanceExchange;
  /** The instruments traded (the run's first). */
  readonly instruments: VenueInstruments;
  readonly clock: Clock;
  readonly ids: HashedClientIdNamespace;
  readonly reports: ReportSink;
  /** Trade ids reported as FillReport (bounded). */
  readonly executions: BoundedSet;
  /** The symbol each of our orders is on (a cancel and a lookup name it to Binance). */
  readonly orderMarkets: OrderMarkets;
  /** Values commissions in another asset (BNB) before a fill is reported. */
  readonly commissions: CommissionPrices;
  /** Text bound for a report, with the keys and any request signature taken out. */
  scrubbed(text: string): string;
  /** The venue's market of every instrument, once their filters were checked; rejects with
   *  InstrumentRefused (the run cannot trade here) or what loading the markets threw. */
  ready(): Promise<ReadyMarkets>;
}

/** The venue does not list the instrument's symbol, or its filters disagree with the scenario. */
export class InstrumentRefused extends Error {
  override readonly name = 'InstrumentRefused';
}
