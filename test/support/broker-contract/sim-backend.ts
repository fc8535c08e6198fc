// The simulated venue as a broker contract backend: SimVenue built from the venue's fixture as a
// backtest builds it, on that venue's rules, on a VirtualClock. Waiting for a condition advances
// the virtual clock a millisecond at a time until it holds, bounded.
import { readFileSync } from 'node:fs';
import { Rng } from '../../../src/core/clock/rng.ts';
import { VirtualClock } from '../../../src/core/clock/virtual-clock.ts';
import { makeInstrument } from '../../../src/core/model/instrument.ts';
import { parseUtcInstant } from '../../../src/core/model/time-fields.ts';
import { buildVenue } from '../../../src/scenario/build-venue.ts';
import { parseScenario } from '../../../src/scenario/load-scenario.ts';
import { recorder, scenarioText, virtualUntil, type BackendFactory } from './backend.ts';
import type { ContractVenue } from './contract-venue.ts';

export function simBackend(venue: ContractVenue): BackendFactory {
  return {
    name: `sim on ${venue.rules.id}`,
    venue,
    unsupported: {
      'stream reconnect: reported, and an order filled in the gap is listed':
        'the simulated venue has no connection: its execution stream cannot drop (it has neither start nor stop of streams, and emits no ConnectionReport)',
      "a lookup never finds another run's order under the same local id":
        "the simulated venue serves one run: its orders are all the run's, with no client id namespace to keep another run's apart",
    },
    knownViolations: {},
    async create(options = {}) {
      const text = scenarioText(readFileSync(venue.fixture, 'utf8'), options.faults);
      const s = parseScenario(text, venue.fixture).scenario;
      if (s.venue.name !== venue.rules.id)
        throw new Error(`${venue.fixture} is on ${s.venue.name}'s rules, not ${venue.rules.id}'s`);
      const start = parseUtcInstant(s.start);
      const clock = new VirtualClock(start);
      const instrument = makeInstrument(s.instrument);
      const built = buildVenue(s, venue.fixture, clock, new Rng(s.seed), instrument, start, () => {});
      const { reports, handler, listen } = recorder(options.tap);
      built.venue.setReportHandler(handler);
      built.start();
      clock.advanceBy(1); // the book is published
      const until = virtualUntil(clock, 'sim');
      return {
        name: 'sim',
        broker: built.venue,
        venue,
        reports,
        now: () => clock.now(),
        clock,
        listen,
        startedAt: start,
        until,
        // Every path has a millisecond of latency; a second covers it, and fault timeouts too.
        settle: async () => void clock.advanceBy(1_000),
        marketTrade: (price, qty, aggressor) => {
          built.venue.marketTrade(price, qty);
          built.exchange.marketTrade(price, qty, aggressor);
        },
        close: async () => {},
      };
    },
  };
}
