// Runs vitest (any arguments are passed on: a project, a folder, a file) with the per-file CPU
// accounting of test/support/cpu-per-file.ts on, then prints where the CPU went: the invocation's
// own CPU and wall time, the sums over files (importing, the tests' workers, the processes the
// tests started), and the files that cost most. Plain JavaScript; Linux (/proc).
//   npm run test:cpu                      everything, in one invocation (the waiting files last)
//   npm run test:cpu -- --project unit    one project
//   npm run test:cpu -- --top 40          forty files instead of twenty-five
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const args = process.argv.slice(2);
let top = 25;
const at = args.indexOf('--top');
if (at >= 0) {
  top = Number(args[at + 1]);
  if (!Number.isSafeInteger(top) || top < 1) {
    console.error(`test-cpu: --top: "${args[at + 1] ?? ''}" is not a positive whole number`);
    process.exit(2);
  }
  args.splice(at, 2);
}

const dir = mkdtempSync(join(tmpdir(), 'execsim-test-cpu-'));
const log = join(dir, 'files.tsv');
const started = performance.now();
const vitest = spawnSync(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...args], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, EXECSIM_TEST_CPU: log },
});
const wallS = (performance.now() - started) / 1000;
// The invocation's CPU: vitest and everything it waited for (its workers and their children).
const usage = process.resourceUsage();
const ownS = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
let childS = null;
try {
  const f = readFileSync('/proc/self/stat', 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  childS = (Number(fields[13]) + Number(fields[14])) / 100;
} catch {
  // Not Linux: the per-file lines are missing too.
}

let rows = [];
try {
  rows = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [file, importMs, ownMs, childMs, wallMs] = l.split('\t');
      return {
        file: relative(root, file),
        importMs: Number(importMs),
        ownMs: Number(ownMs),
        childMs: Number(childMs),
        wallMs: Number(wallMs),
      };
    });
} catch {
  // No file ran, or not Linux.
}
rmSync(dir, { recursive: true, force: true });

const s = (ms) => (ms / 1000).toFixed(1);
const sum = (k) => rows.reduce((a, r) => a + r[k], 0);
console.log('');
console.log(
  `test-cpu: ${rows.length} files, ${wallS.toFixed(0)} s wall; vitest and all it started: ${
    childS === null ? '?' : (childS + ownS).toFixed(0)
  } s of CPU`,
);
console.log(
  `  summed over files: importing ${s(sum('importMs'))} s, their workers ${s(sum('ownMs'))} s, the processes they started ${s(sum('childMs'))} s`,
);
rows.sort((a, b) => b.importMs + b.ownMs + b.childMs - (a.importMs + a.ownMs + a.childMs));
console.log(
  `  the ${Math.min(top, rows.length)} files that cost most (CPU s: total = import + worker + processes; wall s):`,
);
for (const r of rows.slice(0, top))
  console.log(
    `  ${s(r.importMs + r.ownMs + r.childMs).padStart(7)} = ${s(r.importMs).padStart(5)} + ${s(r.ownMs).padStart(6)} + ${s(r.childMs).padStart(6)}  ${s(r.wallMs).padStart(6)}  ${r.file}`,
  );
process.exit(vitest.status ?? 1);
