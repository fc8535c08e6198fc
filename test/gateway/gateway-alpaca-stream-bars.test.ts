// The minute bars of Alpaca's market-data stream (src/gateway/alpaca/stream-bars.ts and the
// stream's `b` messages): on virtual time, the venue of scenarios/gateway/aapl-msft.yaml makes one
// bar per symbol that printed in a minute, when that minute ends, and none for a minute without
// a print; over a real socket, the SDK receives the bars of the symbols it subscribed to and no
// other's. No sleeps: virtual time is advanced, socket waits are bounded.
import { describe, expect, it } from 'vitest';
import type { streaming as sdkStreaming } from '@alpacahq/alpaca-trade-api';
import { VirtualClock } from '../../src/core/clock/virtual-clock.ts';
import type { Symbol } from '../../src/core/model/ids.ts';
import { ALPACA_PROFILE } from '../../src/gateway/alpaca/alpaca-profile.ts';
import { everyMinuteBar, type TapeMinute } from '../../src/gateway/alpaca/stream-bars.ts';
import { GatewayOrders } from '../../src/gateway/gateway-orders.ts';
import { GatewayVenue } from '../../src/gateway/gateway-venue.ts';
import { MarketFeed } from '../../src/gateway/market-feed.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { gatewayClient } from '../fixtures/gateway/alpaca-client.ts';
import { gateway, KEY, onCleanup, SECRET, waitFor } from '../support/gateway-harness.ts';
import { TestVenueClock } from '../support/test-venue-clock.ts';

const TWO = 'scenarios/gateway/aapl-msft.yaml';
const MINUTE = 60_000;

describe('minute bars of the market-data stream', () => {
  it('one bar per symbol that printed in a minute, sent when the minute ends; none for a quiet minute', async () => {
    const t0 = Date.UTC(2024, 7, 9, 14, 0, 10); // ten seconds into a minute
    const clock = new VirtualClock(t0);
    const gv = new GatewayVenue(loadScenarioFile(TWO), { profile: ALPACA_PROFILE, clock: new TestVenueClock(clock) });
    const feeds = gv.symbols().map((s) => new MarketFeed(gv, s));
    const bars: Array<[string, TapeMinute, number]> = [];
    const orders = new GatewayOrders(gv, () => {});
    gv.start();
    everyMinuteBar(gv.clock, 0, feeds, (symbol, bar) => bars.push([symbol, bar, clock.now()]));
    const placed = Promise.all([
      orders.place(
        { side: 'buy', type: 'market', tif: 'DAY', qty: 30, limitPrice: null, stopPrice: null },
        'a',
        (r) => r,
      ),
      orders.place(
        {
          symbol: 'MSFT' as Symbol,
          side: 'buy',
          type: 'market',
          tif: 'DAY',
          qty: 60,
          limitPrice: null,
          stopPrice: null,
        },
        'm',
        (r) => r,
      ),
    ]);
    clock.advanceBy(1_000);
    await placed;
    clock.advanceTo(t0 + MINUTE - 10_001); // just before the minute ends
    expect(bars).toEqual([]);
    clock.advanceTo(t0 + 2 * MINUTE); // that minute and a quiet one
    const start = t0 - 10_000;
    expect(bars).toEqual([
      [
        'AAPL',
        {
          start,
          open: 18_750,
          high: 18_760,
          low: 18_750,
          close: 18_760,
          lots: 30,
          notional: 10 * 18_750 + 20 * 18_760,
          trades: 2,
        },
        start + MINUTE,
      ],
      [
        'MSFT',
        {
          start,
          open: 41_520,
          high: 41_540,
          low: 41_520,
          close: 41_540,
          lots: 60,
          notional: 50 * 41_520 + 10 * 41_540,
          trades: 2,
        },
        start + MINUTE,
      ],
    ]);
  });

  it("reach an SDK client subscribed to that symbol's bars, and no other client", async () => {
    const gw = await gateway(TWO);
    const { alpaca } = gatewayClient(gw.url, KEY, SECRET);
    const data = alpaca.marketData.stockStream({ feed: 'iex', url: gw.dataStreamUrl, reconnect: false });
    onCleanup(() => data.disconnect());
    const got: sdkStreaming.StreamBar[] = [];
    data.onBar((b) => got.push(b));
    // The server's own subscription answer (the SDK's getSubscriptions() changes when it sends).
    const answered: Array<Record<string, string[]>> = [];
    data.on('subscription', (s: Record<string, string[]>) => answered.push(s));
    data.connect();
    expect((await data.whenAuthenticated()).authenticated).toBe(true);
    data.subscribeForBars(['MSFT']);
    await waitFor(() => answered.some((s) => s['bars']?.includes('MSFT')));
    const minute = (open: number): TapeMinute => ({
      start: Date.UTC(2026, 0, 5, 15, 31),
      open,
      high: open + 20,
      low: open - 10,
      close: open + 10,
      lots: 60,
      notional: 60 * (open + 5),
      trades: 3,
    });
    gw.marketData.publishBar('AAPL', minute(18_750));
    gw.marketData.publishBar('MSFT', minute(41_520));
    await waitFor(() => got.length >= 1);
    expect(got.map((b) => [b.symbol, b.open, b.high, b.low, b.close, b.volume, b.tradeCount])).toEqual([
      ['MSFT', 415.2, 415.4, 415.1, 415.3, 60, 3],
    ]);
    expect(got[0]?.vwap).toBe(415.25);
    expect((got[0]?.timestamp as Date).toISOString()).toBe('2026-01-05T15:31:00.000Z');
  });
});
