// vitest setup file: with EXECSIM_TEST_CPU=FILE set, appends one line per test file to FILE:
// the file, the CPU its worker spent importing it (from this setup file's evaluation to its
// first hook), the CPU of its worker while its tests and hooks ran (threads included), the CPU
// of the child processes it started and waited for (execsim, Chromium, redis-server: what
// /proc counts for reaped children), the wall time of its tests, all in ms, and when its tests
// began (ms since the epoch: lines up the files that ran at once), tab-separated.
// `npm run test:cpu` sums them per file. Without the variable it does nothing. Linux only
// (/proc/self/stat); elsewhere it writes nothing.
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll } from 'vitest';

const out = process.env.EXECSIM_TEST_CPU;
/** Clock ticks per second of /proc's times: 100 on every Linux this runs on (USER_HZ). */
const TICK_MS = 10;

interface Times {
  readonly self: number;
  readonly children: number;
}

function times(): Times | null {
  let stat: string;
  try {
    stat = fs.readFileSync('/proc/self/stat', 'utf8');
  } catch {
    return null;
  }
  // Fields after the command's closing parenthesis: state is the first, utime the twelfth.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const n = (i: number): number => Number(f[i]) * TICK_MS;
  return { self: n(11) + n(12), children: n(13) + n(14) };
}

if (out) {
  const loaded = times();
  let started = loaded;
  let t0 = performance.now();
  beforeAll(() => {
    started = times();
    t0 = performance.now();
  });
  // vitest hands the suite as the second argument, and asks the first to be a destructuring.
  // eslint-disable-next-line no-empty-pattern
  afterAll(({}, suite) => {
    const ended = times();
    if (loaded === null || started === null || ended === null) return;
    const file = (suite as { filepath?: string }).filepath ?? '?';
    const row = [
      file,
      started.self - loaded.self,
      ended.self - started.self,
      ended.children - started.children,
      Math.round(performance.now() - t0),
      Math.round(performance.timeOrigin + t0),
    ];
    fs.appendFileSync(out, `${row.join('\t')}\n`);
  });
}
