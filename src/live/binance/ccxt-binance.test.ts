import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { ccxtErrors, CcxtProBinance, ccxtLoadedFrom } from './ccxt-binance.ts';

describe("ccxt's Binance modules loaded on their own", () => {
  it('are read from their files, not the index that loads every exchange', () => {
    expect(ccxtLoadedFrom).toBe('modules');
  });

  it('are the very classes the package index exports, so instanceof holds either way', () => {
    expect(CcxtProBinance).toBe(ccxt.pro.binance);
    for (const [name, cls] of Object.entries(ccxtErrors)) expect(cls, name).toBe(ccxt[name as keyof typeof ccxtErrors]);
    expect(new ccxt.RequestTimeout('t')).toBeInstanceOf(ccxtErrors.NetworkError);
  });
});
