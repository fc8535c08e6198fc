// The venues layer boundary: look up a venue's rules by id. The simulator, the live adapters and
// the scenario loader all start here, so a venue exists in exactly one place.
import { ALPACA_EQUITIES } from './alpaca-equities.ts';
import { BINANCE_SPOT } from './binance-spot.ts';
import { VENUE_IDS, type VenueId, type VenueRules } from './venue-rules.ts';

const BY_ID: Readonly<Record<VenueId, VenueRules>> = Object.freeze({
  'binance-spot': BINANCE_SPOT,
  'alpaca-equities': ALPACA_EQUITIES,
});

export function venueRules(id: VenueId): VenueRules {
  const rules = (BY_ID as Readonly<Record<string, VenueRules | undefined>>)[id];
  if (!rules) throw new Error(`unknown venue "${String(id)}" (known: ${VENUE_IDS.join(', ')})`);
  return rules;
}

export { ALPACA_EQUITIES } from './alpaca-equities.ts';
export { BINANCE_SPOT } from './binance-spot.ts';
export {
  ALWAYS_OPEN,
  NYSE_HOURS,
  sessionOnDate as nyseSessionOnDate,
  type Session,
  type TradingHours,
} from './nyse-calendar.ts';
export {
  defaultInstrument,
  isValidClientId,
  orderShapeRefusal,
  refusal,
  REFUSAL_CLASSES,
  REFUSAL_REASONS,
  VENUE_IDS,
  type FractionalRule,
  type OrderTypeRule,
  type PostOnlyRule,
  type Refusal,
  type RefusalReason,
  type TifRule,
  type VenueErrorEntry,
  type VenueId,
  type VenueRules,
} from './venue-rules.ts';
