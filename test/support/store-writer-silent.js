// A store writer thread that takes every message and never writes or answers: what the run's
// thread sees when its writer died outside a message handler.
import { parentPort } from 'node:worker_threads';

parentPort?.on('message', () => {});
