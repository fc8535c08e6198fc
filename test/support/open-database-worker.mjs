// A worker thread that opens (and so creates and migrates) the database named in its workerData,
// for the concurrent-open test: plain JavaScript that loads the TypeScript store through tsx.
import { register } from 'tsx/esm/api';
import { parentPort, workerData } from 'node:worker_threads';

register();
const { openDatabase } = await import('../../src/store/open-database.ts');
try {
  openDatabase(workerData.file).close();
  parentPort.postMessage('ok');
} catch (err) {
  parentPort.postMessage(`failed: ${err.message}`);
}
