// The gateway's simulated venue traded in process (src/gateway/in-process-venue.ts) as a broker
// contract backend: the venue a `sim` session trades on, found through the gateway registry by
// the fixture's venue and served by the venue-neutral gateway core (its order desk and paced
// clock), here on a VirtualClock. Waiting for a condition advances the virtual clock a
// millisecond at a time until it holds, bounded.
import { readFileSync } from 'node:fs';
import { VirtualClock } from '../../../src/core/clock/virtual-clock.ts';
import { parseUtcInstant } from '../../../src/core/model/time-fields.ts';
import { InProcessVenue } from '../../../src/gateway/in-process-venue.ts';
import { parseScenario } from '../../../src/scenario/load-scenario.ts';
import { recorder, scenarioText, virtualUntil, type BackendFactory } from './backend.ts';
import type { ContractVenue } from './contract-venue.ts';
import { TestVenueClock } from '../test-venue-clock.ts';
import { gatewayTrade } from './wall-backend.ts';

export function inProcessBackend(venue: ContractVenue): BackendFactory {
  return {
    name: `the gateway's venue in process on ${venue.rules.id}`,
    venue,
    unsupported: {
      'stream reconnect: reported, and an order filled in the gap is listed':
        'the in-process venue has no connection: its streams never drop (its fault windows act on its answers)',
      "a lookup never finds another run's order under the same local id":
        "the in-process venue serves one session: its orders are all the session's, with no client id namespace",
    },
    knownViolations: {},
    async create(options = {}) {
      const loaded = parseScenario(scenarioText(readFileSync(venue.fixture, 'utf8'), options.faults), venue.fixture);
      const clock = new VirtualClock(parseUtcInstant(loaded.scenario.start ?? ''));
      const broker = new InProcessVenue(loaded, { clock: new TestVenueClock(clock) });
      const { reports, handler, listen } = recorder(options.tap);
      broker.setReportHandler(handler);
      broker.start();
      clock.advanceBy(1); // the book is published, the streams connected
      return {
        name: 'in-process',
        broker,
        venue,
        reports,
        now: () => clock.now(),
        clock,
        listen,
        startedAt: broker.gateway.startedAt,
        until: virtualUntil(clock, 'in-process'),
        // Every path has a millisecond of latency; a second covers it, and fault timeouts too.
        settle: async () => void clock.advanceBy(1_000),
        marketTrade: gatewayTrade(broker.gateway),
        close: () => broker.stop(),
      };
    },
  };
}
