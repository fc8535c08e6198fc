// The store writer thread (ThreadedRunWriter) starts here: plain JavaScript that loads the writer
// from the same code as its process's main thread, dist/ or the TypeScript sources through tsx
// (src/boot/code-loader.js). A writer that cannot load answers every run it is given with the
// error (at the run's end, which its thread waits for), so that run fails instead of waiting
// forever.
import { parentPort } from 'node:worker_threads';
import { loadEntry } from './code-loader.js';

try {
  await loadEntry('store-writer');
} catch (err) {
  const message = String(err?.message ?? err);
  parentPort?.on('message', (m) => {
    if (m.type !== 'open') return;
    m.reply.postMessage({ type: 'error', message, name: 'Error' });
    const flag = new Int32Array(m.done);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  });
}
