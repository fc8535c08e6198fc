// The third venue joins as any venue does, from test code: its rules in the venue registry (the
// scenario schema and the simulated venue find them there), a gateway entry whose profile the
// venue-neutral gateway core serves (in process: it has no wire of its own), and a live entry in
// the live registry. registerThirdSpot() makes all three registrations and returns their undo.
import { registerVenueRules } from '../../../src/core/venues/venue-registry.ts';
import type { GatewayEntry } from '../../../src/gateway/gateway-entry.ts';
import type { GatewayProfile } from '../../../src/gateway/gateway-profile.ts';
import { registerGateway } from '../../../src/gateway/gateway-registry.ts';
import type { LiveVenueEntry } from '../../../src/live/venue-entry.ts';
import { LIVE_VENUES } from '../../../src/live/venue-registry.ts';
import { THIRD_SPOT } from './third-spot-rules.ts';

export const THIRD_SPOT_PROFILE: GatewayProfile = {
  label: 'Third Spot',
  venue: THIRD_SPOT.id,
  rules: THIRD_SPOT,
  defaultAccount: { quote: '100000', base: '0' },
  touchFills: {},
};

const NO_WIRE = 'third-spot has no wire: its simulated venue is traded in process';

export const THIRD_SPOT_GATEWAY: GatewayEntry = {
  name: 'third-spot',
  profile: THIRD_SPOT_PROFILE,
  keys: ['THIRD_SPOT_KEY', 'THIRD_SPOT_SECRET'],
  help: 'third-spot: a venue registered by a test, traded in process only.',
  start: () => Promise.reject(new Error(NO_WIRE)),
  banner: () => [],
};

export const THIRD_SPOT_LIVE: LiveVenueEntry = {
  name: THIRD_SPOT.id,
  label: 'Third Spot',
  keys: ['THIRD_SPOT_KEY', 'THIRD_SPOT_SECRET'],
  urlEnv: 'THIRD_SPOT_URL',
  paperUrl: 'https://paper.third-spot.example',
  gateway: 'third-spot',
  load: () => Promise.reject(new Error(NO_WIRE)),
};

/** Registers the third venue's rules, gateway and live entry; the function returned undoes all three. */
export function registerThirdSpot(): () => void {
  const undo = [
    registerVenueRules(THIRD_SPOT),
    registerGateway(THIRD_SPOT_GATEWAY),
    LIVE_VENUES.register(THIRD_SPOT_LIVE),
  ];
  return () => {
    for (const u of undo.reverse()) u();
  };
}
