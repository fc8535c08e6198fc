// Binance spot's rules on a static BTCUSDT book: the parameters the broker contract cases run
// with there. One unit is 0.01 BTC, so that an order of one unit clears the 5 USDT minimum.
import { BINANCE_SPOT } from '../../../src/core/venues/binance-spot.ts';
import type { ContractVenue } from '../../support/broker-contract/contract-venue.ts';

export const BTCUSDT_BOOK: ContractVenue = {
  rules: BINANCE_SPOT,
  fixture: 'test/contract/binance/btcusdt-static-book.yaml',
  symbol: 'BTCUSDT',
  unit: 1_000, // 0.01 BTC in lots of 0.00001
  prices: {
    bid: 6_499_900,
    ask: 6_500_000,
    ask2: 6_500_100,
    betweenAsks: 6_500_050,
    inside: 6_499_950,
    belowInside: 6_499_940,
    rest: [6_499_000, 6_498_500, 6_498_000],
    far: 6_400_000,
  },
};
