#!/usr/bin/env node
// Entry point of the `execsim` command: runs the CLI from dist/ (built at `npm install`) while
// that bundle is current, else from the TypeScript sources through tsx's loader, so that an edit
// to src/ is never run stale (src/boot/code-loader.js has the rule).
import { loadEntry } from '../src/boot/code-loader.js';

// A closed output pipe is the reader's choice, not an error: `execsim runs | head` ends there, a
// command that is trading goes on without its output (src/cli/closed-output.ts decides which).
const args = process.argv.slice(2);
const { runCli, endsOnClosedOutput } = await loadEntry('execsim', { mainThread: true });
const closed = (err) => err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED';
process.stdout.on('error', (err) => {
  if (!closed(err)) throw err;
  if (endsOnClosedOutput(args[0])) process.exit(process.exitCode ?? 0);
});
process.stderr.on('error', (err) => {
  if (!closed(err)) throw err;
});
process.exitCode = await runCli(args);
