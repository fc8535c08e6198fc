// The venues layer boundary: look up a venue's rules by id. The simulator, the live adapters and
// the scenario loader all start here, so a venue exists in exactly one place.
export { isVenueId, registerVenueRules, venueIds, venueRules } from './venue-registry.ts';
export {
  ALWAYS_OPEN,
  NYSE_HOURS,
  sessionOnDate as nyseSessionOnDate,
  type Session,
  type TradingHours,
} from './nyse-calendar.ts';
export {
  defineVenueRules,
  defaultInstrument,
  isValidClientId,
  orderShapeRefusal,
  refusal,
  REFUSAL_CLASSES,
  REFUSAL_REASONS,
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
