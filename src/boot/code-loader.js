// Which code a process or worker thread runs: the bundle in dist/ (built by scripts/build.js at
// `npm install`, loads in a fraction of the time) when it was built from exactly the sources in
// src/, else the TypeScript sources through tsx's loader. Plain JavaScript, so that it runs before
// any loader is registered.
//
// The staleness rule: dist/manifest.json lists every file the bundle was built from (our sources,
// the build script, tsconfig.json, and the package.json of each package bundled in) with its size, mtime and
// SHA-256. The bundle is current when every listed file still has its size and either its mtime
// or, when the mtime moved (a checkout, a touch), its content hash. An edit to a source that is
// part of the program changes that file; a new source joins the program only through an edit to
// one that is; a deleted one fails its stat. So a stale dist never runs: it falls back to tsx.
//
// Worker threads run what their process's main thread runs: the main thread records its choice
// in EXECSIM_CODE, which a worker's environment copies, so a worker of a process that runs the
// sources (the CLI through tsx, or vitest) runs the sources too, and one of a built CLI runs the
// bundle. EXECSIM_FROM_SOURCE=1 makes a process run the sources whatever dist holds.
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';

// node:crypto only when a file's mtime moved: `execsim --help` does not load it otherwise.
const sha256 = (buffer) =>
  createRequire(import.meta.url)('node:crypto')
    .createHash('sha256')
    .update(buffer)
    .digest('hex');

/** The bundle's entry points: dist/<name>.js is built from the source file. A worker thread's
 *  boot file loads its entry with loadEntry(name). */
export const ENTRIES = Object.freeze({
  execsim: 'src/cli/cli-entry.ts',
  'run-worker': 'src/sweep/run-worker.ts',
  'sweep-worker': 'src/sweep/sweep-worker.ts',
  'store-writer': 'src/store/store-writer.ts',
});

/** The manifest's format: a dist of another format is stale. */
export const MANIFEST_FORMAT = 1;

const ROOT = new URL('../..', import.meta.url);

/** Why dist/ under root cannot run (missing, another format, a source changed since the
 *  build), or null when it is current. */
export function distProblem(root = ROOT) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(new URL('dist/manifest.json', root), 'utf8'));
  } catch {
    return 'dist/ is not built';
  }
  if (manifest.format !== MANIFEST_FORMAT) return 'dist/ was built by another version of the build';
  for (const [name, source] of Object.entries(ENTRIES)) {
    if (manifest.entries?.[name] !== source) return `dist/ has no entry ${name} for ${source}`;
  }
  for (const [path, size, mtimeMs, hash] of manifest.inputs) {
    const file = new URL(path, root);
    let stat;
    try {
      stat = statSync(file);
    } catch {
      return `${path} is gone since dist/ was built`;
    }
    if (stat.size !== size) return `${path} changed since dist/ was built`;
    if (stat.mtimeMs === mtimeMs) continue;
    if (sha256(readFileSync(file)) !== hash) return `${path} changed since dist/ was built`;
  }
  return null;
}

/** Whether this thread runs the bundle, and why not when it does not. */
function choose(mainThread) {
  if (!mainThread) return { built: process.env.EXECSIM_CODE === 'dist', why: null };
  if (process.env.EXECSIM_FROM_SOURCE === '1') return { built: false, why: null };
  const why = distProblem();
  return { built: why === null, why };
}

/** Imports the entry `name` from the bundle when this thread runs it, else from the sources
 *  through tsx; returns its module. `mainThread`: the process's own entry (bin/), which decides
 *  for its workers; a worker's boot file leaves it false and follows its main thread. */
export async function loadEntry(name, { mainThread = false } = {}) {
  const source = ENTRIES[name];
  if (source === undefined) throw new Error(`no entry ${name} (entries: ${Object.keys(ENTRIES).join(', ')})`);
  const { built, why } = choose(mainThread);
  if (mainThread) process.env.EXECSIM_CODE = built ? 'dist' : 'source';
  if (built) return import(new URL(`dist/${name}.js`, ROOT).href);
  // A terminal user learns why the command is slow; pipes and tests see nothing.
  if (why !== null && why !== 'dist/ is not built' && process.stderr.isTTY)
    process.stderr.write(`execsim: ${why}: running the sources through tsx (npm run build rebuilds dist/)\n`);
  const { register } = await import('tsx/esm/api');
  register();
  return import(new URL(source, ROOT).href);
}
