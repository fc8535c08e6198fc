// ccxt's Binance class and its exception classes, loaded without ccxt's index: the index loads
// every exchange ccxt has (about 1 s of CPU per process on a two-core VM). Code running from
// dist/ loads them from a bundle the build made of Binance's modules alone, with a V8 code cache
// beside it (scripts/build.js, docs/0095-packages-bundled-apart.md): about 0.15 s, where loading the
// same modules as ES modules takes about 0.3 s, compiled afresh in every process. The sources
// (tests, tsx) and a dist/ without the bundle load those modules from their files in the package,
// the very modules the index re-exports (the same classes: instanceof holds either way); the
// bundle has classes of its own, which nothing else in an execsim process meets. The package
// exports only its index, so the modules are named by file beside it. If a ccxt release moves
// them, the index is loaded.
import type ccxt from 'ccxt';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { bundledPackage } from '../package-bundle.ts';

type ProBinance = typeof ccxt.pro.binance;
/** The exception classes the adapter classifies. */
const ERROR_NAMES = [
  'AuthenticationError',
  'BadRequest',
  'BadResponse',
  'BaseError',
  'DDoSProtection',
  'ExchangeError',
  'ExchangeNotAvailable',
  'InsufficientFunds',
  'InvalidNonce',
  'InvalidOrder',
  'NetworkError',
  'OperationFailed',
  'OperationRejected',
  'OrderNotFound',
  'RateLimitExceeded',
  'RequestTimeout',
] as const;
type CcxtErrors = Pick<typeof ccxt, (typeof ERROR_NAMES)[number]>;

/** The named classes of a module (a namespace, or the index's default export). */
function errorsOf(from: Record<string, unknown>): CcxtErrors {
  return Object.fromEntries(ERROR_NAMES.map((name) => [name, from[name]])) as unknown as CcxtErrors;
}

/** The package's folder: its CommonJS entry is <root>/dist/ccxt.cjs. */
const load = createRequire(import.meta.url);
const root = dirname(dirname(load.resolve('ccxt')));
const binanceFile = join(root, 'js', 'src', 'pro', 'binance.js');
const errorsFile = join(root, 'js', 'src', 'base', 'errors.js');
const indexFile = join(root, 'js', 'ccxt.js');

/** The file of the bundle of Binance's modules the build made, in code built into dist/ only
 *  (see ../package-bundle.ts). */
declare const __EXECSIM_CCXT_BUNDLE__: string | null | undefined;

// Loaded with require, which takes ES modules without top-level await (Node 20.19 and later):
// synchronously, so the modules that use the classes need no top-level await (which a bundle in
// CommonJS form, as dist/ is, cannot hold). They are the modules `import` gives: one module
// instance per file in the process, whichever way it was loaded.
function loaded(): { binance: ProBinance; errors: CcxtErrors; from: 'bundle' | 'modules' | 'index' } {
  // The bundle leaves ws to ccxt's own copy: its require resolves from ccxt's files.
  const file = typeof __EXECSIM_CCXT_BUNDLE__ === 'undefined' ? null : __EXECSIM_CCXT_BUNDLE__;
  const bundle = bundledPackage(file, binanceFile);
  if (bundle !== null) {
    const errors = bundle.errors as Record<string, unknown>;
    return { binance: bundle.binance as ProBinance, errors: errorsOf(errors), from: 'bundle' };
  }
  if (existsSync(binanceFile) && existsSync(errorsFile)) {
    const b = load(binanceFile) as { default: ProBinance };
    return { binance: b.default, errors: errorsOf(load(errorsFile) as Record<string, unknown>), from: 'modules' };
  }
  const whole = (load(indexFile) as { default: typeof ccxt }).default;
  return { binance: whole.pro.binance, errors: errorsOf(whole as unknown as Record<string, unknown>), from: 'index' };
}

const modules = loaded();

/** ccxt.pro.binance: REST and websockets in one class. */
export const CcxtProBinance: ProBinance = modules.binance;
/** ccxt's exception classes the adapter classifies (binance-failures.ts). */
export const ccxtErrors: CcxtErrors = modules.errors;
/** Where they came from: the build's bundle of Binance's modules (code running from dist/),
 *  those modules in the package, or the whole index (a ccxt that moved them). */
export const ccxtLoadedFrom: 'bundle' | 'modules' | 'index' = modules.from;
