// Fill detection in a backtest: the scenario's fillDetection block to the engine's FillConfig and
// price source, and the audit at the end of a run that compares what monitoring reported with
// the simulated venue's own records (the venue truth a live run never has).
import { isDeeplyFrozen } from '../core/config/parse-config.ts';
import { parseFillConfig, type FillConfig } from '../core/fills/fill-config.ts';
import type { LogEntry } from '../core/model/events.ts';
import type { FillAudit } from '../core/model/fill-events.ts';
import type { ClientOrderId } from '../core/model/ids.ts';
import { isTerminal } from '../core/model/order-status.ts';
import type { OrderLedger } from '../core/order/order-ledger.ts';
import type { ScenarioFile } from '../scenario/schema.ts';
import { isOpenStatus } from '../sim/venue/exchange-order.ts';
import type { SimVenue } from '../sim/venue/sim-venue.ts';

export interface FillWiring {
  readonly config: FillConfig;
  readonly priceOf: (asset: string) => number | null;
}

/** The run's fill detection, or null when the scenario turns it off. */
export function fillWiring(s: ScenarioFile): FillWiring | null {
  const { enabled, assetPrices, ...fields } = s.fillDetection;
  if (!enabled) return null;
  const prices = new Map(Object.entries(assetPrices).map(([asset, price]) => [asset, Number(price)]));
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

/** Collects monitoring results from the log as it is written (a sink). */
export class FillResults {
  /** Last reported filled lots per monitored order. */
  readonly reported = new Map<ClientOrderId, number>();

  /** A crash lost everything after `durable`: the results are rebuilt from it. */
  rollback(durable: readonly LogEntry[]): void {
    this.reported.clear();
    for (const e of durable) this.write(e);
  }

  write(entry: LogEntry): void {
    const e = entry.event;
    if (e.kind === 'FillMonitorStarted' && !this.reported.has(e.clientOrderId)) this.reported.set(e.clientOrderId, 0);
    // What monitoring has told so far: partial detections count for orders still watched at the end.
    else if (e.kind === 'FillMonitorEnded' || e.kind === 'PartialFillDetected' || e.kind === 'FillVerified')
      this.reported.set(e.clientOrderId, e.filledQty);
  }

  /** Venue truth against the results and the ledger, as one FillAudit event. */
  audit(ledger: OrderLedger, venue: SimVenue): FillAudit {
    let venueFilled = 0;
    let detected = 0;
    let falsePositives = 0;
    let ledgerMismatches = 0;
    for (const [id, reported] of this.reported) {
      const truth = venue.exchange.order(id)?.filled ?? 0;
      if (truth > 0) {
        venueFilled++;
        if (reported === truth) detected++;
      }
      if (reported > truth) falsePositives++;
    }
    let openAtVenue = 0;
    let hiddenOpen = 0;
    for (const [id, order] of ledger.orders) {
      const atVenue = venue.exchange.order(id);
      if ((atVenue?.filled ?? 0) !== order.filledQty) ledgerMismatches++;
      if (atVenue && isOpenStatus(atVenue.status)) {
        openAtVenue++;
        if (isTerminal(order.status)) hiddenOpen++;
      }
    }
    return {
      kind: 'FillAudit',
      venueFilled,
      detected,
      falsePositives,
      ledgerMismatches,
      expectedPosition: ledger.accountPosition,
      venuePosition: venue.exchange.position,
      openAtVenue,
      hiddenOpen,
    };
  }
}
