// The instrument against Binance's filters, read from real ccxt markets (ccxt's parseMarket on an
// exchangeInfo answer): agreement, each disagreement named in one message, an unlisted symbol.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeInstrument } from '../../core/model/instrument.ts';
import { EXCHANGE_INFO, exchangeWithMarkets } from '../../../test/support/binance-markets.ts';
import { instrumentRefusal, marketOf, sameDecimal } from './binance-filters.ts';

const BTCUSDT = { symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' };
const markets = exchangeWithMarkets().markets;
const refusal = (spec: typeof BTCUSDT) =>
  instrumentRefusal(marketOf(markets, spec.symbol), makeInstrument(spec), 'Binance');

describe("the instrument against Binance's filters", () => {
  it('agrees when tick, lot and minimum notional are the venue’s, however the decimals are written', () => {
    expect(refusal(BTCUSDT)).toBeNull();
    expect(refusal({ ...BTCUSDT, tickSize: '0.010', minNotional: '5.0' })).toBeNull();
  });

  it('names every disagreement in one message, with the scenario field and the venue filter', () => {
    expect(refusal({ ...BTCUSDT, tickSize: '0.1', lotSize: '0.001', minNotional: '10' })).toBe(
      "the scenario's instrument disagrees with Binance's filters for BTCUSDT: " +
        "instrument.tickSize is 0.1 but Binance's PRICE_FILTER tickSize is 0.01; " +
        "instrument.lotSize is 0.001 but Binance's LOT_SIZE stepSize is 0.00001; " +
        "instrument.minNotional is 10 but Binance's NOTIONAL minNotional is 5; nothing was sent",
    );
    expect(refusal({ ...BTCUSDT, minNotional: '0' })).toMatch(/instrument\.minNotional is 0 but .* is 5;/);
  });

  it('names a further instrument by its place in the file (otherInstruments[i])', () => {
    const eth = makeInstrument({ ...BTCUSDT, symbol: 'ETHBTC', tickSize: '0.01' });
    expect(instrumentRefusal(marketOf(markets, 'ETHBTC'), eth, 'Binance', 'otherInstruments[0]')).toMatch(
      /^the scenario's otherInstruments\[0\] \(ETHBTC\) disagrees with Binance's filters for ETHBTC: otherInstruments\[0\]\.tickSize is 0\.01 but Binance's PRICE_FILTER tickSize is 0\.000001;/,
    );
    expect(instrumentRefusal(undefined, eth, 'Binance', 'otherInstruments[1]')).toBe(
      'otherInstruments[1].symbol: Binance does not list ETHBTC as a spot symbol; nothing was sent',
    );
  });

  it('refuses a symbol the venue does not list', () => {
    expect(refusal({ ...BTCUSDT, symbol: 'DOGEUSDT' })).toBe(
      'instrument.symbol: Binance does not list DOGEUSDT as a spot symbol; nothing was sent',
    );
  });

  it('reads the older MIN_NOTIONAL filter, and no notional filter as no minimum', () => {
    const symbols = EXCHANGE_INFO.symbols.map((s) =>
      s['symbol'] !== 'BTCUSDT'
        ? s
        : {
            ...s,
            filters: (s['filters'] as Array<Record<string, unknown>>).map((f) =>
              f['filterType'] === 'NOTIONAL' ? { filterType: 'MIN_NOTIONAL', minNotional: '10.00000000' } : f,
            ),
          },
    );
    const old = exchangeWithMarkets({ symbols }).markets;
    expect(
      instrumentRefusal(marketOf(old, 'BTCUSDT'), makeInstrument({ ...BTCUSDT, minNotional: '10' }), 'Binance'),
    ).toBeNull();
    const none = exchangeWithMarkets({
      symbols: symbols.map((s) => ({
        ...s,
        filters: (s['filters'] as Array<Record<string, unknown>>).filter((f) => f['filterType'] !== 'MIN_NOTIONAL'),
      })),
    }).markets;
    expect(
      instrumentRefusal(marketOf(none, 'BTCUSDT'), makeInstrument({ ...BTCUSDT, minNotional: '0' }), 'Binance'),
    ).toBeNull();
  });

  it('compares decimals by value: trailing zeros never matter, any other digit does', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.nat(8), fc.nat(6), (m, scale, pad) => {
        const text = (
          m
            .toString()
            .padStart(scale + 1, '0')
            .replace(new RegExp(`(\\d{${scale}})$`), '.$1') + '0'.repeat(pad)
        ).replace(/\.$/, '');
        const plain = scale === 0 ? m.toString() : text;
        expect(sameDecimal(plain, text)).toBe(true);
        expect(sameDecimal(plain, `${plain}${plain.includes('.') ? '' : '.'}1`)).toBe(false);
      }),
    );
  });
});
