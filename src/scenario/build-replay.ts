// Wires a replay scenario: the recorded files (paths relative to the scenario file), read
// synchronously in bounded memory, parsed once into the parsed-replay cache and read back from it
// on every later run (replay-source.ts), feed the replay market model;
// its gaps, rebuilds, statistics (at the run's end, `runMs` after the start) and end of data
// become log events. A malformed line, or one for another symbol than the instrument's, stops the
// run with the file, line number and problem.
import { dirname, resolve } from 'node:path';
import { toSteps } from '../core/model/decimal.ts';
import type { ExecEvent } from '../core/model/events.ts';
import type { Instrument } from '../core/model/instrument.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { MarketModel, MarketSink } from '../sim/market/market-model.ts';
import { ReplayModel } from '../sim/market/replay-model.ts';
import type { MarketSpec } from './market-schema.ts';
import { openReplaySource, type ReplaySourceOptions } from './replay-source.ts';

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
  cache: ReplaySourceOptions = {},
): MarketModel {
  const grid = { tickSize: inst.tickSize, lotSize: m.dataLotSize, symbol: inst.symbol };
  const { source } = openReplaySource(replayPaths(m.files, scenarioFile), grid, cache);
  const lotsPerDataLot = toSteps(inst.lotSize, m.dataLotSize);
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
