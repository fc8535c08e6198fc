// The venues `execsim gateway` can imitate: one line per venue folder. Adding one is its folder
// under src/gateway/ and its line here; nothing else names it (docs/0040-live-venue-registry.md).
import { ALPACA_GATEWAY } from './alpaca/alpaca-gateway-entry.ts';
import { BINANCE_GATEWAY } from './binance/binance-gateway-entry.ts';
import type { GatewayEntry } from './gateway-entry.ts';

export const REGISTERED_GATEWAYS: readonly GatewayEntry[] = [ALPACA_GATEWAY, BINANCE_GATEWAY];
