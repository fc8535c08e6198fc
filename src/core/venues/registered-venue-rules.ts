// The venues execsim knows the rules of: one line per venue file in this folder. Adding a venue
// is its rules file and its line here; the scenario schema, the simulator and the adapters find
// it through venue-registry.ts. The order is the order messages list the venues in.
import { ALPACA_EQUITIES } from './alpaca-equities.ts';
import { BINANCE_SPOT } from './binance-spot.ts';
import type { VenueRules } from './venue-rules.ts';

export const REGISTERED_VENUE_RULES: readonly VenueRules[] = [BINANCE_SPOT, ALPACA_EQUITIES];
