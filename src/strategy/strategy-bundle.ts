// A strategy module bundled by esbuild into one CommonJS text, cached per file by size and mtime
// and compiled once (strategy-realm.ts runs it). Its hash is the strategy's code identity, so the
// same file gives the same bundle wherever it is; an import left outside the bundle other than the
// host's own rxjs, zod, trading-signals and 'execsim/strategy' is refused when the module loads.
// Design notes: docs/0067-strategy-host-notes.md#srcstrategystrategy-bundlets
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type * as Esbuild from 'esbuild';
import { RealmModule } from './strategy-realm.ts';

/** esbuild, loaded the first time a strategy is bundled: a process (or sweep worker) whose
 *  scenario names no strategy never loads it. Required, not imported: an ES module import of
 *  this CommonJS package made Node scan its 97 KB for export names at every start, and V8
 *  compiled that scanner with its optimising compiler (about 0.1-0.2 s of CPU per thread). */
let esbuildModule: typeof Esbuild | undefined;
const esbuild = (): typeof Esbuild => (esbuildModule ??= createRequire(import.meta.url)('esbuild') as typeof Esbuild);

/** The imports a bundle may keep: the packages a strategy shares with its host. */
export const SHARED_IMPORTS: readonly string[] = [
  'rxjs',
  'rxjs/operators',
  'zod',
  'zod/v4',
  'execsim/strategy',
  'trading-signals',
];

/** Who imports, for messages ('a strategy'), and the shared packages it may import. */
export interface ImportRule {
  readonly who: string;
  readonly allowed: readonly string[];
}

export const STRATEGY_IMPORTS: ImportRule = { who: 'a strategy', allowed: SHARED_IMPORTS };

/**
 * The TypeScript settings every strategy is compiled with, whatever tsconfig.json is near it:
 * strict mode (an ES module is strict), standard class fields, no legacy decorators, imports
 * elided as TypeScript does by default. The bundled examples compile to the same text as under
 * the repository's own tsconfig.json, so their code hashes are what they were.
 */
const TSCONFIG = {
  compilerOptions: {
    alwaysStrict: true,
    useDefineForClassFields: true,
    experimentalDecorators: false,
    verbatimModuleSyntax: false,
  },
} as const;

/** A problem with the module's file or code (the loader names the module's field). */
export class BundleError extends Error {}

export interface Bundle {
  readonly size: number;
  readonly mtimeMs: number;
  readonly code: string;
  readonly hash: string;
  /** What it imports and does not bundle (the shared packages it may import: ImportRule), sorted. */
  readonly external: readonly string[];
  /** The bundle compiled (on its first evaluation). */
  compiled?: RealmModule;
}

const bundles = new Map<string, Bundle>();

/** The module's bundle (`module` as the file names it, for messages; `path` where it is), its
 *  imports checked against `rule`. */
export function bundleOf(module: string, path: string, rule: ImportRule): Bundle {
  const bundle = bundled(module, path);
  const refused = bundle.external.find((i) => !rule.allowed.includes(i));
  if (refused !== undefined)
    throw new BundleError(
      `${module} imports ${refused}: ${rule.who} may import its own files, the packages it bundles, and ` +
        `${rule.allowed.join(', ')}; not Node's built-ins (it runs without files, processes or the network)`,
    );
  return bundle;
}

function bundled(module: string, path: string): Bundle {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new BundleError(`${module}: no such file ${path} (paths are relative to the file naming it)`);
  }
  if (!stat.isFile()) throw new BundleError(`${module}: ${path} is not a file`);
  const cached = bundles.get(path);
  if (cached && cached.size === stat.size && cached.mtimeMs === stat.mtimeMs) return cached;
  let out: Esbuild.BuildResult<{ write: false; metafile: true }>;
  try {
    out = esbuild().buildSync({
      entryPoints: [path],
      // The bundle's comments name its files relative to this folder: the same module gives the
      // same code (and code hash) wherever it is and whoever loads it.
      absWorkingDir: dirname(path),
      bundle: true,
      write: false,
      metafile: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      tsconfigRaw: TSCONFIG,
      // A package's development checks read process.env.NODE_ENV, and a strategy has no process.
      define: { 'process.env.NODE_ENV': '"production"' },
      external: ['rxjs', 'rxjs/*', 'zod', 'execsim', 'execsim/*', 'trading-signals'],
      logLevel: 'silent',
      charset: 'utf8',
      legalComments: 'none',
    });
  } catch (err) {
    const first = (err as Esbuild.BuildFailure).errors?.[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}:${first.location.column}: ` : '';
    throw new BundleError(`${module} does not compile: ${where}${first?.text ?? (err as Error).message}`);
  }
  const external = [
    ...new Set(
      Object.values(out.metafile.outputs)
        .flatMap((o) => o.imports)
        .filter((i) => i.external)
        .map((i) => i.path),
    ),
  ].sort();
  const code = out.outputFiles[0]?.text ?? '';
  const bundle: Bundle = {
    size: stat.size,
    mtimeMs: stat.mtimeMs,
    code,
    hash: createHash('sha256').update(code).digest('hex').slice(0, 16),
    external,
  };
  bundles.set(path, bundle);
  return bundle;
}

/** The bundle compiled for running in realms (once per bundle and thread). */
export function compiled(bundle: Bundle, path: string): RealmModule {
  return (bundle.compiled ??= new RealmModule(bundle.code, path));
}
