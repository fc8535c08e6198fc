// The broker contract on a venue registered by this test (third-spot-venue.ts): the scenario
// loader takes its name, the simulated venue trades on its rules, the gateway core serves it in
// process from its gateway entry, and every case of the suite runs against both (and against the
// scripted venue on its rules), as on the venues execsim ships. Nothing in src/ names it.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { venueIds, venueRules } from '../../../src/core/venues/index.ts';
import { gatewayEntry, gatewayOfVenue } from '../../../src/gateway/gateway-registry.ts';
import { LIVE_VENUES, paperRefusal } from '../../../src/live/venue-registry.ts';
import { parseScenario } from '../../../src/scenario/load-scenario.ts';
import { inProcessBackend } from '../../support/broker-contract/in-process-backend.ts';
import { runBrokerContract } from '../../support/broker-contract/run-broker-contract.ts';
import { scriptedBackend } from '../../support/broker-contract/scripted-backend.ts';
import { simBackend } from '../../support/broker-contract/sim-backend.ts';
import { ETHUSD_BOOK } from './ethusd-book.ts';
import { THIRD_SPOT } from './third-spot-rules.ts';
import { registerThirdSpot, THIRD_SPOT_GATEWAY, THIRD_SPOT_LIVE } from './third-spot-venue.ts';

afterAll(registerThirdSpot());

describe('a venue registered from test code', () => {
  it('is found by every registry, and messages that list the venues list it', () => {
    expect(venueIds()).toEqual(['binance-spot', 'alpaca-equities', 'third-spot']);
    expect(venueRules('third-spot')).toBe(THIRD_SPOT);
    expect(gatewayEntry('third-spot')).toBe(THIRD_SPOT_GATEWAY);
    expect(gatewayOfVenue('third-spot')).toBe(THIRD_SPOT_GATEWAY);
    expect(LIVE_VENUES.get('third-spot')).toBe(THIRD_SPOT_LIVE);
    expect(paperRefusal({ venue: { name: 'third-spot' } })).toBeNull();
    const text = readFileSync(ETHUSD_BOOK.fixture, 'utf8');
    expect(parseScenario(text, 'x.yaml').scenario.venue.name).toBe('third-spot');
    expect(() => parseScenario(text.replace('name: third-spot', 'name: fourth-spot'), 'x.yaml')).toThrow(
      'x.yaml: venue.name: must be one of binance-spot, alpaca-equities, third-spot, not "fourth-spot"',
    );
  });
});

runBrokerContract(simBackend(ETHUSD_BOOK));
runBrokerContract(inProcessBackend(ETHUSD_BOOK));
// The scripted venue unit tests use in place of a venue, on this venue's rules.
runBrokerContract(scriptedBackend(ETHUSD_BOOK));
