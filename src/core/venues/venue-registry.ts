// Venue rules by id: the one list of the venues a scenario may name. The scenario schema, the
// simulated venue, the gateways and the live registry ask it, so a venue's id is written once, in
// its rules. It starts with the registered venues (registered-venue-rules.ts); a test registers
// one more of its own with registerVenueRules and takes it away again with the function that
// returns, so a venue assembled in test code runs through the same loader and simulator.
import type { VenueId, VenueRules } from './venue-rules.ts';
import { REGISTERED_VENUE_RULES } from './registered-venue-rules.ts';

/** Each registration is its own entry, so an undo run late takes away only its own. */
const BY_ID = new Map<VenueId, { readonly rules: VenueRules }>();

/** Adds a venue's rules; the returned function takes them away again. Refuses an id twice. */
export function registerVenueRules(rules: VenueRules): () => void {
  if (BY_ID.has(rules.id)) throw new Error(`venue "${rules.id}" is registered twice`);
  const entry = { rules };
  BY_ID.set(rules.id, entry);
  return () => {
    if (BY_ID.get(rules.id) === entry) BY_ID.delete(rules.id);
  };
}

for (const rules of REGISTERED_VENUE_RULES) registerVenueRules(rules);

/** The registered venues' ids, in registration order. */
export function venueIds(): VenueId[] {
  return [...BY_ID.keys()];
}

export function isVenueId(name: string): name is VenueId {
  return BY_ID.has(name);
}

export function venueRules(id: VenueId): VenueRules {
  const rules = BY_ID.get(id)?.rules;
  if (!rules) throw new Error(`unknown venue "${String(id)}" (known: ${venueIds().join(', ')})`);
  return rules;
}
