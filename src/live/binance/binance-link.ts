// What every part of the Binance adapter that talks to the venue is given: the ccxt exchange,
// the one instrument with its assets, the clock, our client ids as the wire spells them, the
// report sink, the prices commissions in another asset are valued at, the executions already
// reported (one trade id is one execution, whichever of the
// POST answer, the stream and a lookup tells it first) and the gate that loads the venue's
// markets and checks the instrument against them before anything is sent. The adapter builds
// it once; each part takes the fields it uses.
import type { MarketInterface as Market } from 'ccxt';
import type { Instrument } from '../../core/model/instrument.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { BoundedSet } from '../bounded-set.ts';
import type { HashedClientIdNamespace } from '../hashed-client-id-namespace.ts';
import type { ReportSink } from '../report-sink.ts';
import type { BinanceExchange } from './binance-ccxt.ts';
import type { CommissionPrices } from './binance-commissions.ts';
import type { Assets } from '../../core/fills/commission-units.ts';

export interface BinanceLink {
  readonly ex: BinanceExchange;
  readonly inst: Instrument;
  readonly clock: Clock;
  readonly ids: HashedClientIdNamespace;
  readonly reports: ReportSink;
  /** Trade ids reported as FillReport (bounded). */
  readonly executions: BoundedSet;
  /** Values commissions in another asset (BNB) before a fill is reported. */
  readonly commissions: CommissionPrices;
  /** Text bound for a report, with the keys and any request signature taken out. */
  scrubbed(text: string): string;
  /** The venue's market for the instrument, once its filters were checked; rejects with
   *  InstrumentRefused (the run cannot trade here) or what loading the markets threw. */
  ready(): Promise<ReadyMarket>;
}

export interface ReadyMarket {
  readonly market: Market;
  /** ccxt's unified symbol ("BTC/USDT"). */
  readonly symbol: string;
  readonly assets: Assets;
}

/** The venue does not list the instrument's symbol, or its filters disagree with the scenario. */
export class InstrumentRefused extends Error {
  override readonly name = 'InstrumentRefused';
}
