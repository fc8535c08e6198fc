// Apps for the server tests. The contract test needs every route the server can offer, so its app
// has a run pool that is never asked to run anything (the document does not depend on it).
import path from 'node:path';
import { createApp, type ExecsimApp } from '../../src/server/app.ts';
import type { RunJobs } from '../../src/server/routes/run-job-routes.ts';

const idlePool: RunJobs = {
  submit: () => {
    throw new Error('the contract app runs nothing');
  },
  state: () => null,
  cancel: () => 'unknown',
  follow: () => null,
  load: { queued: 0, running: 0, workers: 0 },
};

export function serverAppForContract(): ExecsimApp {
  return createApp({
    reader: null,
    deleteRun: null,
    jobs: idlePool,
    scenariosDir: path.resolve('scenarios'),
    version: 'snapshot',
    token: null,
    checkResponses: true,
  });
}
