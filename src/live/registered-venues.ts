// The live venues execsim can trade on: one line per venue folder. Adding a venue is its folder
// under src/live/ and its line here; nothing else names it (docs/0040-live-venue-registry.md).
import { ALPACA_LIVE_VENUE } from './alpaca/alpaca-venue.ts';
import { BINANCE_LIVE_VENUE } from './binance/binance-venue.ts';
import type { LiveVenueEntry } from './venue-entry.ts';

export const REGISTERED_VENUES: readonly LiveVenueEntry[] = [ALPACA_LIVE_VENUE, BINANCE_LIVE_VENUE];
