// Many requests in flight at once through the Alpaca adapter (a resume's startup looks every
// unconfirmed slice up together) against the local gateway: the SDK adds an abort listener per
// request to the signal it is given, and with the adapter's one stop signal given to all of them
// Node warned of a listener leak past ten. Each request now has a signal of its own: no warning,
// and every lookup answered (that stop() aborts them: src/live/request-signals.test.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { AlpacaAdapter } from '../../src/live/alpaca/alpaca-adapter.ts';
import { WallClock } from '../../src/live/wall-clock.ts';
import { clientOrderId } from '../../src/core/model/ids.ts';
import { makeInstrument } from '../../src/core/model/instrument.ts';
import type { VenueMessage } from '../../src/core/model/reports.ts';
import { gateway, KEY, onCleanup, SECRET, waitFor } from '../support/gateway-harness.ts';

const AAPL = makeInstrument({ symbol: 'AAPL', tickSize: '0.01', lotSize: '1', minNotional: '1' });
const LOOKUPS = 40;

const warnings: Error[] = [];
const onWarning = (w: Error): void => void warnings.push(w);
afterEach(() => {
  process.off('warning', onWarning);
});

async function adapterOnGateway(): Promise<{ adapter: AlpacaAdapter; reports: VenueMessage[] }> {
  const gw = await gateway();
  const adapter = new AlpacaAdapter({
    instrument: AAPL,
    keyId: KEY,
    secret: SECRET,
    baseUrl: gw.url,
    clock: new WallClock(),
    requestTimeoutMs: 3000,
    marketData: { stream: false },
  });
  const reports: VenueMessage[] = [];
  adapter.setReportHandler((r) => void reports.push(r));
  onCleanup(() => adapter.stop());
  return { adapter, reports };
}

describe('requests in flight together through the Alpaca adapter', () => {
  it(`${LOOKUPS} lookups at once: each answered, and no listener-leak warning`, async () => {
    const { adapter, reports } = await adapterOnGateway();
    warnings.length = 0;
    process.on('warning', onWarning);
    for (let i = 0; i < LOOKUPS; i++) adapter.queryOrder(clientOrderId(`missing-${i}`));
    await waitFor(() => reports.filter((r) => r.kind === 'OrderNotFoundReport').length === LOOKUPS, 10_000);
    // Warnings are emitted on the next tick after the listener that crossed the limit.
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message)).toEqual([]);
  });
});
