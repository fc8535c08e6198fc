// Alpaca's rules on a static AAPL book: the parameters the broker contract cases run with there.
import { ALPACA_EQUITIES } from '../../../src/core/venues/alpaca-equities.ts';
import type { ContractVenue } from '../../support/broker-contract/contract-venue.ts';

export const AAPL_BOOK: ContractVenue = {
  rules: ALPACA_EQUITIES,
  fixture: 'test/contract/alpaca/aapl-static-book.yaml',
  symbol: 'AAPL',
  unit: 1, // a share
  prices: {
    bid: 18740,
    ask: 18750,
    ask2: 18760,
    betweenAsks: 18755,
    inside: 18745,
    belowInside: 18744,
    rest: [18700, 18650, 18600],
    far: 18000,
  },
};
