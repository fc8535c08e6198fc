// The third venue's rules on a static ETHUSD book: the parameters the broker contract cases run
// with there. One unit is 0.1 ETH, so that an order of one unit clears the 10 USD minimum.
import type { ContractVenue } from '../../support/broker-contract/contract-venue.ts';
import { THIRD_SPOT } from './third-spot-rules.ts';

export const ETHUSD_BOOK: ContractVenue = {
  rules: THIRD_SPOT,
  fixture: 'test/contract/third-spot/ethusd-static-book.yaml',
  symbol: 'ETHUSD',
  unit: 100, // 0.1 ETH in lots of 0.001
  prices: {
    bid: 299_900,
    ask: 300_000,
    ask2: 300_100,
    betweenAsks: 300_050,
    inside: 299_950,
    belowInside: 299_940,
    rest: [299_000, 298_500, 298_000],
    far: 290_000,
  },
};
