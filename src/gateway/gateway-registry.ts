// Gateways by name, for `execsim gateway <name>`: which venue's server to start, the variables
// holding the key pair its clients present, the fill profiles it offers, and the help. Entries
// are registered in registered-gateways.ts.
import { fillProfiles } from './gateway-profile.ts';
import { REGISTERED_GATEWAYS } from './registered-gateways.ts';

/** A registered gateway's entry. */
export type RegisteredGateway = (typeof REGISTERED_GATEWAYS)[number];
/** What a registered gateway's start() gives. */
export type StartedGateway = Awaited<ReturnType<RegisteredGateway['start']>>;

/** The registered gateways' names, in registration order. */
export function gatewayNames(): string[] {
  return REGISTERED_GATEWAYS.map((g) => g.name);
}

export function gatewayEntry(name: string): RegisteredGateway | undefined {
  return REGISTERED_GATEWAYS.find((g) => g.name === name);
}

/** Every fill profile any registered gateway offers, 'book' first, each once. */
export function allFillProfiles(): string[] {
  return [...new Set(REGISTERED_GATEWAYS.flatMap((g) => fillProfiles(g.profile)))];
}

/** Each registered gateway's part of the help. */
export function gatewaysHelp(): string {
  return REGISTERED_GATEWAYS.map((g) => g.help).join('\n');
}
