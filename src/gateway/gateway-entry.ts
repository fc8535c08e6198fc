// What a venue's gateway folder registers: the name `execsim gateway <name>` takes, the profile of
// the venue it imitates, the environment variables holding the key pair its clients must present
// (names only: the values go to start() and nowhere else), its part of the help, and start(),
// which loads the server (hono, ws, the simulated venue) only when called.
import type { ExecEvent } from '../core/model/events.ts';
import type { GatewayProfile } from './gateway-profile.ts';
import type { GatewayVenue } from './gateway-venue.ts';

/** A gateway that listens. */
export interface RunningGateway {
  /** http://host:port (no trailing slash): the base URL for REST. */
  readonly url: string;
  readonly venue: GatewayVenue;
  /** Stops the server, its streams and the venue's timers. */
  close(): Promise<void>;
}

export interface GatewayStartOptions {
  readonly scenarioFile: string;
  /** The value of each of the entry's `keys`, by variable name (never empty). */
  readonly keys: Readonly<Record<string, string>>;
  readonly port?: number;
  readonly host?: string;
  readonly hours?: 'always' | 'venue';
  /** 'book' or one of the profile's touch fill profiles. */
  readonly fills?: string;
  readonly warn?: (message: string) => void;
  readonly onEvent?: (event: ExecEvent) => void;
}

export interface GatewayEntry<G extends RunningGateway = RunningGateway> {
  /** `execsim gateway <name>`. */
  readonly name: string;
  readonly profile: GatewayProfile;
  /** The environment variables holding the key pair clients present, all required. */
  readonly keys: readonly string[];
  /** What it serves, its fill profiles and its variables, for the command's help. */
  readonly help: string;
  start(options: GatewayStartOptions): Promise<G>;
  /** What the command prints once the gateway listens: where, and how a client connects (never a key). */
  banner(gateway: G): string[];
}
