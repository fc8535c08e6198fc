// A worker thread that opens (and so creates and migrates) the database named in its workerData,
// for the concurrent-open test: plain JavaScript that loads the TypeScript store through tsx.
import { register } from 'tsx/esm/api';
import { parentPort, workerData } from 'node:worker_threads';

register();
const { openDatabase } = await import('../../src/store/open-database.ts');
// A start line: every thread waits here until all have loaded, so the opens really race.
const gate = new Int32Array(workerData.gate);
Atomics.add(gate, 0, 1);
Atomics.notify(gate, 0);
for (let seen = Atomics.load(gate, 0); seen < workerData.threads; seen = Atomics.load(gate, 0)) {
  Atomics.wait(gate, 0, seen, 10_000);
}
try {
  openDatabase(workerData.file).close();
  parentPort.postMessage('ok');
} catch (err) {
  parentPort.postMessage(`failed: ${err.message}`);
}
