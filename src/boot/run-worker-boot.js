// A RunPool's worker thread starts here: plain JavaScript that loads the worker from the same
// code as its process's main thread, dist/ or the TypeScript sources through tsx
// (src/boot/code-loader.js).
import { loadEntry } from './code-loader.js';

await loadEntry('run-worker');
