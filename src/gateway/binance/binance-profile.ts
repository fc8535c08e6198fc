// Binance spot as the gateway imitates it: its spot rules (filters, client ids unique among open
// orders, LIMIT_MAKER, its error codes), and, for a scenario without an account, what Binance's
// spot test network credits a new account with: 10,000 USDT and 1 BTC (quote and base of the
// scenario's symbol). No paper fill profile of its own: Binance's paper venues (Demo Mode, the
// test network) match on their own books, which is what the simulated book does.
import { BINANCE_SPOT } from '../../core/venues/binance-spot.ts';
import type { GatewayProfile } from '../gateway-profile.ts';

export const BINANCE_PROFILE: GatewayProfile = {
  label: 'Binance',
  venue: 'binance-spot',
  rules: BINANCE_SPOT,
  defaultAccount: { quote: '10000', base: '1' },
  touchFills: {},
};
