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
import type { LiquidityPolicy } from '../core/engine/liquidity-book.ts';
import type { AlgorithmResolver } from '../core/algo/intent-algorithm.ts';

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
  /** TWAP slices capped at a share of average daily volume, or null (no cap, nothing logged);
   *  absent: null. */
  readonly liquidity?: LiquidityConfig | null;
  /** Finds the user's algorithm modules parents name (loaded by the host); absent: built-in
   *  algorithms only. */
  readonly algorithms?: AlgorithmResolver;
}

/** The liquidity cap of a node: how volume becomes a cap, and where the volume comes from. */
export interface LiquidityConfig {
  readonly policy: LiquidityPolicy;
  /** Complete days a venue's daily bars are averaged over. */
  readonly advDays: number;
  /** 'scenario': `stated` is logged as each symbol's ADV when the first process starts (a symbol
   *  without one is logged as capped off); 'venue': the host reads the venue's daily bars. */
  readonly source: 'scenario' | 'venue';
  /** Lots a day by symbol (source 'scenario'). */
  readonly stated: ReadonlyMap<string, number>;
  /** The symbols the node trades (the run's first). */
  readonly symbols: readonly string[];
  /** A venue's reading is read again once it is this old (ms). */
  readonly refreshMs: number;
}
