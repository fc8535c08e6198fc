// The local Alpaca gateway's order desk with its 'alpaca-paper' fill profile (partial first fills
// at the quote), no faults, over a market the test built: for tests of the desk on its own.
import type { Rng } from '../../src/core/clock/rng.ts';
import type { Instrument } from '../../src/core/model/instrument.ts';
import { venueRules, type VenueId } from '../../src/core/venues/index.ts';
import { ALPACA_PROFILE } from '../../src/gateway/alpaca/alpaca-profile.ts';
import type { VenueClock } from '../../src/gateway/gateway-clock.ts';
import { PaperDesk } from '../../src/gateway/paper-desk.ts';
import { FaultSchedule } from '../../src/sim/faults.ts';
import { LatencyModel, type LatencySpec } from '../../src/sim/latency-model.ts';
import type { SimExchange } from '../../src/sim/venue/sim-exchange.ts';

/** The desk on `clock` over `exchange`; its latency, faults and fills draw from streams of `rng`. */
export function alpacaPaperDesk(o: {
  readonly clock: VenueClock;
  readonly exchange: SimExchange;
  readonly instrument: Instrument;
  readonly venue: VenueId;
  readonly latency: LatencySpec;
  readonly rng: Rng;
}): PaperDesk {
  return new PaperDesk({
    clock: o.clock,
    exchange: o.exchange,
    instrument: o.instrument,
    rules: venueRules(o.venue),
    fills: ALPACA_PROFILE.touchFills['alpaca-paper']!,
    latency: new LatencyModel(o.latency, o.rng.stream('latency')),
    faults: new FaultSchedule([], o.rng.stream('faults')),
    rng: o.rng.stream('fills'),
    onFault: () => {},
  });
}
