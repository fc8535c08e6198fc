// The help of `execsim record`, apart from the command so that listing help loads no WebSocket
// client.
export const RECORD_USAGE =
  'usage: execsim record --symbol S[,S...] --out DIR [--venue URL] [--streams URL] [--duration D]\n  [--depth-limit N] [--snapshot-every D]';
export const RECORD_HELP = `${RECORD_USAGE}
Records a Binance-compatible venue's public market streams for one symbol or several (depth
diffs every 100 ms, bookTicker, trades) into replay files, with a REST depth snapshot at the
start, after every reconnect, after every gap in the diffs' update ids and every
--snapshot-every: the format a scenario's \`market: { model: replay, files: [...] }\` reads
(scenarios/data/binance-spot has the same). One file per symbol and UTC day,
DIR/<symbol>_<YYYYMMDD>.gz; the day being recorded is written as DIR/<symbol>_<YYYYMMDD>.rec and
compressed when the day ends or the recorder stops (a recorder started after a crash compresses
what the last one of its symbol left first). While it records, DIR/<symbol>.recording holds its
process id: recorders of other symbols may share the folder, a second one of the same symbol is
refused. A closed stream is opened again (waiting 250 ms, doubling to 10 s). Runs until SIGINT
or SIGTERM, or --duration.
  --symbol S[,S...]      the symbols as the venue names them (BTCUSDT, or BTCUSDT,ETHUSDT)
  --out DIR              the folder for the day files (created when missing)
  --venue URL            the REST base (default https://api.binance.com; the local gateway:
                         the http://127.0.0.1:PORT \`execsim gateway binance\` prints)
  --streams URL          the market streams' base (default wss://stream.binance.com:9443; the
                         local gateway: ws://127.0.0.1:PORT)
  --duration D           stop after this long (ISO 8601, e.g. PT1H); default: until a signal
  --depth-limit N        levels per snapshot, 5 to 5000 (default 1000)
  --snapshot-every D     a snapshot this often besides the others (default PT1H; PT0S: none)
  -h, --help             this help
Prints each connect, snapshot, break and file written, and a summary at the end.
Exit codes: 0 stopped (a signal or --duration), 2 bad input (a bad flag, the streams or the REST
base unreachable at the start, a symbol the venue does not trade, a symbol another recorder is
recording into DIR): nothing of the attempt is kept.`;
