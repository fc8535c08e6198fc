// The scenario's prices of commission assets (commission-prices.ts): commissionPrices, and
// fillDetection.assetPrices, its older spelling, read together; a price the two give differently
// is one problem naming both fields; fill detection reads them whether or not the other is used;
// and a file that gives neither hashes as it did before the field existed.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeInstrument } from '../core/model/instrument.ts';
import { commissionPricesOf } from './commission-prices.ts';
import { parseScenarioFile } from './load-scenario.ts';
import { nodeConfigOf } from './node-config-of.ts';

const TWAP = 'test/fixtures/paper/paper-binance-twap.yaml';
const text = readFileSync(TWAP, 'utf8');
const load = (extra: string) => parseScenarioFile(`${text}\n${extra}\n`, TWAP).scenario;
const priceOf = (extra: string) => {
  const s = load(extra);
  return nodeConfigOf(s, makeInstrument(s.instrument)).fills?.priceOf;
};

describe('commission prices', () => {
  it('reads commissionPrices and the older fillDetection.assetPrices alike, the new one first', () => {
    expect([...commissionPricesOf(load('commissionPrices: { BNB: "600.5" }'))]).toEqual([['BNB', '600.5']]);
    expect([...commissionPricesOf(load('fillDetection: { assetPrices: { BNB: "600.5" } }'))]).toEqual([
      ['BNB', '600.5'],
    ]);
    const both = load(
      'commissionPrices: { BNB: "600.50" }\nfillDetection: { assetPrices: { BNB: "600.5", ETH: "3000" } }',
    );
    expect(Object.fromEntries(commissionPricesOf(both))).toEqual({ BNB: '600.50', ETH: '3000' });
    expect(priceOf('commissionPrices: { BNB: "600.5" }')?.('BNB')).toBe(600.5);
    expect(priceOf('fillDetection: { assetPrices: { BNB: "42" } }')?.('BNB')).toBe(42);
    expect(priceOf('commissionPrices: { BNB: "600.5" }')?.('ETH')).toBeNull();
    expect(commissionPricesOf(load('')).size).toBe(0);
  });

  it('refuses a price the two spellings give differently, naming both, and a bad price or asset code', () => {
    expect(() => load('commissionPrices: { BNB: "600" }\nfillDetection: { assetPrices: { BNB: "601" } }')).toThrow(
      /commissionPrices\.BNB: is 600 but fillDetection\.assetPrices\.BNB \(its older spelling\) is 601/,
    );
    expect(() => load('commissionPrices: { BNB: "-1" }')).toThrow(/commissionPrices\.BNB/);
    expect(() => load('commissionPrices: { bnb: "600" }')).toThrow(
      /commissionPrices\.bnb: key "bnb": must be an upper-case asset code like BNB/,
    );
  });

  it("refuses a commission asset without its price when any symbol's trades cannot price it", () => {
    const file = 'scenarios/gateway/btc-eth.yaml';
    const twoSymbols = readFileSync(file, 'utf8');
    const withFees = (fees: string) =>
      parseScenarioFile(twoSymbols.replace(/^ {2}fees: .*$/m, `  fees: ${fees}`), file).scenario;
    // BTC is BTCUSDT's base (its trade prices it) but neither ETHUSDT's base nor its quote.
    expect(() => withFees('{ makerBps: 10, takerBps: 10, commissionAsset: BTC }')).toThrow(
      /venue\.fees\.commissionAssetPrice: is required for commissions in BTC \(neither ETH nor USDT of ETHUSDT\)/,
    );
    expect(withFees('{ makerBps: 10, takerBps: 10, commissionAsset: USDT }').venue.fees.commissionAsset).toBe('USDT');
    const priced = withFees('{ makerBps: 10, takerBps: 10, commissionAsset: BTC, commissionAssetPrice: "61000" }');
    expect(priced.venue.fees.commissionAssetPrice).toBe('61000');
  });

  it('a file without the field hashes as before: nothing is added to it', () => {
    expect(load('').commissionPrices).toBeUndefined();
    expect(parseScenarioFile(text, TWAP).canonical).not.toContain('commissionPrices');
  });
});
