// `execsim gateway <venue>`: a venue-compatible server on the scenario's simulated venue, the
// venue as the gateway registry names it (src/gateway/gateway-registry.ts). The key pair clients
// must present comes from the environment only (the variables the registry names), never from a
// flag (flags show up in process lists and shell history), and is never printed. SIGINT/SIGTERM
// (or, started through npm, npm gone: until-stopped.ts) stop the server and the venue and exit 0.
import type { GatewayEntry, RunningGateway } from '../gateway/gateway-entry.ts';
import { fillProfiles } from '../gateway/gateway-profile.ts';
import { gatewayEntry, gatewayNames, type StartedGateway } from '../gateway/gateway-registry.ts';
import { envKeys } from './env-keys.ts';
import { didYouMean, parseCommand, parseCount, UsageError, type Io } from './io.ts';
import { GATEWAY_DEFAULT_PORT, GATEWAY_HELP, GATEWAY_USAGE } from './gateway-help.ts';
import { untilStopped } from './until-stopped.ts';

/** Starts the gateway; resolves once it listens (null after --help). */
export async function startGateway(args: readonly string[], io: Io): Promise<StartedGateway | null> {
  const { values, positionals } = parseCommand(
    args,
    {
      scenario: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'market-hours': { type: 'string' },
      fills: { type: 'string' },
    },
    GATEWAY_USAGE,
  );
  if (values.help) {
    io.out(GATEWAY_HELP);
    return null;
  }
  const [kind, ...extra] = positionals;
  const entry = kind === undefined ? undefined : gatewayEntry(kind);
  const known = gatewayNames().join(', ');
  if (entry === undefined)
    throw new UsageError(
      kind === undefined
        ? `gateway needs a venue: ${known}`
        : `unknown gateway "${kind}"${didYouMean(kind, gatewayNames())} (known: ${known})`,
      GATEWAY_USAGE,
    );
  if (extra.length > 0)
    throw new UsageError(`gateway ${entry.name} takes no more arguments, got "${extra[0]}"`, GATEWAY_USAGE);
  if (values.scenario === undefined) throw new UsageError('--scenario FILE is required', GATEWAY_USAGE);
  const port =
    values.port === undefined ? GATEWAY_DEFAULT_PORT : parseCount('--port', values.port, 0, 65_535, GATEWAY_USAGE);
  const host = values.host ?? '127.0.0.1';
  if (!/^[A-Za-z0-9.:[\]-]{1,253}$/.test(host))
    throw new UsageError(`--host must be an address or host name, got "${host}"`, GATEWAY_USAGE);
  const hours = values['market-hours'] ?? 'always';
  if (hours !== 'always' && hours !== 'venue')
    throw new UsageError(`--market-hours must be always or venue, got "${hours}"`, GATEWAY_USAGE);
  const profiles = fillProfiles(entry.profile);
  const fills = values.fills ?? 'book';
  if (!profiles.includes(fills))
    throw new UsageError(`--fills must be ${profiles.join(' or ')}, got "${fills}"`, GATEWAY_USAGE);
  if (fills !== 'book' && hours === 'venue')
    throw new UsageError(`--fills ${fills} needs --market-hours always (it has no session calendar)`, GATEWAY_USAGE);
  const found = envKeys(entry.keys, io.env);
  if ('missing' in found)
    throw new UsageError(
      `${found.missing.join(' and ')} must be set: the key pair the gateway's clients present`,
      GATEWAY_USAGE,
    );
  let gateway: StartedGateway;
  try {
    gateway = await entry.start({
      // As given, so the loader's messages name the path the user wrote, as run's and sweep's do.
      scenarioFile: values.scenario,
      keys: found.keys,
      port,
      host,
      hours,
      fills,
      warn: (m) => io.err(`execsim gateway: warning: ${m}`),
      onEvent: (e) => {
        if (e.kind === 'FaultApplied') io.out(`execsim gateway: fault ${e.fault}: ${e.detail}`);
      },
    });
  } catch (err) {
    const { code, syscall } = err as NodeJS.ErrnoException;
    // The port is taken or not ours, the address is not this machine's, or --host names no host.
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL' || syscall === 'getaddrinfo')
      throw new UsageError(`cannot listen on ${host}:${port}: ${(err as Error).message}`, GATEWAY_USAGE);
    throw err;
  }
  for (const line of banner(entry, gateway)) io.out(line);
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1')
    io.err(`execsim gateway: warning: bound to ${host}, reachable from the network`);
  return gateway;
}

/** What the entry's gateway prints once it listens (one generic call, whichever entry it is). */
function banner<G extends RunningGateway>(entry: GatewayEntry<G>, gateway: G): string[] {
  return entry.banner(gateway);
}

/** `execsim gateway` as a process: serves until SIGINT or SIGTERM, or the npm process that
 *  started it is gone (until-stopped.ts). */
export async function gatewayCommand(args: readonly string[], io: Io): Promise<number> {
  const gateway = await startGateway(args, io);
  if (gateway === null) return 0;
  await untilStopped(io, 'execsim gateway');
  io.out('execsim gateway: stopping');
  await gateway.close();
  return 0;
}
