// The market-data port of an adapter of several symbols: each symbol answered from its own
// recorder and feed health, any other symbol an empty market.
import { describe, expect, it } from 'vitest';
import { symbol } from '../core/model/ids.ts';
import { FeedHealth } from './feed-health.ts';
import { MarketRecorder } from './market-recorder.ts';
import { SymbolMarketPort } from './symbol-market-port.ts';

describe('the market-data port of several symbols', () => {
  it('answers each symbol from its own recorder and health, and an untraded one as an empty market', () => {
    const aapl = { recorder: new MarketRecorder(), health: new FeedHealth(true, false) };
    const msft = { recorder: new MarketRecorder(), health: new FeedHealth(true, false) };
    aapl.recorder.liveFrom(0);
    msft.recorder.liveFrom(0);
    aapl.recorder.quote(10, { bid: 18_700, bidQty: 3, ask: 18_702, askQty: 4 });
    msft.recorder.quote(20, { bid: 41_000, bidQty: 1, ask: 41_010, askQty: 2 });
    msft.recorder.trade(30, 41_005, 7);
    msft.health.disconnected('closed');
    const port = new SymbolMarketPort(
      new Map([
        ['AAPL', aapl],
        ['MSFT', msft],
      ]),
    );
    expect(port.topOfBook(symbol('AAPL'))).toEqual({ bid: 18_700, bidQty: 3, ask: 18_702, askQty: 4 });
    expect(port.topOfBook(symbol('MSFT')).bid).toBe(41_000);
    expect(port.lastUpdateAt(symbol('AAPL'))).toBe(10);
    expect(port.lastUpdateAt(symbol('MSFT'))).toBe(30);
    expect(port.tradesSince(symbol('MSFT'), 0)).toMatchObject({ trades: 1, volume: 7 });
    expect(port.tradesSince(symbol('AAPL'), 0)).toMatchObject({ trades: 0, volume: 0 });
    expect(port.window(symbol('MSFT'), 0, 40).volume).toBe(7);
    expect(port.feedFailure(symbol('AAPL'))).toBeNull();
    expect(port.feedFailure(symbol('MSFT'))).toBe('market data stream disconnected: closed');
    expect(port.topOfBook(symbol('SPY'))).toEqual({ bid: null, bidQty: 0, ask: null, askQty: 0 });
    expect(port.lastUpdateAt(symbol('SPY'))).toBeNull();
    expect(port.feedFailure(symbol('SPY'))).toBeNull();
  });
});
