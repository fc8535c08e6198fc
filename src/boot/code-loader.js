// Which code a process or worker thread runs: the bundle in dist/ (built by scripts/build.js at
// `npm install`, loads in a fraction of the time) when it was built from exactly the sources in
// src/, else the TypeScript sources through tsx's loader. Plain JavaScript, so that it runs before
// any loader is registered.
//
// The staleness rule: dist/manifest.json lists every file the bundle was built from (our sources,
// the build scripts, tsconfig.json, and the package.json of each package bundled in) with its size, mtime and
// SHA-256. The bundle is current when every listed file still has its size and either its mtime
// or, when the mtime moved (a checkout, a touch), its content hash. An edit to a source that is
// part of the program changes that file; a new source joins the program only through an edit to
// one that is; a deleted one fails its stat. So a stale dist never runs: it falls back to tsx.
//
// Worker threads run what their process's main thread runs: the main thread records its choice
// in EXECSIM_CODE, which a worker's environment copies, so a worker of a process that runs the
// sources (the CLI through tsx, or vitest) runs the sources too, and one of a built CLI runs the
// bundle: the same build as its main thread (EXECSIM_DIST_FILES names its entry files), since a
// rebuild keeps the files of earlier builds for the processes still running them.
// EXECSIM_FROM_SOURCE=1 makes a process run the sources whatever dist holds.
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { runBundle } from './bundle-runner.js';

// node:crypto only when a file's mtime moved: `execsim --help` does not load it otherwise.
const sha256 = (buffer) =>
  createRequire(import.meta.url)('node:crypto')
    .createHash('sha256')
    .update(buffer)
    .digest('hex');

/** The bundle's entry points: dist/<name>-<hash>.js (the manifest names it) is built from the
 *  source file. A worker thread's boot file loads its entry with loadEntry(name). */
export const ENTRIES = Object.freeze({
  execsim: 'src/cli/cli-entry.ts',
  'run-worker': 'src/sweep/run-worker.ts',
  'sweep-worker': 'src/sweep/sweep-worker.ts',
  'store-writer': 'src/store/store-writer.ts',
});

/** The manifest's format: a dist of another format is stale. 2: entry files named by their
 *  content, and the files of earlier builds kept (see buildDist in scripts/build.js). 3: each
 *  entry one CommonJS file, run with a code cache beside it. */
export const MANIFEST_FORMAT = 3;

/** The end of a bundle's code cache file's name (and of one being written), after the bundle's. */
export const CODE_CACHE = /\.v8cache(\.\d+-\d+\.tmp)?$/;

const ROOT = new URL('../..', import.meta.url);

/** A file name the manifest may give an entry: one file directly in dist/. */
const ENTRY_FILE = /^[\w.-]+\.cjs$/;

/** The manifest of the bundle under `base` (a path ending in a separator), if it has one. */
function readManifest(base) {
  try {
    return JSON.parse(readFileSync(`${base}dist/manifest.json`, 'utf8'));
  } catch {
    return null;
  }
}

/** The entries' files (name -> file in dist/) of a manifest's `files`, or null when one is
 *  missing or not a file directly in dist/. */
function entryFiles(named) {
  const files = {};
  for (const name of Object.keys(ENTRIES)) {
    const file = named?.[name];
    if (typeof file !== 'string' || !ENTRY_FILE.test(file)) return null;
    files[name] = file;
  }
  return files;
}

/** The current bundle under root: its entries' files, or why it cannot run (missing, another
 *  format, a source changed since the build). */
function currentDist(root) {
  // Plain path strings: a URL built per input (hundreds of them) cost as much as the stats.
  const base = fileURLToPath(root).replace(/[\\/]?$/, '/');
  const manifest = readManifest(base);
  if (manifest === null) return { why: 'dist/ is not built' };
  if (manifest.format !== MANIFEST_FORMAT) return { why: 'dist/ was built by another version of the build' };
  for (const [name, source] of Object.entries(ENTRIES)) {
    if (manifest.entries?.[name] !== source) return { why: `dist/ has no entry ${name} for ${source}` };
  }
  const files = entryFiles(manifest.files);
  if (files === null) return { why: 'dist/manifest.json names no file for an entry' };
  for (const [path, size, mtimeMs, hash] of manifest.inputs) {
    const file = base + path;
    let stat;
    try {
      stat = statSync(file);
    } catch {
      return { why: `${path} is gone since dist/ was built` };
    }
    if (stat.size !== size) return { why: `${path} changed since dist/ was built` };
    if (stat.mtimeMs === mtimeMs) continue;
    if (sha256(readFileSync(file)) !== hash) return { why: `${path} changed since dist/ was built` };
  }
  return { files, why: null };
}

/** Why dist/ under root cannot run (missing, another format, a source changed since the
 *  build), or null when it is current. */
export function distProblem(root = ROOT) {
  return currentDist(root).why;
}

/** The entry files of the current dist/ under root (name -> file), for a thread that starts
 *  workers of its own without the loader (vitest), or null when dist/ is not current. */
export function currentDistFiles(root = ROOT) {
  return currentDist(root).files ?? null;
}

/** The entry files a worker of a built main thread loads: the ones its main thread chose
 *  (EXECSIM_DIST_FILES), else those of the manifest as it is now. */
function workerFiles() {
  let pinned = null;
  try {
    pinned = entryFiles(JSON.parse(process.env.EXECSIM_DIST_FILES ?? 'null'));
  } catch {
    // An unreadable pin: the manifest decides, as when there is none.
  }
  return pinned ?? entryFiles(readManifest(fileURLToPath(ROOT))?.files);
}

/** Whether this thread runs the bundle (the files of its entries) or the sources, and why not
 *  the bundle when it does not. */
function choose(mainThread) {
  if (!mainThread) return { files: process.env.EXECSIM_CODE === 'dist' ? workerFiles() : null, why: null };
  if (process.env.EXECSIM_FROM_SOURCE === '1') return { files: null, why: null };
  const { files = null, why } = currentDist(ROOT);
  return { files, why };
}

/** Imports the entry `name` from the bundle when this thread runs it, else from the sources
 *  through tsx; returns its module. `mainThread`: the process's own entry (bin/), which decides
 *  for its workers; a worker's boot file leaves it false and follows its main thread. */
export async function loadEntry(name, { mainThread = false } = {}) {
  const source = ENTRIES[name];
  if (source === undefined) throw new Error(`no entry ${name} (entries: ${Object.keys(ENTRIES).join(', ')})`);
  const { files, why } = choose(mainThread);
  if (mainThread) {
    // Workers run this thread's build even if dist/ is rebuilt meanwhile: its files stay (the
    // build keeps earlier builds' files), and a worker of another build could misread messages.
    process.env.EXECSIM_CODE = files !== null ? 'dist' : 'source';
    if (files !== null) process.env.EXECSIM_DIST_FILES = JSON.stringify(files);
    else delete process.env.EXECSIM_DIST_FILES;
  }
  if (files !== null) return runBundle(fileURLToPath(new URL(`dist/${files[name]}`, ROOT)));
  // A terminal user learns why the command is slow; pipes and tests see nothing.
  if (why !== null && why !== 'dist/ is not built' && process.stderr.isTTY)
    process.stderr.write(`execsim: ${why}: running the sources through tsx (npm run build rebuilds dist/)\n`);
  const { register } = await import('tsx/esm/api');
  register();
  return import(new URL(source, ROOT).href);
}
