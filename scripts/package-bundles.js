// The packages scripts/build.js bundles apart from the entries (docs/0095-packages-bundled-apart.md):
// each one CommonJS file in dist/ (`<name>-<hash>.cjs`) with a code cache of its own, whose file
// name the entries' code is built with (a `define`, read by src/live/package-bundle.ts). Loaded so,
// instead of from the package's own files (compiled afresh in every process), a package takes
// about half the CPU to load. Apart, not in the entries: their code cache would grow by the
// package's code for every command. Plain JavaScript, as build.js.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, version as esbuildVersion } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));

const resolveFromRoot = (spec) => createRequire(`${root}package.json`).resolve(spec);

/** ccxt's Binance modules, where src/live/binance/ccxt-binance.ts looks for them, or null. */
function ccxtModules() {
  const ccxtRoot = dirname(dirname(resolveFromRoot('ccxt')));
  const binance = join(ccxtRoot, 'js', 'src', 'pro', 'binance.js');
  const errors = join(ccxtRoot, 'js', 'src', 'base', 'errors.js');
  return existsSync(binance) && existsSync(errors) ? { binance, errors } : null;
}

/**
 * The packages bundled apart. Each has:
 * - `entry()`: the text of the bundle's entry module (what it exports), or null when the package
 *   is not where it is expected (no bundle: code in dist/ then loads the package as the sources do);
 * - `requireFrom()`: the file packages left out of the bundle are resolved from;
 * - `external`, `plugins`: what stays in node_modules, and how the package's files are read;
 * - `prime`: code run on the bundle's exports `m` when the build writes its code cache.
 */
const PACKAGE_BUNDLES = [
  {
    // ccxt's Binance class and exceptions: as ES modules, about 190 files (0.3 s of CPU per Binance
    // process). ws stays ccxt's own copy, required from ccxt's files; protobufjs is an optional
    // dependency of other exchanges.
    name: 'ccxt-binance',
    define: '__EXECSIM_CCXT_BUNDLE__',
    entry() {
      const m = ccxtModules();
      return m === null
        ? null
        : `export { default as binance } from ${JSON.stringify(m.binance)};\n` +
            `export * as errors from ${JSON.stringify(m.errors)};\n`;
    },
    requireFrom: () => resolveFromRoot('ccxt'),
    external: ['ws', 'protobufjs', 'protobufjs/*'],
    plugins: () => [requiredImports],
    prime: "if (new m.binance({}).id !== 'binance') process.exit(3);",
  },
  {
    // The Alpaca SDK (one CommonJS file of 0.8 MB and ws): 0.1 s of CPU per Alpaca process.
    name: 'alpaca',
    define: '__EXECSIM_ALPACA_BUNDLE__',
    entry: () => `module.exports = require(${JSON.stringify(resolveFromRoot('@alpacahq/alpaca-trade-api'))});\n`,
    requireFrom: () => resolveFromRoot('@alpacahq/alpaca-trade-api'),
    external: [],
    plugins: () => [],
    prime: "if (!new m.Alpaca({ keyId: 'k', secret: 's', paper: true }).paper) process.exit(3);",
  },
];

/** ccxt's modules load a few modules with import(), which a bundle run from a code cache cannot
 *  (see src/boot/bundle-runner.js): each `import('name')` becomes a promise of the module
 *  required, as a namespace with its default (what import() gives for a CommonJS or built-in
 *  module); bundler hints in comments inside the parentheses are dropped. */
const requiredImports = {
  name: 'required-imports',
  setup(b) {
    b.onLoad({ filter: /[/\\]node_modules[/\\]ccxt[/\\].*\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import(')) return undefined;
      return {
        contents: text.replace(
          /\bimport\(\s*(?:\/\*[^*]*\*\/\s*)*(['"])([^'"]+)\1\s*\)/g,
          (_, q, spec) => `Promise.resolve().then(() => __execsimNamespace(require(${q}${spec}${q})))`,
        ),
        loader: 'js',
      };
    });
  },
};

/** What a package bundle is made from: its entry, what it leaves out, esbuild, this file, and
 *  the package.json of each package it bundled (`bundled`, as the last build found them). */
function packageBundleKey(spec, entry, bundled) {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([entry, spec.external, esbuildVersion]));
  hash.update(readFileSync(fileURLToPath(import.meta.url)));
  for (const name of bundled) {
    try {
      hash.update(`${name}\n`).update(readFileSync(`${root}node_modules/${name}/package.json`));
    } catch {
      hash.update(`${name} is gone\n`);
    }
  }
  return hash.digest('hex');
}

/**
 * Bundles one of PACKAGE_BUNDLES into `dir`; returns the file's name, the packages bundled and
 * what it was made from (`key`), or null (with a warning) when the package is not installed as
 * expected. The last build's bundle (`previous`, the manifest in dist/), when it was made from
 * the same (a rebuild after an edit to src/), is copied instead of bundled again: its file, its
 * license notes and, in dist/, its code cache stay as they are.
 */
async function buildPackageBundle(spec, dir, previous) {
  let entry;
  try {
    entry = spec.entry();
  } catch {
    entry = null;
  }
  if (entry === null) {
    console.warn(`build: no bundle of ${spec.name} (its package is not as expected): dist/ loads the package`);
    return null;
  }
  const last = previous?.packageKeys?.[spec.name];
  const lastFile = previous?.packages?.[spec.name];
  // A bundle's license notes, when it has any, are a file beside it.
  const withNotes = (file, from) => [file, ...(existsSync(`${from}/${file}.LEGAL.txt`) ? [`${file}.LEGAL.txt`] : [])];
  if (
    typeof lastFile === 'string' &&
    last !== undefined &&
    last.key === packageBundleKey(spec, entry, last.packages ?? []) &&
    existsSync(`${root}dist/${lastFile}`)
  ) {
    for (const file of withNotes(lastFile, `${root}dist`)) copyFileSync(`${root}dist/${file}`, `${dir}/${file}`);
    return { file: lastFile, packages: last.packages, key: last.key };
  }
  // The entry is given as text (no file of its own, whose path would be in the bundle): the
  // bundle's name is its content's hash, as the entries' are.
  const result = await build({
    absWorkingDir: root,
    stdin: { contents: entry, resolveDir: root, sourcefile: `${spec.name}.js`, loader: 'js' },
    outfile: `${dir}/${spec.name}.cjs`,
    write: false,
    bundle: true,
    format: 'cjs',
    minifyWhitespace: true,
    legalComments: 'external',
    charset: 'ascii',
    platform: 'node',
    target: 'node20',
    external: spec.external,
    banner: {
      js:
        'const __execsimNamespace = (m) => m !== null && typeof m === "object" && ' +
        '(m[Symbol.toStringTag] === "Module" || "default" in m) ? m : { ...m, default: m };',
    },
    metafile: true,
    logLevel: 'error',
    plugins: spec.plugins(),
  });
  for (const [input, meta] of Object.entries(result.metafile.inputs))
    for (const imp of meta.imports)
      if (imp.kind === 'dynamic-import' && imp.external)
        throw new Error(`build: ${input} imports ${imp.path} with import() in the ${spec.name} bundle`);
  const code = result.outputFiles.find((f) => f.path.endsWith(`${spec.name}.cjs`));
  const hash = createHash('sha256').update(code.contents).digest('hex').slice(0, 8).toUpperCase();
  const file = `${spec.name}-${hash}.cjs`;
  for (const out of result.outputFiles)
    writeFileSync(`${dir}/${basename(out.path).replace(`${spec.name}.cjs`, file)}`, out.contents);
  const packages = packagesOf(result.metafile).sort();
  return { file, packages, key: packageBundleKey(spec, entry, packages) };
}

/** The packages a build bundled (from node_modules), by name. */
export function packagesOf(metafile) {
  return [
    ...new Set(
      Object.keys(metafile.inputs)
        .map((path) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1])
        .filter((name) => name !== undefined),
    ),
  ];
}

/** Bundles every package of PACKAGE_BUNDLES into `dir` (see buildPackageBundle), by name. */
export async function buildPackageBundles(dir, previous) {
  const bundles = {};
  for (const spec of PACKAGE_BUNDLES) bundles[spec.name] = await buildPackageBundle(spec, dir, previous);
  return bundles;
}

/** The entries' defines: each package bundle's file name (null: none, the package is loaded as
 *  the sources load it). */
export function packageDefines(files) {
  return Object.fromEntries(PACKAGE_BUNDLES.map((p) => [p.define, JSON.stringify(files[p.name] ?? null)]));
}

/** Loads each package bundle of the build (`manifest`) and makes a client of it in a process of
 *  its own (with `env`, which makes it write its code cache), so that the cache holds what every
 *  process using the package compiles first; throws with the output of one that failed. */
export function primePackageBundles(manifest, env) {
  for (const spec of PACKAGE_BUNDLES) {
    const file = manifest.packages?.[spec.name];
    // A bundle the build reused keeps the cache its first build wrote.
    if (file === undefined || existsSync(`${root}dist/${file}.v8cache`)) continue;
    const script =
      "import { runBundle } from './src/boot/bundle-runner.js';" +
      `const m = runBundle(${JSON.stringify(`${root}dist/${file}`)}, { requireFrom: ${JSON.stringify(spec.requireFrom())} });` +
      spec.prime;
    const c = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, env, encoding: 'utf8' });
    if (c.status !== 0)
      throw new Error(`build: the ${spec.name} bundle failed to load (exit ${c.status}):\n${c.stdout}${c.stderr}`);
  }
}
