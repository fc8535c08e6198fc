// A worker thread that opens (and so creates and migrates) a database for the concurrent-open
// test, once per round: plain JavaScript that loads the TypeScript store through tsx once, then
// takes each round's file and start gate from its parent and answers 'ok' or what failed.
import { register } from 'tsx/esm/api';
import { parentPort } from 'node:worker_threads';

register();
const { openDatabase } = await import('../../src/store/open-database.ts');
parentPort.on('message', ({ file, gate: shared, threads }) => {
  // A start line: every thread waits here until all have come to it, so the opens really race.
  const gate = new Int32Array(shared);
  Atomics.add(gate, 0, 1);
  Atomics.notify(gate, 0);
  for (let seen = Atomics.load(gate, 0); seen < threads; seen = Atomics.load(gate, 0)) {
    Atomics.wait(gate, 0, seen, 10_000);
  }
  try {
    openDatabase(file).close();
    parentPort.postMessage('ok');
  } catch (err) {
    parentPort.postMessage(`failed: ${err.message}`);
  }
});
