// `execsim resume`'s usage and help, apart from the command so that `execsim help resume` loads no
// venue adapter (the venue registry names them without loading them).
import { DB_FLAG_HELP } from './io.ts';
import { QUIET_HELP, STATUS_EVERY_HELP } from './progress/progress-flags.ts';
import { keysHelp, venueUrlHelp } from './paper-venue.ts';

export const RESUME_USAGE =
  'usage: execsim resume <runId> [--db PATH] [--venue-url URL] [--market-hours venue|always] [--json] [--quiet] [--status-every S]';

export const RESUME_HELP = `${RESUME_USAGE}
Continues a paper run whose process died or was stopped: the venue is asked for every open
order, the orders since the run's last reconciliation and the account; slices that were sent
but not confirmed are looked up before anything is sent again; then the run goes on to its end.
\`execsim runs\` shows such a run as resumable.
${DB_FLAG_HELP}; never created
${venueUrlHelp()}
  --market-hours H venue (default) or always (a local gateway that never closes)
  --json        the report as one JSON line
${QUIET_HELP}
${STATUS_EVERY_HELP}
While it runs, a line per notable event and a status line go to stderr (as for execsim run);
at the end, where the run is stored.
  -h, --help    this help
The keys come from ${keysHelp()}.
Exit codes: 0 the run ended and its expectations held, 1 an expectation failed, 2 bad input (no
such run, a run that is not a paper run or is still running, missing keys, a venue that cannot
be reached), 130 SIGINT, 143 SIGTERM, 129 SIGHUP (stored as interrupted: resume it again).`;
