#!/usr/bin/env node
// Entry point of the `execsim` command: loads the TypeScript sources through tsx's loader (no
// build step, so `npm install && npm start` is all a fresh clone needs) and runs the CLI.
import { register } from 'tsx/esm/api';

register();
// `execsim runs | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
const { runCli } = await import('../src/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
