// Live venues by name, for whatever must choose one without naming it: the CLI (which adapter a
// scenario's venue trades through, which variables hold its keys, the help texts) and the paper
// runtime (whether a scenario can run on paper at all). Entries are registered in
// registered-venues.ts.
import { isVenueId } from '../core/venues/index.ts';
import { REGISTERED_VENUES } from './registered-venues.ts';
import type { LiveVenueEntry } from './venue-entry.ts';

export class VenueRegistry {
  private readonly byName: ReadonlyMap<string, LiveVenueEntry>;

  constructor(readonly entries: readonly LiveVenueEntry[]) {
    const byName = new Map<string, LiveVenueEntry>();
    for (const e of entries) {
      if (byName.has(e.name)) throw new Error(`live venue "${e.name}" is registered twice`);
      byName.set(e.name, e);
    }
    this.byName = byName;
  }

  /** The registered venues' names, in registration order. */
  names(): string[] {
    return this.entries.map((e) => e.name);
  }

  get(name: string): LiveVenueEntry | undefined {
    return this.byName.get(name);
  }

  /** Why a paper run cannot trade on `name` (one message naming the field), or null. */
  refusal(name: string): string | null {
    if (this.byName.has(name)) return null;
    const known = isVenueId(name);
    const paper = this.names().join(', ') || 'none';
    return known
      ? `venue.name: ${name} has no paper adapter yet; paper runs trade on ${paper}`
      : `venue.name: unknown venue "${name}"; paper runs trade on ${paper}`;
  }
}

/** The venues execsim trades on. */
export const LIVE_VENUES = new VenueRegistry(REGISTERED_VENUES);

/** Why the scenario cannot run as a paper run (one message naming the field), or null. */
export function paperRefusal(s: { readonly venue: { readonly name: string } }): string | null {
  return LIVE_VENUES.refusal(s.venue.name);
}
