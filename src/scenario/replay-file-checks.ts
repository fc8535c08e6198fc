// The files a scenario's replay markets name, checked before anything runs: the run's market's
// and each further instrument's, each against its own instrument's symbol. Each must be a file,
// and a raw recording must record that symbol (its stream names say which); imported formats
// check every row's symbol as they read it.
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { recordedSymbol, ReplayFileError } from './replay-file.ts';
import { isRawRecording } from './replay-formats.ts';
import type { ScenarioFile } from './schema.ts';

type ReplayMarket = Extract<NonNullable<ScenarioFile['market']>, { model: 'replay' }>;

/** Every problem of the replay files `scenario` names, at its field (paths relative to `file`). */
export function replayFilesProblems(
  scenario: ScenarioFile,
  file: string,
): { readonly path: string; readonly message: string }[] {
  const replays = [
    { market: scenario.market, at: 'market', symbol: scenario.instrument.symbol, symbolField: 'instrument.symbol' },
    ...scenario.otherInstruments.map((o, k) => ({
      market: o.market,
      at: `otherInstruments[${k}].market`,
      symbol: o.symbol,
      symbolField: `otherInstruments[${k}].symbol`,
    })),
  ];
  return replays.flatMap(({ market, at, symbol, symbolField }) =>
    market?.model === 'replay' ? marketProblems(market, at, symbol, symbolField, file) : [],
  );
}

/** The problems of one replay market's files (`at` names the market). */
function marketProblems(
  market: ReplayMarket,
  at: string,
  symbol: string,
  symbolField: string,
  file: string,
): { readonly path: string; readonly message: string }[] {
  return market.files.flatMap((f, i) => {
    const path = resolve(dirname(file), f);
    const where = `${at}.files[${i}]`;
    if (!existsSync(path))
      return [{ path: where, message: `no such file ${path} (paths are relative to the scenario file)` }];
    if (!statSync(path).isFile()) return [{ path: where, message: `${path} is not a file` }];
    // A raw recording names its symbol in its stream names, read here before anything runs.
    let recorded: string | null;
    try {
      recorded = isRawRecording(market.format) ? recordedSymbol(path) : null;
    } catch (err) {
      if (!(err instanceof ReplayFileError)) throw err;
      return [{ path: where, message: err.message }];
    }
    return recorded !== null && recorded !== symbol.toUpperCase()
      ? [{ path: where, message: `${path} is a recording of ${recorded}, but ${symbolField} is ${symbol}` }]
      : [];
  });
}
