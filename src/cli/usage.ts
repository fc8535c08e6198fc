// The `execsim` command's usage, and the answers that need nothing else (`execsim`, --help,
// --version, the version from version.ts): kept apart from the commands so that those answers
// load no command.
import { gatewayNames } from '../gateway/gateway-registry.ts';
import { DEFAULT_DB_PATH } from '../store/open-database.ts';
import type { Io } from './io.ts';
import { version } from './version.ts';

export const USAGE = `usage:
  execsim run <file|dir...> [--seed N] [--db PATH] [--json]     run scenarios, store them, print their reports
  execsim run <file|dir...> --no-store [--seed N] [--json]       the same without a database (quick checks)
  execsim run <file> --mode paper [--venue-url URL] [--quiet]    the same on a venue's paper account, its events on stderr
  execsim runs [--db PATH] [--json] [--limit N] [--sort F] [--symbol S ...]  stored runs: symbols, state, passed, net P&L, Sharpe
  execsim resume <runId> [--db PATH] [--venue-url URL] [--quiet]  continue a paper run whose process died or was stopped
  execsim show <runId> [--db PATH] [--json]                      print one stored run and verify it (log, digest, tables)
  execsim events <runId> [--kind K,..] [--from S] [--to S] [--json]   print a stored run's event log (--json: NDJSON)
  execsim export <runId> (--fills | --orders) [--out FILE]       a stored run's fills or orders as CSV
  execsim delete <runId...> [--force]                            delete stored runs with their events
  execsim prune [--status S,..] [--older-than D] [--dry-run]     delete crashed, interrupted and failed runs
  execsim data list|inspect <key>|prune [--all] [--db PATH]     parsed-replay caches beside the store: list, inspect one, prune
  execsim data import --from tardis|binance-archive|binance-raw FILE... --out F --symbol S --tick-size T  market data into a checked replay file
  execsim sweep <file> --paths N [--seed S] [--json] [--store]     Monte Carlo over N derived seeds (--store: keep the sweep)
  execsim sweep <file> --paths N --grid K=V,.. [--rank F]       every combination of settings over the same path seeds
  execsim sweep <file> --paths N --queue redis://host:port       the same on workers through Redis (--resume <sweepId>)
  execsim sweeps [--db PATH] [--json] [--limit N]                list stored sweeps: state, paths stored, passed
  execsim worker --queue redis://host:port                       run queued sweeps' paths until stopped
  execsim serve [--db PATH] [--create] [--port N] [--host H] [--workers N]  the HTTP API and pages with execution charts
  execsim serve --session FILE [--venue-url URL] [--quiet]       a trading session driven over HTTP (TWAP, orders, controls)
  execsim gateway ${gatewayNames().join('|')} --scenario FILE [--port N] [--host H]   the venue's API on the simulator, wall clock
  execsim record --symbol S[,S...] --out DIR [--venue URL] [--streams URL]  a venue's market streams into replay files
  execsim --version                                              print the version
Every command takes --help. The database is --db, else $EXECSIM_DB, else ${DEFAULT_DB_PATH}.`;

/** The exit code of `execsim` with no command, --help, -h, --version or -V, after printing the
 *  usage or the version; undefined for any other command line. No command is bad input: the
 *  usage goes to stderr with exit 2, so a script that lost its command fails rather than reading
 *  the usage as output. */
export function quickAnswer(argv: readonly string[], io: Io): number | undefined {
  switch (argv[0]) {
    case '--version':
    case '-V':
      io.out(version());
      return 0;
    case undefined:
      io.err(`execsim: no command given\n${USAGE}`);
      return 2;
    case '--help':
    case '-h':
      io.out(USAGE);
      return 0;
    default:
      return undefined;
  }
}
