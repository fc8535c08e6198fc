// The help of `execsim gateway`, apart from the command so that listing help does not load the
// gateway (hono, ws, the simulated venue) into every CLI call: the gateways, their fill profiles
// and their variables come from the gateway registry, which loads none of that.
import { allFillProfiles, gatewayNames, gatewaysHelp } from '../gateway/gateway-registry.ts';

export const GATEWAY_DEFAULT_PORT = 7879;

export const GATEWAY_USAGE = `usage: execsim gateway ${gatewayNames().join('|')} --scenario FILE [--port N] [--host H] [--market-hours always|venue]\n  [--fills ${allFillProfiles().join('|')}]`;
export const GATEWAY_HELP = `${GATEWAY_USAGE}
Serves a venue-compatible trading venue backed by the scenario's simulated venue on the wall
clock: its market model, instrument, latency, faults and starting balances (without
venue.account: the imitated venue's paper account). Fault windows count from the gateway's
start; a replay market starts its recording at the scenario's start. The scenario's orders,
signals, actions, restarts and expectations are ignored (a warning each): the gateway's clients
send the orders. Prints its URL and how clients connect, then serves until SIGINT or SIGTERM, or,
started through npm (npx), until npm is gone (\`kill %1\` of \`npx execsim gateway ... &\`).
  --scenario FILE        the scenario whose venue and market to serve
  --port N               the TCP port (default ${GATEWAY_DEFAULT_PORT}; 0: any free port, printed)
  --host H               the address to bind (default 127.0.0.1)
  --market-hours H       always (default): always open; venue: the venue's own calendar (an
                         exchange's session, such as NYSE's: DAY orders expire at the close)
  --fills F              book (default): the simulated venue fills orders (queue, depth,
                         impact, as the scenario models them); or the venue's paper fill
                         profile (below), only with --market-hours always
  -h, --help             this help
${gatewaysHelp()}
Exit codes: 0 stopped by a signal, 2 bad input (a bad flag or scenario, missing keys, a port in use).`;
