// A worker thread of a threaded sweep (sweep-threads.ts): it builds one SweepUnitRunner from the
// sweep definition it starts with (workerData), then runs the chunks of units its parent hands it,
// one at a time, answering each with the chunk's results in unit order. A path whose run throws
// ends the chunk: the results before it and the path's error are sent, and the parent decides.
import { parentPort, workerData } from 'node:worker_threads';
import { SweepPathError } from './sweep.ts';
import { SweepUnitRunner, type SweepDefinition } from './sweep-units.ts';
import type { SweepThreadReply, SweepThreadRequest } from './sweep-threads.ts';

const port = parentPort;
if (!port) throw new Error('sweep-worker.ts runs as a worker thread of a threaded sweep');
const runner = new SweepUnitRunner((workerData as { def: SweepDefinition }).def);
const send = (m: SweepThreadReply): void => port.postMessage(m);

port.on('message', (m: SweepThreadRequest) => {
  if (m.type === 'stop') {
    port.close();
    return;
  }
  const results = [];
  for (let u = m.from; u < m.to; u++) {
    try {
      results.push(runner.run(u));
    } catch (err) {
      if (!(err instanceof SweepPathError)) throw err;
      const cause = err.cause instanceof Error ? err.cause.message : String(err.cause);
      send({
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
send({ type: 'ready' });
