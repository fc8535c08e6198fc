// ccxt's Binance class and its exception classes, loaded from their own modules inside the ccxt
// package rather than from its index: the index loads every exchange ccxt has (about 1.5 s of CPU
// per process on a two-core VM), the two modules only what Binance needs (about 0.5 s), and a
// Binance paper run or session starts that much sooner. The package exports only its index, so
// the modules are named by file beside it; they are the very modules the index re-exports (the
// same classes: instanceof holds either way). If a ccxt release moves them, the index is loaded.
import type ccxt from 'ccxt';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

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

// Loaded with require, which takes ES modules without top-level await (Node 20.19 and later):
// synchronously, so the modules that use the classes need no top-level await (which a bundle in
// CommonJS form, as dist/ is, cannot hold). They are the modules `import` gives: one module
// instance per file in the process, whichever way it was loaded.
function loaded(): { binance: ProBinance; errors: CcxtErrors; from: 'modules' | 'index' } {
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
/** Where they came from: Binance's own modules, or the whole index (a ccxt that moved them). */
export const ccxtLoadedFrom: 'modules' | 'index' = modules.from;
