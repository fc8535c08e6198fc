// Builds dist/: each entry of src/boot/code-loader.js bundled by esbuild into one CommonJS file,
// which bin/execsim.js and the worker boot files run instead of the TypeScript sources while dist/
// is current (the rule is in code-loader.js). CommonJS, because Node 20 keeps a compiled script's
// code for the next process only for a script it compiles through node:vm (src/boot/bundle-runner.js
// keeps V8's code cache beside each bundle), not for an ES module: a process then skips most of the
// parsing and compiling that was a third of its start. Code a command does not need is compiled
// from the cache but not run (esbuild runs each module's body when it is first imported). Runs at
// `npm install` and `npm ci` (the prepare script) and as `npm run build`; plain JavaScript, so it
// needs no loader.
//
// What the bundle keeps from the sources' behaviour:
// - `import.meta.url` in a source file is rewritten to that file's own URL (relative to the
//   bundle), so package.json, scenarios/, static assets, worker boot files and createRequire
//   resolve exactly as they do from src/.
// - Packages that load files or native code next to themselves at run time stay external and
//   load from node_modules; the pure ones the CLI loads on every run are bundled (one file to
//   parse instead of hundreds; rxjs as its ES module build, so only what is used is kept).
// - @js-joda/timezone unpacks a zone's rules when the zone is first asked for, instead of all
//   ~600 zones at load (most of its start-up cost); the rules of a zone are the same either way.
// - ccxt's Binance classes and the Alpaca SDK are bundles of their own (not in the entries), which
//   the entries' code loads with their own code caches (package-bundles.js,
//   docs/0095-packages-bundled-apart.md).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, relative, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { CODE_CACHE, ENTRIES, MANIFEST_FORMAT } from '../src/boot/code-loader.js';
import { buildPackageBundles, packageDefines, packagesOf, primePackageBundles } from './package-bundles.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const rel = (path) => relative(root, path).split(sep).join('/');

/** Packages bundled into dist/; every other package is loaded from node_modules at run time. */
export const BUNDLED = [
  'zod',
  'yaml',
  'rxjs',
  // rxjs's ES module build imports tslib; bundled, Node does not scan its CommonJS file for
  // export names at every start.
  'tslib',
  '@js-joda/core',
  '@js-joda/timezone',
  'fflate',
  '@msgpack/msgpack',
];

const packageOf = (spec) =>
  (spec.startsWith('@') ? spec.split('/').slice(0, 2) : spec.split('/').slice(0, 1)).join('/');

/** Everything outside BUNDLED stays an import of the package. */
const externals = {
  name: 'externals',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || BUNDLED.includes(packageOf(args.path))) return undefined;
      return { path: args.path, external: true };
    });
    // rxjs's package maps Node to its CommonJS build, which cannot be tree-shaken.
    b.onResolve({ filter: /^rxjs$/ }, () => ({ path: `${root}node_modules/rxjs/dist/esm/index.js` }));
  },
};

/** A source file's import.meta.url, as the URL of the source file itself. */
const sourceUrls = {
  name: 'source-urls',
  setup(b) {
    b.onLoad({ filter: /\.(ts|tsx|js)$/ }, (args) => {
      const path = rel(args.path);
      if (!path.startsWith('src/')) return undefined;
      const text = readFileSync(args.path, 'utf8');
      const loader = args.path.endsWith('.tsx') ? 'tsx' : args.path.endsWith('.ts') ? 'ts' : 'js';
      // Every output file sits directly in dist/, so ../ from any of them is the repository root.
      const own = `new URL(${JSON.stringify(`../${path}`)}, import.meta.url).href`;
      return { contents: text.replaceAll('import.meta.url', own), loader };
    });
  },
};

// The edits that make @js-joda/timezone unpack zones on demand: each must match once, else the
// package changed and is bundled as it is (correct, only slower to load).
const TZ_EDITS = [
  [
    'var tzdbZoneInfo = zones[links[zoneId]];',
    'var tzdbZoneInfo = links[zoneId] === undefined ? undefined : (zones[links[zoneId]] ??= (packedZones[links[zoneId]] === undefined ? undefined : unpack(packedZones[links[zoneId]])));',
  ],
  [
    `var tzdbZoneInfo = unpack(packedZoneInfo);
	      AVAILABLE_ZONE_IDS.push(tzdbZoneInfo.name);
	      zones[tzdbZoneInfo.name] = tzdbZoneInfo;
	      links[tzdbZoneInfo.name] = tzdbZoneInfo.name;`,
    `var zoneName = packedZoneInfo.slice(0, packedZoneInfo.indexOf('|'));
	      AVAILABLE_ZONE_IDS.push(zoneName);
	      packedZones[zoneName] = packedZoneInfo;
	      links[zoneName] = zoneName;`,
  ],
  ['var zones = {};', 'var zones = {};\n\tvar packedZones = {};'],
  // The system's zone is looked up (through Intl, whose time-zone data is slow to load) when
  // first asked for, not at load; the answer is the same.
  [
    `var resolvedZoneId = getResolvedZoneId(ZoneId);
	  if (resolvedZoneId == null) {
	    return;
	  }
	  ZoneId.systemDefault = function () {
	    return resolvedZoneId;
	  };`,
    `var coreDefault = ZoneId.systemDefault;
	  var resolvedZoneId;
	  ZoneId.systemDefault = function () {
	    if (resolvedZoneId === undefined) resolvedZoneId = getResolvedZoneId(ZoneId);
	    return resolvedZoneId == null ? coreDefault.call(ZoneId) : resolvedZoneId;
	  };`,
  ],
];

const lazyZones = {
  name: 'lazy-zones',
  setup(b) {
    b.onLoad({ filter: /@js-joda[/\\]timezone[/\\]dist[/\\]js-joda-timezone\.js$/ }, (args) => {
      let text = readFileSync(args.path, 'utf8');
      for (const [from, to] of TZ_EDITS) {
        if (text.split(from).length !== 2) {
          console.warn(`build: @js-joda/timezone changed (no single "${from.split('\n')[0]}"): bundled as it is`);
          return undefined;
        }
        text = text.replace(from, () => to);
      }
      return { contents: text, loader: 'js' };
    });
  },
};

function fileEntry(path) {
  const file = `${root}${path}`;
  const { size, mtimeMs } = statSync(file);
  return [path, size, mtimeMs, createHash('sha256').update(readFileSync(file)).digest('hex')];
}

/** How many builds before the current one keep their files in dist/: a process started on one
 *  (a server, a paper run) still starts its workers from them after a rebuild. */
export const KEPT_BUILDS = 2;

/** The file lists of the builds before this one (the previous manifest's own, then those it
 *  kept), newest first, at most KEPT_BUILDS; a rebuild of the same sources, which lists the same
 *  files as this one, is not an earlier build of its own. */
function earlierBuilds(dist, outputs) {
  let previous;
  try {
    previous = JSON.parse(readFileSync(`${dist}/manifest.json`, 'utf8'));
  } catch {
    return [];
  }
  if (previous.format !== MANIFEST_FORMAT || !Array.isArray(previous.outputs)) return [];
  const same = (list) => list.length === outputs.length && list.every((file, i) => file === outputs[i]);
  return [previous.outputs, ...(Array.isArray(previous.earlier) ? previous.earlier : [])]
    .filter((list) => Array.isArray(list) && !same(list))
    .slice(0, KEPT_BUILDS);
}

/**
 * Builds dist/; returns the manifest. Every file is named by its content (entries too), so a
 * build adds files beside those of earlier builds instead of replacing them: a process still
 * running an earlier build (its main thread's choice pins its workers to it, see
 * src/boot/code-loader.js) finds every file it may still load. The manifest, renamed into place
 * after the files, is what makes a build current; files no manifest of the last KEPT_BUILDS + 1
 * builds lists are removed.
 */
export async function buildDist() {
  const started = performance.now();
  const tmp = `${root}dist.tmp-${process.pid}`;
  const dist = `${root}dist`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  let previous = null;
  try {
    previous = JSON.parse(readFileSync(`${dist}/manifest.json`, 'utf8'));
  } catch {
    // No earlier build: every package bundle is made.
  }
  const bundles = await buildPackageBundles(tmp, previous);
  const packageFiles = Object.fromEntries(
    Object.entries(bundles)
      .filter(([, b]) => b !== null)
      .map(([name, b]) => [name, b.file]),
  );
  const result = await build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(Object.entries(ENTRIES)),
    outdir: tmp,
    entryNames: '[name]-[hash]',
    outExtension: { '.js': '.cjs' },
    bundle: true,
    format: 'cjs',
    // Less to read and hash at every start; names are kept (error classes, stack traces).
    minifyWhitespace: true,
    // The bundled packages' license comments go to a file beside each bundle
    // (<bundle>.LEGAL.txt), and the bundle is ASCII only (esbuild escapes what else its code holds;
    // checked below): a process reads it as Latin-1, a copy of its bytes, instead of decoding
    // UTF-8 into a two-byte string (about 30 ms of each start, and twice the memory).
    legalComments: 'external',
    platform: 'node',
    target: 'node20',
    tsconfig: 'tsconfig.json',
    // import.meta.url (what the sources' own URLs are resolved against, see sourceUrls) is the
    // bundle file's URL, as it was for the ES module bundle.
    banner: { js: "const __execsimBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    // And each package bundle's file (null: none, the package is loaded as the sources load it).
    define: {
      'import.meta.url': '__execsimBundleUrl',
      ...packageDefines(packageFiles),
    },
    // Stack traces point into dist/; `node --enable-source-maps` maps them back to src/.
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    plugins: [externals, sourceUrls, lazyZones],
  });
  // A bundle runs from a code cache through node:vm, where import() has no loader to go to on
  // Node 20 (src/boot/code-loader.js): a package loaded on demand is required instead.
  for (const [input, meta] of Object.entries(result.metafile.inputs))
    for (const imp of meta.imports)
      if (imp.kind === 'dynamic-import' && imp.external)
        throw new Error(`build: ${input} imports ${imp.path} with import(): load it with createRequire instead`);
  const sources = Object.keys(result.metafile.inputs)
    .filter((path) => path.startsWith('src/'))
    .sort();
  const bundledPackages = [
    ...new Set([...packagesOf(result.metafile), ...Object.values(bundles).flatMap((b) => b?.packages ?? [])]),
  ].sort();
  const inputs = [
    ...sources,
    'scripts/build.js',
    'scripts/package-bundles.js',
    'src/boot/code-loader.js',
    'tsconfig.json',
    ...bundledPackages.map((name) => `node_modules/${name}/package.json`),
  ].map(fileEntry);
  const files = {};
  for (const [out, meta] of Object.entries(result.metafile.outputs)) {
    const name = Object.keys(ENTRIES).find((n) => ENTRIES[n] === meta.entryPoint);
    if (name !== undefined) files[name] = basename(out);
  }
  const outputs = readdirSync(tmp).sort();
  for (const file of [...Object.values(files), ...Object.values(packageFiles)]) {
    const bytes = readFileSync(`${tmp}/${file}`);
    const at = bytes.findIndex((b) => b > 0x7f);
    if (at >= 0) {
      const line = bytes.subarray(0, at).toString('latin1').split('\n').length;
      throw new Error(`build: ${file} is not ASCII only (line ${line}): the loader reads bundles as Latin-1`);
    }
  }
  // One build at a time moves its files in, switches and prunes: another's prune would remove
  // files this one moved in before its manifest names them.
  const unlock = lock(`${root}dist.lock`);
  let manifest;
  try {
    const earlier = earlierBuilds(dist, outputs);
    // `packages`: the packages bundled apart (their files are named in the entries' code).
    // `packageKeys`: what each was made from, for the next build to reuse it (package-bundles.js).
    const packageKeys = Object.fromEntries(
      Object.entries(bundles)
        .filter(([, b]) => b !== null)
        .map(([name, b]) => [name, { key: b.key, packages: b.packages }]),
    );
    manifest = {
      format: MANIFEST_FORMAT,
      entries: ENTRIES,
      files,
      packages: packageFiles,
      packageKeys,
      inputs,
      outputs,
      earlier,
    };
    mkdirSync(dist, { recursive: true });
    // A name already in dist/ has the same content (the name is its hash): renamed over, unchanged.
    for (const file of outputs) renameSync(`${tmp}/${file}`, `${dist}/${file}`);
    writeFileSync(`${tmp}/manifest.json`, `${JSON.stringify(manifest)}\n`);
    renameSync(`${tmp}/manifest.json`, `${dist}/manifest.json`);
    const kept = new Set(['manifest.json', ...outputs, ...earlier.flat()]);
    // A bundle's code cache (code-loader.js writes it) goes with its bundle.
    for (const file of readdirSync(dist))
      if (!kept.has(file) && !kept.has(file.replace(CODE_CACHE, '')))
        rmSync(`${dist}/${file}`, { recursive: true, force: true });
  } finally {
    unlock();
    rmSync(tmp, { recursive: true, force: true });
  }
  return { manifest, ms: performance.now() - started };
}

/** A build's hold on dist/: a folder only one process can create. A hold older than a minute
 *  is a build that died holding it, and is taken over. Returns its release. */
function lock(path) {
  const deadline = performance.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(path);
      return () => rmdirSync(path);
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    let age;
    try {
      age = Date.now() - statSync(path).mtimeMs;
    } catch {
      continue; // released meanwhile
    }
    if (age > 60_000) rmSync(path, { recursive: true, force: true });
    else if (performance.now() > deadline) throw new Error(`build: ${path} is held by another build`);
    else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
}

/** Runs one small backtest on the new build, so that the CLI's code cache (src/boot/code-loader.js)
 *  holds what a run compiles, not only what the first command after the build happened to (a
 *  `--help`), and loads each package bundle and makes a client of it, so that its cache holds what
 *  every process using the package compiles first; returns its time, or throws with the output of
 *  what failed. */
export function warmCodeCache(manifest) {
  const started = performance.now();
  const env = { ...process.env, EXECSIM_CODE_CACHE: 'write' };
  const r = spawnSync(process.execPath, ['bin/execsim.js', 'run', 'scenarios/walkthrough.yaml', '--no-store'], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`build: the built CLI failed a run (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  primePackageBundles(manifest, env);
  return performance.now() - started;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { manifest, ms } = await buildDist();
  const warmMs = warmCodeCache(manifest);
  console.log(
    `build: dist/ from ${manifest.inputs.length} files in ${Math.round(ms)} ms, its code cache in ${Math.round(warmMs)} ms`,
  );
}
