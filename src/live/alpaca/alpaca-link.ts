// What every part of the Alpaca adapter that talks to the venue is given: the SDK client, the
// instruments it trades, the clock, the signal that stop() aborts, our client ids as the wire spells
// them, and the report sink. The adapter builds it once; each part takes the fields it uses
// (a Pick of this), so no part sees the adapter itself.
import type { Clock } from '../../core/ports/clock.ts';
import type { AlpacaClientIds } from './alpaca-client-ids.ts';
import type { ReportSink } from '../report-sink.ts';
import type { VenueInstruments } from '../venue-instruments.ts';
import type { AlpacaClient } from './alpaca-sdk.ts';

export interface AlpacaLink {
  readonly alpaca: AlpacaClient;
  /** The instruments traded (the run's first): rows are read by their symbol's. */
  readonly instruments: VenueInstruments;
  readonly clock: Clock;
  /** A signal of its own for each read (a request, or a lookup and the request it leads to), aborted
   *  by stop(): every request in flight ends with it (request-signals.ts). */
  readonly signal: AbortSignal;
  readonly ids: AlpacaClientIds;
  readonly reports: ReportSink;
}
