// A sweep worker thread starts here: plain JavaScript that loads the TypeScript worker through
// tsx's loader, as bin/execsim.js does for the CLI. The worker module is named in one place
// (SWEEP_WORKER_MODULE) so a build can point it at compiled JavaScript instead.
import { register } from 'tsx/esm/api';

const SWEEP_WORKER_MODULE = './sweep-worker.ts';

register();
await import(SWEEP_WORKER_MODULE);
