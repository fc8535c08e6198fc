// A scenario file mapped into a trading node's config: the venue's rules and hours, routing and
// retries, fill detection, the breaker, dedup and pre-trade limits, reconciliation, market
// sampling and the quote fallback, each parsed by its component's own schema. One NodeConfig per run: every process of
// a backtest (restarts) and a paper run's node are built from it.
import { isDeeplyFrozen } from '../core/config/parse-config.ts';
import { DEFAULT_RETRY } from '../core/engine/order-retry.ts';
import { parseFillConfig, type FillConfig } from '../core/fills/fill-config.ts';
import { quoteToUnits, type Instrument } from '../core/model/instrument.ts';
import { parseDurationMs } from '../core/model/time-fields.ts';
import { parseReconConfig } from '../core/recon/recon-config.ts';
import { parseQuoteFallbackConfig } from '../core/market/quote-fallback-config.ts';
import { parseBreakerConfig } from '../core/risk/breaker-config.ts';
import { parsePreTradeConfig } from '../core/safety/pre-trade.ts';
import { parseDedupConfig } from '../core/safety/signal-dedup.ts';
import { venueRules, type TradingHours } from '../core/venues/index.ts';
import type { NodeConfig } from '../node/node-config.ts';
import { commissionPricesOf } from './commission-prices.ts';
import { breakerInput } from './component-schema.ts';
import { instrumentFor, scenarioInstruments, toTwapParams } from './scenario-requests.ts';
import type { ScenarioFile } from './scenario-fields.ts';
import { liquidityConfigOf } from './liquidity-schema.ts';

/** `hours`: when the venue trades, if not by its rules' calendar (a gateway that never closes). */
export function nodeConfigOf(s: ScenarioFile, instrument: Instrument, hours?: TradingHours): NodeConfig {
  const venue = venueRules(s.venue.name);
  return {
    name: s.name,
    venue,
    hours: hours ?? venue.hours,
    instrument,
    ...(s.otherInstruments.length > 0 ? { instruments: scenarioInstruments(s, instrument) } : {}),
    routing: {
      twapThresholdUnits: quoteToUnits(instrument, s.routing.twapThreshold),
      defaultTwap: toTwapParams(s.routing.defaultTwap, instrument),
    },
    retry: { ...DEFAULT_RETRY, maxAttempts: s.retry.maxAttempts, backoffMs: s.retry.backoff.map(parseDurationMs) },
    fills: fillsOf(s),
    breaker: s.safety.breaker === undefined ? null : parseBreakerConfig(breakerInput(s.safety.breaker, instrument)),
    dedup: parseDedupConfig(s.safety.dedup ?? {}),
    preTrade: parsePreTradeConfig(s.safety.preTrade ?? {}),
    exposureMaxAgeMs: s.safety.exposureMaxAgeMs,
    recon: parseReconConfig(s.reconciliation ?? {}),
    sampleMs: s.report.sampleMs,
    liquidity: liquidityConfigOf(s.liquidity, s.mode, [
      instrument,
      ...s.otherInstruments.map((o) => instrumentFor(s, instrument, o.symbol)),
    ]),
    ...(s.safety.quoteFallback !== undefined
      ? { quoteFallback: parseQuoteFallbackConfig(s.safety.quoteFallback) }
      : {}),
  };
}

/** The run's fill detection, or null when the scenario turns it off. */
function fillsOf(s: ScenarioFile): NodeConfig['fills'] {
  const { enabled, assetPrices: _older, ...fields } = s.fillDetection;
  if (!enabled) return null;
  const prices = new Map([...commissionPricesOf(s)].map(([asset, price]) => [asset, Number(price)]));
  return { config: fillConfigOf(s.fillDetection, fields), priceOf: (asset) => prices.get(asset) ?? null };
}

/** Fill configs parsed from a loaded (frozen, so unchanging) scenario's block: every path of a
 *  sweep wires fill detection from the same block. */
const FILL_CONFIGS = new WeakMap<object, FillConfig>();

function fillConfigOf(block: ScenarioFile['fillDetection'], fields: object): FillConfig {
  if (!isDeeplyFrozen(block)) return parseFillConfig(fields);
  let config = FILL_CONFIGS.get(block);
  if (config === undefined) FILL_CONFIGS.set(block, (config = parseFillConfig(fields)));
  return config;
}
