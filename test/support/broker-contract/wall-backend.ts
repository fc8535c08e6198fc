// What the backends of a live adapter over a local gateway share (the Alpaca and Binance
// backends): waits on the wall clock that poll a condition, bounded; the settle probe, a resting
// order far below the market whose stream event shows every earlier one arrived; another run's
// adapter on the same account; someone else's trade on the gateway's simulated venue.
import { clientOrderId, parentOrderId, symbol } from '../../../src/core/model/ids.ts';
import type { VenueMessage } from '../../../src/core/model/reports.ts';
import type { Broker } from '../../../src/core/ports/broker.ts';
import type { GatewayVenue } from '../../../src/gateway/gateway-venue.ts';
import { MAX_WAIT_MS, type Backend } from './backend.ts';
import type { ContractVenue } from './contract-venue.ts';

/** Backend.until on the wall clock, naming the backend in its timeout. */
export function wallUntil(name: string): Backend['until'] {
  return async <T>(check: () => T | undefined | false | null, what: string, timeoutMs = MAX_WAIT_MS) => {
    const deadline = Date.now() + Math.min(timeoutMs, MAX_WAIT_MS);
    for (;;) {
      const v = check();
      if (v !== undefined && v !== false && v !== null) return v;
      if (Date.now() >= deadline) throw new Error(`${name}: ${what}: not within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
}

/**
 * Backend.settle for a venue whose execution stream keeps its order: once a probe order's first
 * stream event (an OrderStatusReport from the stream) is here, so is every event published before
 * it. The probe rests far below the market and is cancelled again, so it never fills.
 */
export function probeSettle(
  broker: Broker,
  reports: readonly VenueMessage[],
  until: Backend['until'],
  venue: ContractVenue,
): () => Promise<void> {
  let probes = 0;
  return async () => {
    const cid = clientOrderId(`settle-probe-${++probes}`);
    broker.submit({
      clientOrderId: cid,
      parentId: parentOrderId('probe'),
      sliceNum: 1,
      totalSlices: 1,
      scheduledTime: 0,
      symbol: symbol(venue.symbol),
      side: 'buy',
      type: 'limit',
      tif: 'GTC',
      qty: venue.unit,
      limitPrice: venue.prices.far,
    });
    await until(
      () => reports.some((r) => r.kind === 'OrderStatusReport' && r.clientOrderId === cid && r.source === 'stream'),
      'the settle probe appears on the stream',
    );
    broker.cancel(cid, null);
    await until(
      () => reports.some((r) => r.kind === 'CancelReport' && r.clientOrderId === cid),
      'the settle probe is cancelled',
    );
  };
}

/** Backend.anotherRun: a second run's adapter on the same account, REST only. */
export function anotherRunOf(open: () => Broker): NonNullable<Backend['anotherRun']> {
  return async () => {
    const other = open();
    const reports: VenueMessage[] = [];
    other.setReportHandler((m) => void reports.push(m));
    return { broker: other, reports };
  };
}

/** Backend.marketTrade on a gateway's simulated venue: the tape and the matching engine. */
export function gatewayTrade(gv: GatewayVenue): Backend['marketTrade'] {
  return (price, qty, aggressor) => {
    gv.venue.marketTrade(price, qty);
    gv.exchange.marketTrade(price, qty, aggressor);
  };
}
