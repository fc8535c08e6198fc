// The help of `execsim gateway`, apart from the command so that listing help does not load the
// gateway (hono, ws, the simulated venue) into every CLI call.
export const GATEWAY_DEFAULT_PORT = 7879;

export const GATEWAY_USAGE =
  'usage: execsim gateway alpaca --scenario FILE [--port N] [--host H] [--market-hours always|venue]\n  [--fills book|alpaca-paper]';
export const GATEWAY_HELP = `${GATEWAY_USAGE}
Serves an Alpaca-compatible trading venue backed by the scenario's simulated venue on the wall
clock: its market model, instrument, latency, faults and starting balances (without
venue.account: 100,000 in cash, no shares). REST (/v2/orders, /v2/positions (also closing them),
/v2/account, /v2/account/activities, /v2/clock, /v2/calendar, the latest quote and trade and the
bars of the scenario's symbol), the
trade_updates websocket (/stream) and the stocks market-data websocket (/v2/iex, /v2/sip) share
one port. Fault windows count from the gateway's start; a replay market starts
its recording at the scenario's start. The scenario's orders, signals, actions, restarts and
expectations are ignored (a warning each): the gateway's clients send the orders. Prints its URL
and the SDK configuration, then serves until SIGINT or SIGTERM.
  --scenario FILE        the scenario whose venue and market to serve
  --port N               the TCP port (default ${GATEWAY_DEFAULT_PORT}; 0: any free port, printed)
  --host H               the address to bind (default 127.0.0.1)
  --market-hours H       always (default): always open; venue: the venue's own calendar (the
                         NYSE session for alpaca-equities: DAY orders expire at the close)
  --fills F              book (default): the simulated venue fills orders (queue, depth,
                         impact, as the scenario models them); alpaca-paper: Alpaca's documented
                         paper rules (any size at the touch, no queue, no impact, a random
                         partial fill 10% of the time, seeded by the scenario's seed)
  -h, --help             this help
Environment: APCA_API_KEY_ID and APCA_API_SECRET_KEY are the key pair clients must present (the
same variables the Alpaca SDKs read); both are required and never printed.
The market-data websocket also takes them as APCA-API-KEY-ID and APCA-API-SECRET-KEY upgrade headers.
Exit codes: 0 stopped by a signal, 2 bad input (a bad flag or scenario, missing keys, a port in use).`;
