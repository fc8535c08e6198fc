// A sweep's worker thread starts here: plain JavaScript that loads the sweep worker from the
// bundle when its main thread runs the bundle, else from the sources through tsx (code-loader.js).
import { loadEntry } from './code-loader.js';

await loadEntry('sweep-worker');
