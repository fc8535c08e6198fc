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

const root = fileURLToPath(new URL('../', import.meta.url));
const cacheRoot = join(root, 'node_modules', '.vite', 'vitest');
const caches = existsSync(cacheRoot)
  ? readdirSync(cacheRoot)
      .map((d) => join(cacheRoot, d, 'results.json'))
      .filter((f) => existsSync(f))
  : [];
if (caches.length !== 1) {
  console.error(`record-test-durations: expected one vitest results cache under ${cacheRoot}, found ${caches.length}`);
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
const { results } = JSON.parse(readFileSync(caches[0], 'utf8'));
const recorded = {};
for (const [key, result] of [...results].sort((a, b) => (a[0] < b[0] ? -1 : 1)))
  if (current.has(key)) recorded[key] = Math.round(result.duration);
const missing = [...current].filter((key) => !(key in recorded));
if (missing.length > 0) console.log(`record-test-durations: no result yet for ${missing.join(', ')}`);
const out = join(root, 'test', 'support', 'recorded-durations.json');
writeFileSync(out, `${JSON.stringify(recorded, null, 1)}\n`);
console.log(`record-test-durations: ${Object.keys(recorded).length} files in ${out}`);
