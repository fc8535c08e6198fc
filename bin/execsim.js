#!/usr/bin/env node
// Entry point of the `execsim` command: runs the CLI from dist/ (built at `npm install`) while
// that bundle is current, else from the TypeScript sources through tsx's loader, so that an edit
// to src/ is never run stale (src/boot/code-loader.js has the rule).
import { loadEntry } from '../src/boot/code-loader.js';

// A closed output pipe is the reader's choice, not an error. `execsim runs | head` ends there; a
// command that may trade (a run, paper by its flag or its file; a resume, a server, a gateway, a
// recorder, a worker) goes on without its output: stopping it would leave orders working unwatched.
const args = process.argv.slice(2);
const trades = ['run', 'resume', 'serve', 'gateway', 'record', 'worker'].includes(args[0] ?? '');
const closed = (err) => err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED';
process.stdout.on('error', (err) => {
  if (!closed(err)) throw err;
  if (!trades) process.exit(process.exitCode ?? 0);
});
process.stderr.on('error', (err) => {
  if (!closed(err)) throw err;
});
const { runCli } = await loadEntry('execsim', { mainThread: true });
process.exitCode = await runCli(args);
