// Writes test/support/recorded-durations.json: each test file's wall time (ms) from vitest's
// results cache of the last `npm test` here, keyed as vitest keys it (project:path), for the files
// of each project as the config places them now (`vitest list`). The test sequencer
// (test/support/long-first-sequencer.ts) orders a file vitest has no result for, as in a fresh
// clone (CI), by this figure: as vitest orders it from its cache after a run, longest first in
// each project. Run after `npm test` when files were added or their times changed much:
// `node scripts/record-test-durations.js`. Plain JavaScript.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WAITING_CACHE_DIR, WAITING_PROJECT } from './run-tests.js';

const root = fileURLToPath(new URL('../', import.meta.url));
// npm test runs the waiting-io project in a vitest of its own, which keeps its results apart
// (scripts/run-tests.js); a plain `vitest run` keeps them all in the first.
const waitingRoot = join(root, WAITING_CACHE_DIR, 'vitest');
const cacheRoots = [join(root, 'node_modules', '.vite', 'vitest'), waitingRoot];
const caches = cacheRoots.flatMap((dir) =>
  existsSync(dir)
    ? readdirSync(dir)
        .map((d) => join(dir, d, 'results.json'))
        .filter((f) => existsSync(f))
    : [],
);
if (caches.length === 0) {
  console.error(`record-test-durations: no vitest results cache under ${cacheRoots.join(' or ')}: run npm test first`);
  process.exit(2);
}
const listed = spawnSync(
  process.execPath,
  [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'list', '--filesOnly', '--json'],
  { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
);
if (listed.status !== 0) {
  console.error(`record-test-durations: vitest list failed:\n${listed.stderr}`);
  process.exit(2);
}
const current = new Set(
  JSON.parse(listed.stdout).map((f) => `${f.projectName}:${relative(root, f.file).split(sep).join('/')}`),
);
// A waiting-io file's result comes from the waiting invocation's cache where it has one (a plain
// `vitest run` writes the first cache whole, with whatever it read of the waiting files); any
// other file's from the first cache.
const found = new Map();
for (const file of caches) {
  const waiting = file.startsWith(waitingRoot);
  for (const [key, result] of JSON.parse(readFileSync(file, 'utf8')).results)
    if (!found.has(key) || waiting === key.startsWith(`${WAITING_PROJECT}:`)) found.set(key, result.duration);
}
const recorded = {};
for (const [key, duration] of [...found].sort((a, b) => (a[0] < b[0] ? -1 : 1)))
  if (current.has(key)) recorded[key] = Math.round(duration);
const missing = [...current].filter((key) => !(key in recorded));
if (missing.length > 0) console.log(`record-test-durations: no result yet for ${missing.join(', ')}`);
const out = join(root, 'test', 'support', 'recorded-durations.json');
writeFileSync(out, `${JSON.stringify(recorded, null, 1)}\n`);
console.log(`record-test-durations: ${Object.keys(recorded).length} files in ${out}`);
