// A worker thread of a threaded sweep (sweep-threads.ts): it builds one SweepUnitRunner from the
// sweep definition it starts with (workerData), then runs the chunks of units its parent hands it
// on its port, one at a time, answering each with the chunk's results in unit order. A result
// carries the parents' figures only (what the caller's summary and store read), not their reports
// with every child order: the answer stays small to send and to read (a queue worker's thread,
// which sends results on to the coordinator, asks for the whole reports). A path whose run throws
// ends the chunk: the results before it and the path's error are sent, and the parent decides.
import { workerData } from 'node:worker_threads';
import { ReplayFileError } from '../scenario/replay-file.ts';
import { SweepPathError } from './sweep.ts';
import { parentFigures, SweepUnitRunner, type UnitResult } from './sweep-units.ts';
import type { SweepThreadReply, SweepThreadRequest, SweepWorkerData } from './sweep-threads.ts';

const { def, port, replayCacheDir, wholeReports } = workerData as SweepWorkerData;
// Built with the first chunk: a worker of a sweep too short for it is never handed one
// (sweep-threads.ts: workerPays), and then never parses the scenario.
let runner: SweepUnitRunner | null = null;
const send = (m: SweepThreadReply): void => port.postMessage(m);

/** A unit's result as the parent reads it: the figures alone, unless it asked for whole reports. */
const trimmed = (r: UnitResult): UnitResult =>
  wholeReports === true ? r : { ...r, parents: r.parents.map(parentFigures) };

port.on('message', (m: SweepThreadRequest) => {
  const results: UnitResult[] = [];
  for (let u = m.from; u < m.to; u++) {
    try {
      runner ??= new SweepUnitRunner(def, undefined, replayCacheDir);
      results.push(trimmed(runner.run(u)));
    } catch (err) {
      if (!(err instanceof SweepPathError)) throw err;
      const cause = err.cause instanceof Error ? err.cause.message : String(err.cause);
      send({
        dataProblem: err.cause instanceof ReplayFileError,
        type: 'path-error',
        results,
        unit: u,
        path: err.path,
        seed: err.seed,
        point: err.point,
        label: err.pointLabel,
        cause,
      });
      return;
    }
  }
  send({ type: 'results', results });
});
