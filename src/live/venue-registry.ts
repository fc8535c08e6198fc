// Live venues by name, for whatever must choose one without naming it: the CLI (which adapter a
// scenario's venue trades through, which variables hold its keys, the help texts) and the paper
// runtime (whether a scenario can run on paper at all). Entries are registered in
// registered-venues.ts; a test registers one more with LIVE_VENUES.register and takes it away
// again with the function that returns.
import { isVenueId } from '../core/venues/index.ts';
import { REGISTERED_VENUES } from './registered-venues.ts';
import type { LiveVenueEntry } from './venue-entry.ts';

export class VenueRegistry {
  /** Each registration is its own record, so an undo run late takes away only its own. */
  private readonly list: Array<{ readonly entry: LiveVenueEntry }> = [];

  constructor(entries: readonly LiveVenueEntry[]) {
    for (const e of entries) this.register(e);
  }

  /** The registered entries, in registration order. */
  get entries(): readonly LiveVenueEntry[] {
    return this.list.map((r) => r.entry);
  }

  /** Adds a venue's entry; the returned function takes it away again. Refuses a name twice. */
  register(entry: LiveVenueEntry): () => void {
    if (this.get(entry.name)) throw new Error(`live venue "${entry.name}" is registered twice`);
    const record = { entry };
    this.list.push(record);
    return () => {
      const at = this.list.indexOf(record);
      if (at >= 0) this.list.splice(at, 1);
    };
  }

  /** The registered venues' names, in registration order. */
  names(): string[] {
    return this.entries.map((e) => e.name);
  }

  get(name: string): LiveVenueEntry | undefined {
    return this.list.find((r) => r.entry.name === name)?.entry;
  }

  /** Why a paper run cannot trade on `name` (one message naming the field), or null. */
  refusal(name: string): string | null {
    if (this.get(name)) return null;
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
