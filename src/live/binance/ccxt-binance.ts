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
import { pathToFileURL } from 'node:url';

type ProBinance = typeof ccxt.pro.binance;
type CcxtErrors = Pick<
  typeof ccxt,
  | 'AuthenticationError'
  | 'BadRequest'
  | 'BadResponse'
  | 'BaseError'
  | 'DDoSProtection'
  | 'ExchangeError'
  | 'ExchangeNotAvailable'
  | 'InsufficientFunds'
  | 'InvalidNonce'
  | 'InvalidOrder'
  | 'NetworkError'
  | 'OperationFailed'
  | 'OperationRejected'
  | 'OrderNotFound'
  | 'RateLimitExceeded'
  | 'RequestTimeout'
>;

/** The package's folder: its CommonJS entry is <root>/dist/ccxt.cjs. */
const root = dirname(dirname(createRequire(import.meta.url).resolve('ccxt')));
const binanceFile = join(root, 'js', 'src', 'pro', 'binance.js');
const errorsFile = join(root, 'js', 'src', 'base', 'errors.js');

async function load(): Promise<{ binance: ProBinance; errors: CcxtErrors; from: 'modules' | 'index' }> {
  if (existsSync(binanceFile) && existsSync(errorsFile)) {
    const [b, e] = await Promise.all([
      import(pathToFileURL(binanceFile).href) as Promise<{ default: ProBinance }>,
      import(pathToFileURL(errorsFile).href) as Promise<CcxtErrors>,
    ]);
    return { binance: b.default, errors: e, from: 'modules' };
  }
  const whole = (await import('ccxt')).default;
  return { binance: whole.pro.binance, errors: whole, from: 'index' };
}

const loaded = await load();

/** ccxt.pro.binance: REST and websockets in one class. */
export const CcxtProBinance: ProBinance = loaded.binance;
/** ccxt's exception classes the adapter classifies (binance-failures.ts). */
export const ccxtErrors: CcxtErrors = loaded.errors;
/** Where they came from: Binance's own modules, or the whole index (a ccxt that moved them). */
export const ccxtLoadedFrom: 'modules' | 'index' = loaded.from;
