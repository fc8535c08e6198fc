// `execsim gateway alpaca`: an Alpaca-compatible server on the scenario's simulated venue (see
// src/gateway/alpaca). The key pair clients must present comes from the environment only
// (APCA_API_KEY_ID, APCA_API_SECRET_KEY), never from a flag (flags show up in process lists and
// shell history), and is never printed. SIGINT/SIGTERM stop the server and the venue and exit 0.
import { startAlpacaGateway, type AlpacaGateway } from '../gateway/alpaca/alpaca-gateway.ts';
import { parseCommand, parseCount, UsageError, type Io } from './io.ts';
import { GATEWAY_DEFAULT_PORT, GATEWAY_HELP, GATEWAY_USAGE } from './gateway-help.ts';

/** Starts the gateway; resolves once it listens (null after --help). */
export async function startGateway(args: readonly string[], io: Io): Promise<AlpacaGateway | null> {
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
  if (kind !== 'alpaca')
    throw new UsageError(
      kind === undefined ? 'gateway needs a venue: alpaca' : `unknown gateway "${kind}" (known: alpaca)`,
      GATEWAY_USAGE,
    );
  if (extra.length > 0)
    throw new UsageError(`gateway alpaca takes no more arguments, got "${extra[0]}"`, GATEWAY_USAGE);
  if (values.scenario === undefined) throw new UsageError('--scenario FILE is required', GATEWAY_USAGE);
  const port =
    values.port === undefined ? GATEWAY_DEFAULT_PORT : parseCount('--port', values.port, 0, 65_535, GATEWAY_USAGE);
  const host = values.host ?? '127.0.0.1';
  if (!/^[A-Za-z0-9.:[\]-]{1,253}$/.test(host))
    throw new UsageError(`--host must be an address or host name, got "${host}"`, GATEWAY_USAGE);
  const hours = values['market-hours'] ?? 'always';
  if (hours !== 'always' && hours !== 'venue')
    throw new UsageError(`--market-hours must be always or venue, got "${hours}"`, GATEWAY_USAGE);
  const fills = values.fills ?? 'book';
  if (fills !== 'book' && fills !== 'alpaca-paper')
    throw new UsageError(`--fills must be book or alpaca-paper, got "${fills}"`, GATEWAY_USAGE);
  if (fills === 'alpaca-paper' && hours === 'venue')
    throw new UsageError(
      '--fills alpaca-paper needs --market-hours always (it has no session calendar)',
      GATEWAY_USAGE,
    );
  const keyId = io.env['APCA_API_KEY_ID'] ?? '';
  const secretKey = io.env['APCA_API_SECRET_KEY'] ?? '';
  const missing = [keyId === '' ? 'APCA_API_KEY_ID' : null, secretKey === '' ? 'APCA_API_SECRET_KEY' : null].filter(
    (x) => x !== null,
  );
  if (missing.length > 0)
    throw new UsageError(
      `${missing.join(' and ')} must be set: the key pair the gateway's clients present`,
      GATEWAY_USAGE,
    );
  let gateway: AlpacaGateway;
  try {
    gateway = await startAlpacaGateway({
      // As given, so the loader's messages name the path the user wrote, as run's and sweep's do.
      scenarioFile: values.scenario,
      keyId,
      secretKey,
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
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL')
      throw new UsageError(`cannot listen on ${host}:${port}: ${(err as Error).message}`, GATEWAY_USAGE);
    throw err;
  }
  const s = gateway.venue.scenario;
  io.out(
    `execsim gateway: Alpaca-compatible venue on ${gateway.url} (scenario ${s.name}, ${s.instrument.symbol}, fills: ${fills})`,
  );
  io.out(`  trade_updates stream: ${gateway.streamUrl}`);
  io.out(`  market-data stream: ${gateway.dataStreamUrl} (also /v2/sip; MessagePack or JSON)`);
  io.out('  SDK v4 (@alpacahq/alpaca-trade-api):');
  io.out(`    const base = '${gateway.url}';`);
  io.out(
    '    const toGateway = { pre: async ({ url, init }) => ({ url: url.replace(/^https:\\/\\/[^/]+/, base), init }) };',
  );
  io.out(
    '    const alpaca = new Alpaca({ keyId: process.env.APCA_API_KEY_ID, secret: process.env.APCA_API_SECRET_KEY,',
  );
  io.out('      middleware: [toGateway], retry: false, rateLimit: false });');
  io.out(`    const updates = alpaca.trading.stream({ url: '${gateway.streamUrl}' });`);
  io.out(`    const data = alpaca.marketData.stockStream({ feed: 'iex', url: '${gateway.dataStreamUrl}' });`);
  io.out(`  SDK v3 and other clients: APCA_API_BASE_URL=${gateway.url}`);
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1')
    io.err(`execsim gateway: warning: bound to ${host}, reachable from the network`);
  return gateway;
}

/** `execsim gateway` as a process: serves until SIGINT or SIGTERM. */
export async function gatewayCommand(args: readonly string[], io: Io): Promise<number> {
  const gateway = await startGateway(args, io);
  if (gateway === null) return 0;
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  io.out('execsim gateway: stopping');
  await gateway.close();
  return 0;
}
