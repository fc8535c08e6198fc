// Alpaca as the gateway imitates it: its equities rules, the 100,000 in cash and no shares its
// paper accounts start with, and the 'alpaca-paper' fill profile, what Alpaca documents for its
// paper venue: any size at the touch, 10% of eligible fills partial, what is left looked at again
// 50 ms later.
import { ALPACA_EQUITIES } from '../../core/venues/alpaca-equities.ts';
import type { GatewayProfile } from '../gateway-profile.ts';

export const ALPACA_PROFILE: GatewayProfile = {
  label: 'Alpaca',
  venue: 'alpaca-equities',
  rules: ALPACA_EQUITIES,
  defaultAccount: { quote: '100000', base: '0' },
  touchFills: { 'alpaca-paper': { partialShare: 0.1, partialRetryMs: 50 } },
};
