// Gateways by name, for `execsim gateway <name>`: which venue's server to start, the variables
// holding the key pair its clients present, the fill profiles it offers, and the help; and by the
// venue they imitate, for a simulated venue traded in process (in-process-venue.ts). Entries are
// registered in registered-gateways.ts; a test registers one more with registerGateway and takes
// it away again with the function that returns.
import type { VenueId } from '../core/venues/index.ts';
import type { GatewayEntry, RunningGateway } from './gateway-entry.ts';
import { fillProfiles } from './gateway-profile.ts';
import { REGISTERED_GATEWAYS } from './registered-gateways.ts';

/** A registered gateway's entry. */
export type RegisteredGateway = GatewayEntry;
/** What a registered gateway's start() gives. */
export type StartedGateway = RunningGateway;

/** Each registration is its own record, so an undo run late takes away only its own. */
const RECORDS: Array<{ readonly entry: RegisteredGateway }> = [];
const entries = (): RegisteredGateway[] => RECORDS.map((r) => r.entry);

/** Adds a gateway; the returned function takes it away again. Refuses a name twice. */
export function registerGateway(entry: RegisteredGateway): () => void {
  if (gatewayEntry(entry.name)) throw new Error(`gateway "${entry.name}" is registered twice`);
  const record = { entry };
  RECORDS.push(record);
  return () => {
    const at = RECORDS.indexOf(record);
    if (at >= 0) RECORDS.splice(at, 1);
  };
}

for (const entry of REGISTERED_GATEWAYS) registerGateway(entry);

/** The registered gateways' names, in registration order. */
export function gatewayNames(): string[] {
  return entries().map((g) => g.name);
}

export function gatewayEntry(name: string): RegisteredGateway | undefined {
  return entries().find((g) => g.name === name);
}

/** The gateway that imitates `venue` as it is (its profile's venue), if one is registered. */
export function gatewayOfVenue(venue: VenueId): RegisteredGateway | undefined {
  return entries().find((g) => g.profile.venue === venue);
}

/** Every fill profile any registered gateway offers, 'book' first, each once. */
export function allFillProfiles(): string[] {
  return [...new Set(entries().flatMap((g) => fillProfiles(g.profile)))];
}

/** Each registered gateway's part of the help. */
export function gatewaysHelp(): string {
  return entries()
    .map((g) => g.help)
    .join('\n');
}
