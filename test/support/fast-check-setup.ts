// vitest setup file: seeds fast-check in every test worker from the environment (FC_SEED, which
// vitest.config.ts has already settled to a number, FC_PATH, FC_VERBOSE: fast-check-env.ts), so
// `npm test` generates the same cases on every run and a failure's printed seed and path replay it.
import fc from 'fast-check';
import { fastCheckGlobals } from './fast-check-env.ts';

fc.configureGlobal(fastCheckGlobals(process.env));
