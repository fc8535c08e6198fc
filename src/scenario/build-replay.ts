// Wires a replay scenario: the recorded files (paths relative to the scenario file), read
// synchronously in bounded memory and parsed straight from bytes, feed the replay market model;
// its gaps, rebuilds, statistics (at the run's end, `runMs` after the start) and end of data
// become log events. A malformed line, or one for another symbol than the instrument's, stops the
// run with the file, line number and problem.
import { dirname, resolve } from 'node:path';
import { toSteps } from '../core/model/decimal.ts';
import type { ExecEvent } from '../core/model/events.ts';
import type { Instrument } from '../core/model/instrument.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { MarketModel, MarketSink } from '../sim/market/market-model.ts';
import { ReplayModel, type ReplaySource } from '../sim/market/replay-model.ts';
import { BinanceLineError, BinanceLineParser } from '../sim/replay/binance-messages.ts';
import { importedReplaySource } from './imported-replay-source.ts';
import type { MarketSpec } from './market-schema.ts';
import { ReplayFileError, ReplayFileReader } from './replay-file.ts';

/** Replay files of a scenario, as absolute paths. */
function replayPaths(files: readonly string[], scenarioFile: string): string[] {
  return files.map((f) => resolve(dirname(scenarioFile), f));
}

export function buildReplayModel(
  m: Extract<MarketSpec, { model: 'replay' }>,
  scenarioFile: string,
  clock: Clock,
  inst: Instrument,
  sink: MarketSink,
  record: (event: ExecEvent) => void,
  runMs?: number,
): MarketModel {
  const reader = new ReplayFileReader(replayPaths(m.files, scenarioFile));
  const parser = new BinanceLineParser({ tickSize: inst.tickSize, lotSize: m.dataLotSize, symbol: inst.symbol });
  const lotsPerDataLot = toSteps(inst.lotSize, m.dataLotSize);
  const source: ReplaySource = importedReplaySource(m, replayPaths(m.files, scenarioFile), inst) ?? {
    next() {
      if (!reader.next()) {
        reader.close();
        return null;
      }
      try {
        return parser.parseBytes(reader.bytes, reader.start, reader.end, reader.lineNo);
      } catch (err) {
        if (err instanceof BinanceLineError) throw new ReplayFileError(`${reader.file}: ${err.message}`);
        throw err;
      }
    },
  };
  return new ReplayModel(
    clock,
    sink,
    source,
    (e) => {
      if (e.kind === 'gap')
        record({ kind: 'MarketDataGap', expectedId: e.gap.expectedId, gotId: e.gap.gotId, lastId: e.gap.lastId });
      else if (e.kind === 'snapshot') record({ kind: 'MarketDataRebuilt', lastUpdateId: e.lastUpdateId });
      else if (e.kind === 'stats') record({ kind: 'ReplayStats', ...e.stats });
      else record({ kind: 'MarketDataEnded', messages: e.messages });
    },
    { lotsPerDataLot, ...(runMs === undefined ? {} : { runMs }) },
  );
}
