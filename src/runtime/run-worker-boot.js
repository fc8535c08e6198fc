// A RunPool's worker thread starts here: plain JavaScript that loads the TypeScript worker through
// tsx's loader, as bin/execsim.js does for the CLI (no build step).
import { register } from 'tsx/esm/api';

register();
await import('./run-worker.ts');
