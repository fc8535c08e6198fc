// What a venue's gateway folder tells the venue-neutral gateway core about the venue it imitates:
// whose rules its orders meet (order types, error codes, client ids), the account a scenario
// without one starts with, and the venue's own paper fill profiles beside the simulated book.
import type { VenueId, VenueRules } from '../core/venues/index.ts';

/** A paper venue that fills at the touch (paper-desk.ts): how often a fill is partial, and how
 *  soon what is left is looked at again. */
export interface TouchFills {
  /** Share of eligible fills that are partial, in [0, 1]. */
  readonly partialShare: number;
  /** How long after a partial fill what is left is looked at again, ms. */
  readonly partialRetryMs: number;
}

export interface GatewayProfile {
  /** The venue's own name, for messages ("Alpaca"). */
  readonly label: string;
  /** The scenario venue the gateway serves as it is; another is served with `rules` (warned). */
  readonly venue: VenueId;
  /** The rules orders meet (the trading hours are the gateway's: always open, or the calendar). */
  readonly rules: VenueRules;
  /** The account when the scenario gives none (decimal quote and base amounts). */
  readonly defaultAccount: { readonly quote: string; readonly base: string };
  /** Fill profiles by name, beside 'book' (the simulated venue's own matching). */
  readonly touchFills: Readonly<Record<string, TouchFills>>;
}

/** The fill profile every gateway has: the simulated book. */
export const BOOK_FILLS = 'book';

/** Every fill profile of a gateway, 'book' first. */
export function fillProfiles(profile: GatewayProfile): string[] {
  return [BOOK_FILLS, ...Object.keys(profile.touchFills)];
}
