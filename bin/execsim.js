#!/usr/bin/env node
// Entry point of the `execsim` command: loads the TypeScript sources through tsx's loader (no
// build step, so `npm install && npm start` is all a fresh clone needs) and runs the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = main(process.argv.slice(2));
