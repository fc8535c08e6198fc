// The order manager of a run (backtest or paper): the scenario's safety block to the deduplicator, the
// pre-trade limits and the reduce-only data age; scenario signals to the manager's requests.
import { OrderManager, type SignalRequest } from '../core/engine/order-manager.ts';
import type { ExecutionEngine } from '../core/engine/execution-engine.ts';
import { priceToTicks, qtyToLots, type Instrument } from '../core/model/instrument.ts';
import type { OrderLedger } from '../core/order/order-ledger.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { Broker, MarketDataPort } from '../core/ports/broker.ts';
import type { LogEntry } from '../core/model/events.ts';
import { parsePreTradeConfig } from '../core/safety/pre-trade.ts';
import { parseDedupConfig, SignalDeduplicator } from '../core/safety/signal-dedup.ts';
import { venueRules } from '../core/venues/index.ts';
import type { ScenarioFile } from '../scenario/schema.ts';

/** `gate`: startup gating (not ready), `prior`: the durable log of a restarted process (the
 *  dedup memory is rebuilt from its records). */
export function buildOrderManager(
  s: ScenarioFile,
  engine: ExecutionEngine,
  ledger: OrderLedger,
  marketData: MarketDataPort,
  clock: Clock,
  instrument: Instrument,
  gate: () => string | null,
  prior: readonly LogEntry[],
  broker: Broker,
): OrderManager {
  const dedup = new SignalDeduplicator(clock, (r) => engine.record(r), parseDedupConfig(s.safety.dedup ?? {}));
  dedup.restore(
    prior.flatMap((e) => (e.event.kind === 'SignalRegistered' || e.event.kind === 'SignalExecuted' ? [e.event] : [])),
  );
  const manager = new OrderManager({
    clock,
    engine,
    ledger,
    broker,
    marketData,
    instrument,
    venue: venueRules(s.venue.name),
    dedup,
    gate,
    preTrade: parsePreTradeConfig(s.safety.preTrade ?? {}),
    exposureMaxAgeMs: s.safety.exposureMaxAgeMs,
    record: (e) => engine.record(e),
  });
  engine.observers.push((m) => manager.onMessage(m));
  return manager;
}

export function toSignalRequest(sig: ScenarioFile['signals'][number], instrument: Instrument): SignalRequest {
  return {
    signalId: sig.id,
    side: sig.side,
    qty: qtyToLots(instrument, sig.qty),
    price: sig.price === undefined ? null : priceToTicks(instrument, sig.price),
    route: sig.route,
    reduceOnly: sig.reduceOnly,
    confirmations: sig.confirm,
    confirmedBy: sig.confirmedBy ?? null,
  };
}
