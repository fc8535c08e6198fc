// A stand-in sweep worker for tests of the thread pool's failure handling (sweep-threads.ts). The
// definition's `file` names what it does with each chunk: `throw` (an uncaught error in the
// worker), `exit` (the thread exits), `exit-at-start` (exits as it starts, before any chunk),
// `hang` (never answers), or `path-error-at:K` (answers units
// below K with stand-in results and reports a path error at unit K). The tests' own thread runs its
// share of the units with the same stand-ins (fakeUnit).
import { isMainThread, workerData } from 'node:worker_threads';

export const fakeUnit = (u) => ({ unit: u, point: 0, path: { path: u }, parents: [], expectations: [] });

if (!isMainThread && workerData?.port) {
  const { port, def } = workerData;
  const mode = def.file;
  if (mode === 'exit-at-start') process.exit(4);
  port.on('message', (m) => {
    if (m.type !== 'chunk') return;
    if (mode === 'throw') throw new Error('boom in a worker');
    if (mode === 'exit') process.exit(3);
    if (mode === 'hang') return;
    const failAt = Number(mode.replace('path-error-at:', ''));
    const results = [];
    for (let u = m.from; u < m.to; u++) {
      if (u === failAt) {
        port.postMessage({
          type: 'path-error',
          results,
          unit: u,
          path: u,
          seed: 99,
          point: 0,
          label: null,
          cause: 'bad path',
        });
        return;
      }
      results.push(fakeUnit(u));
    }
    port.postMessage({ type: 'results', results });
  });
}
