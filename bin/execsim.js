#!/usr/bin/env node
// Entry point of the `execsim` command: runs the CLI from dist/ (built at `npm install`) while
// that bundle is current, else from the TypeScript sources through tsx's loader, so that an edit
// to src/ is never run stale (src/boot/code-loader.js has the rule).
import { loadEntry } from '../src/boot/code-loader.js';

// `execsim runs | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
const { runCli } = await loadEntry('execsim', { mainThread: true });
process.exitCode = await runCli(process.argv.slice(2));
