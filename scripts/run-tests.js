// `npm test`: every test file, as CI runs them. Without arguments it runs two vitest invocations
// at once: the waiting-io project (files that mostly wait on wall-clock TWAPs, venue outages and
// sockets, about a core's worth of CPU between them) and every other project at a lower CPU
// priority (nice 10). The waiting files then get the CPU the moment they wake, so their
// wall-clock deadlines hold, and the CPU-bound files use whatever they leave. In one invocation
// vitest runs the waiting files after all the others (a project group at a time), and for those
// 20-30 s about half of a two-core machine sat idle (docs/0099-waiting-tests-beside-the-rest.md).
// The waiting files' report is printed after the other one. The exit code is the first non-zero
// one of the two.
// With arguments (a file, a folder, --project, any vitest flag) this is plain `vitest run ARGS`.
// Plain JavaScript.
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

/** The project that runs beside the others (vitest.config.ts). */
export const WAITING_PROJECT = 'waiting-io';

/** The waiting files' workers beside the others (vitest.config.ts reads EXECSIM_WAITING_WORKERS;
 *  alone, last in one invocation, they run eight at a time): half as many imports of the sources,
 *  and the group still ends long before the rest. */
export const WAITING_WORKERS = 4;

/** The niceness of the invocation of CPU-bound files: low enough that a waiting file that wakes
 *  is scheduled first. It also yields to other programs: beside a one-core burner at the normal
 *  priority npm test took 524 s instead of about 400. EXECSIM_TEST_NICENESS sets another (0: none). */
export const REST_NICENESS = 10;

/**
 * The niceness EXECSIM_TEST_NICENESS asks for (a whole number from 0 to 19), else REST_NICENESS.
 * @param {Record<string, string | undefined>} env
 * @returns {number}
 */
export function restNiceness(env) {
  const text = env.EXECSIM_TEST_NICENESS;
  if (text === undefined || text.trim() === '') return REST_NICENESS;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0 || n > 19)
    throw new Error(`EXECSIM_TEST_NICENESS: "${text}" is not a whole number from 0 to 19`);
  return n;
}

/** Where the waiting invocation keeps its results (vitest.config.ts reads the variable): each
 *  invocation writes its whole results file when it ends, so a shared one would keep only the
 *  last writer's view of the other's files. */
export const WAITING_CACHE_DIR = 'node_modules/.vite-waiting';

/**
 * The vitest invocations `npm test ARGS` runs: each one's vitest arguments, its niceness and
 * whether its output is held until the others are done.
 * @param {readonly string[]} args
 * @param {number} niceness the other projects' (restNiceness)
 * @returns {{ name: string, args: string[], niceness: number, held: boolean, env: Record<string, string> }[]}
 */
export function invocations(args, niceness = REST_NICENESS) {
  if (args.length > 0) return [{ name: 'vitest', args: ['run', ...args], niceness: 0, held: false, env: {} }];
  return [
    {
      name: WAITING_PROJECT,
      args: ['run', '--project', WAITING_PROJECT],
      niceness: 0,
      held: true,
      env: { EXECSIM_VITEST_CACHE_DIR: WAITING_CACHE_DIR, EXECSIM_WAITING_WORKERS: String(WAITING_WORKERS) },
    },
    {
      name: 'other projects',
      args: ['run', '--project', `!${WAITING_PROJECT}`],
      niceness,
      held: false,
      env: {},
    },
  ];
}

/**
 * The exit code of the whole: the first invocation's failure, in order; a signal counts as 1.
 * @param {readonly { code: number | null, signal: string | null }[]} ends
 */
export function exitCode(ends) {
  for (const { code, signal } of ends) {
    if (signal !== null) return 1;
    if (code !== 0) return code ?? 1;
  }
  return 0;
}

/** The vitest processes still running (a SIGINT or SIGTERM to this one is passed on to them). */
const live = new Set();

/**
 * Starts one invocation; resolves with how it ended and, when held, everything it printed (its
 * stdout and stderr in the order they came).
 * @param {ReturnType<typeof invocations>[number]} inv
 * @param {string} entry the vitest script
 */
function start(inv, entry) {
  const vitest = [entry, ...inv.args];
  const env = { ...process.env, ...inv.env };
  const stdio = inv.held ? ['ignore', 'pipe', 'pipe'] : 'inherit';
  const launch = (command, commandArgs) => spawn(command, commandArgs, { cwd: root, env, stdio });
  return new Promise((resolve, reject) => {
    const held = [];
    const run = (child, fallback) => {
      let replaced = false;
      live.add(child);
      child.stdout?.on('data', (b) => held.push(b));
      child.stderr?.on('data', (b) => held.push(b));
      child.on('error', (err) => {
        live.delete(child);
        // No `nice` on this machine: the same invocation at the normal priority.
        if (fallback !== null && err.code === 'ENOENT') {
          replaced = true;
          run(fallback(), null);
        } else reject(err);
      });
      child.on('close', (code, signal) => {
        live.delete(child);
        if (!replaced) resolve({ code, signal, output: Buffer.concat(held) });
      });
    };
    const plain = () => launch(process.execPath, vitest);
    if (inv.niceness === 0 || process.platform === 'win32') run(plain(), null);
    else run(launch('nice', ['-n', String(inv.niceness), process.execPath, ...vitest]), plain);
  });
}

/**
 * Runs the invocations at once and writes what the held ones printed once all have ended, then a
 * line naming each one's outcome; returns the exit code.
 * @param {ReturnType<typeof invocations>} list
 * @param {string} entry the vitest script (node_modules/vitest/vitest.mjs)
 * @param {(text: string | Buffer) => void} write
 */
export async function runInvocations(list, entry, write) {
  const running = list.map((inv) => ({ inv, ended: start(inv, entry) }));
  const ends = [];
  for (const { inv, ended } of running) {
    const end = await ended.catch((err) => {
      write(`npm test: could not start vitest for ${inv.name}: ${err.message}\n`);
      return { code: 1, signal: null, output: Buffer.alloc(0) };
    });
    ends.push(end);
  }
  for (const [i, { inv }] of running.entries()) {
    if (!inv.held) continue;
    write(`\n── ${inv.name}, run beside the other projects ──\n`);
    write(ends[i].output);
  }
  if (list.length > 1) {
    const outcomes = running.map(({ inv }, i) => `${inv.name} ${exitCode([ends[i]]) === 0 ? 'passed' : 'FAILED'}`);
    write(`\nnpm test: ${outcomes.join(', ')}\n`);
  }
  return exitCode(ends);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // Ctrl-C reaches every process of the terminal's group; a signal sent to this process alone is
  // passed on. Each vitest stops its own run (a second SIGINT on top of the terminal's ends it
  // too) and this one waits for them and prints what the held ones said.
  for (const signal of ['SIGINT', 'SIGTERM'])
    process.on(signal, () => {
      for (const child of live) child.kill(signal);
    });
  const entry = join(root, 'node_modules', 'vitest', 'vitest.mjs');
  let niceness;
  try {
    niceness = restNiceness(process.env);
  } catch (err) {
    console.error(`npm test: ${err.message}`);
    process.exit(2);
  }
  const list = invocations(process.argv.slice(2), niceness);
  process.exitCode = await runInvocations(list, entry, (t) => process.stdout.write(t));
}
