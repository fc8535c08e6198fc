// What a trading node is built from: the venue's rules and hours, the instrument, and every
// component's parsed configuration (routing, retries, fill detection, breaker, dedup, pre-trade
// limits, reconciliation, market sampling). Built and validated by whoever hosts the node (a
// scenario file maps into it in src/scenario/node-config-of.ts); the node never sees a file.
import type { RoutingPolicy } from '../core/engine/engine-types.ts';
import type { RetryPolicy } from '../core/engine/order-retry.ts';
import type { FillConfig } from '../core/fills/fill-config.ts';
import type { Instrument } from '../core/model/instrument.ts';
import type { InstrumentSet } from '../core/model/instrument-set.ts';
import type { QuoteFallbackConfig } from '../core/market/quote-fallback-config.ts';
import type { ReconConfig } from '../core/recon/recon-config.ts';
import type { BreakerConfig } from '../core/risk/breaker-config.ts';
import type { PreTradeConfig } from '../core/safety/pre-trade.ts';
import type { DedupConfig } from '../core/safety/signal-dedup.ts';
import type { TradingHours, VenueRules } from '../core/venues/index.ts';

export interface NodeConfig {
  /** The name its RunStarted event states (the scenario's or the session's). */
  readonly name: string;
  readonly venue: VenueRules;
  /** When the venue trades (its rules' calendar, or always for a gateway that never closes). */
  readonly hours: TradingHours;
  /** The run's symbol's instrument (the first of `instruments`). */
  readonly instrument: Instrument;
  /** Every instrument the node trades on the one venue account (the run's symbol first);
   *  absent: `instrument` alone. */
  readonly instruments?: InstrumentSet;
  readonly routing: RoutingPolicy;
  readonly retry: RetryPolicy;
  /** Fill detection, or null when it is off: its config and the quote price of fee assets. */
  readonly fills: { readonly config: FillConfig; readonly priceOf: (asset: string) => number | null } | null;
  /** Automatic circuit-breaker conditions, or null for manual trips only. */
  readonly breaker: BreakerConfig | null;
  readonly dedup: DedupConfig;
  readonly preTrade: PreTradeConfig;
  /** How old the venue's position and open orders may be for a reduce-only check (ms). */
  readonly exposureMaxAgeMs: number;
  readonly recon: ReconConfig;
  /** Market samples every this many ms on a grid from the run's start, or off. */
  readonly sampleMs: number | 'off';
  /** The ring of recent quotes consumers read while the venue's market data fails; absent: the
   *  defaults (quote-fallback-config.ts). */
  readonly quoteFallback?: QuoteFallbackConfig;
}
