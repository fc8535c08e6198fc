// The simulated venue on the wall clock (src/gateway/gateway-venue.ts): client sections ignored
// with a warning, Alpaca's starting account when the scenario has none, a replay market whose
// recording starts at the gateway's start, and a stop that leaves no timer behind.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayClock } from '../../src/gateway/gateway-clock.ts';
import { ALPACA_PROFILE } from '../../src/gateway/alpaca/alpaca-profile.ts';
import { GatewayVenue } from '../../src/gateway/gateway-venue.ts';
import { startBinanceGateway } from '../../src/gateway/binance/binance-gateway.ts';
import { InProcessVenue } from '../../src/gateway/in-process-venue.ts';
import { VirtualClock } from '../../src/core/clock/virtual-clock.ts';
import { clientOrderId, parentOrderId, type Symbol } from '../../src/core/model/ids.ts';
import type { OrderRequest } from '../../src/core/model/order.ts';
import { positionIn, type AccountReport, type VenueMessage } from '../../src/core/model/reports.ts';
import { TestVenueClock } from '../support/test-venue-clock.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { qtyToLots, quoteToUnits } from '../../src/core/model/instrument.ts';

const stops: Array<() => void> = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

describe('GatewayVenue', () => {
  it('ignores the sections that script a client, with one warning each, and serves the venue', () => {
    const warnings: string[] = [];
    const gv = GatewayVenue.load('scenarios/twap-calm.yaml', {
      profile: ALPACA_PROFILE,
      warn: (m) => warnings.push(m),
    });
    stops.push(() => gv.stop());
    expect(warnings.filter((w) => w.includes('is ignored'))).toEqual([
      'scenario section "orders" is ignored: the gateway\'s clients send the orders',
      'scenario section "expect" is ignored: the gateway\'s clients send the orders',
    ]);
    expect(warnings.some((w) => w.includes('binance-spot'))).toBe(true);
    // No venue.account in the file: Alpaca paper's 100,000 and no position.
    expect(gv.exchange.quoteBalance).toBe(quoteToUnits(gv.instrument, '100000'));
    expect(gv.exchange.position).toBe(0);
    gv.start();
    expect(gv.exchange.book.bestBid()).not.toBeNull();
    expect(gv.clock.pending).toBeGreaterThan(0); // the synthetic market's next step
    gv.stop();
    expect(gv.clock.pending).toBe(0);
  });

  it('starts a replay at the scenario start: the recording before it warms the book, the rest is scheduled', () => {
    const loaded = loadScenarioFile('scenarios/replay-btcusdt.yaml');
    const events: string[] = [];
    const gv = new GatewayVenue(loaded, { profile: ALPACA_PROFILE, onEvent: (e) => events.push(e.kind) });
    stops.push(() => gv.stop());
    gv.start();
    expect(gv.exchange.book.bestBid()).not.toBeNull();
    expect(gv.exchange.book.bestAsk()).not.toBeNull();
    // The recording after the start is still to come (on the wall clock, it would all be past).
    expect(events).not.toContain('MarketDataEnded');
    expect(gv.clock.pending).toBeGreaterThan(0);
    expect(Math.abs(gv.clock.now() - Date.now())).toBeLessThan(1000); // the venue's time is the wall clock
  });

  it('keeps the scenario account when it has one', () => {
    const gv = GatewayVenue.load('test/fixtures/gateway/alpaca-aapl.yaml', { profile: ALPACA_PROFILE });
    stops.push(() => gv.stop());
    expect(gv.exchange.quoteBalance).toBe(quoteToUnits(gv.instrument, '100000'));
    expect(gv.initialPosition).toBe(qtyToLots(gv.instrument, '0'));
  });
});

describe('GatewayClock', () => {
  it('runs work on real timers, cancels a subscription, and after stop runs nothing', async () => {
    const clock = new GatewayClock();
    const ran: string[] = [];
    clock.post((x: string) => ran.push(x), 0, 'posted');
    clock.schedule(() => ran.push('cancelled'), 0).unsubscribe();
    clock.post(() => ran.push('never'), Infinity);
    // Posted last and due no earlier, so it runs after the work above (the clock runs work by due
    // time, then in the order posted).
    await new Promise<void>((resolve) => clock.post(() => resolve(), 0));
    expect(ran).toEqual(['posted']);
    clock.schedule(() => ran.push('after stop'), 0);
    clock.stop();
    clock.post(() => ran.push('after stop'), 0);
    expect(clock.pending).toBe(0);
    expect(() => clock.post(() => {}, NaN)).toThrow(/NaN/);
  });

  it('runs work by due time, not in the order Node would fire its timers', async () => {
    // The clock's reading moves 5 ms between the two posts: the first (3 ms) is due before the
    // second (no delay), which Node's timers alone would run first.
    let wall = Date.UTC(2024, 7, 9, 14);
    const steps = [0, 5];
    let reads = 0;
    const clock = new GatewayClock(undefined, () => (wall += steps[reads++] ?? 0));
    stops.push(() => clock.stop());
    const ran: string[] = [];
    clock.post(() => ran.push('due first'), 3);
    await new Promise<void>((resolve) =>
      clock.post(() => {
        ran.push('due second');
        resolve();
      }, 0),
    );
    expect(ran).toEqual(['due first', 'due second']);
  });
});

describe('GatewayVenue of several instruments', () => {
  const TWO = 'scenarios/gateway/aapl-msft.yaml';

  it('serves every symbol of the scenario: its exchange, its starting position, one shared quote balance', () => {
    const gv = GatewayVenue.load(TWO, { profile: ALPACA_PROFILE });
    stops.push(() => gv.stop());
    expect(gv.symbols()).toEqual(['AAPL', 'MSFT']);
    const msft = gv.requireSymbol('MSFT');
    expect(msft.exchange).not.toBe(gv.exchange);
    expect(msft.exchange.symbol).toBe('MSFT');
    expect(msft.initialPosition).toBe(qtyToLots(msft.instrument, '20'));
    expect(gv.requireSymbol('AAPL').initialPosition).toBe(0);
    expect(gv.desk.positionOf(msft.instrument.symbol)).toBe(20);
    // One balance for both books, stated in account units (a cent x one share for both here).
    expect(msft.exchange.quoteBalance).toBe(gv.exchange.quoteBalance);
    expect(gv.quoteOf(gv.desk.quoteBalance)).toBe('100000');
    gv.start();
    expect(msft.exchange.book.bestAsk()).toBe(41_520);
    expect(gv.exchange.book.bestAsk()).toBe(18_750);
  });

  it('answers a symbol it does not serve by one error naming those it does', () => {
    const gv = GatewayVenue.load(TWO, { profile: ALPACA_PROFILE });
    stops.push(() => gv.stop());
    expect(gv.servedSymbol('TSLA')).toBeUndefined();
    expect(() => gv.requireSymbol('TSLA')).toThrow('the gateway does not serve TSLA (it serves AAPL, MSFT)');
  });

  it('counts a shared balance in the finest notional unit when the symbols differ in it', () => {
    // BTCUSDT's notional unit is 0.01 x 0.00001, ETHUSDT's ten times that: the account unit is BTC's.
    const gv = GatewayVenue.load('scenarios/two-symbols.yaml', { profile: ALPACA_PROFILE });
    stops.push(() => gv.stop());
    expect(gv.served.map((s) => [s.instrument.symbol, s.scale])).toEqual([
      ['BTCUSDT', 1],
      ['ETHUSDT', 10],
    ]);
    expect(gv.quoteOf(gv.desk.quoteBalance)).toBe('200000');
  });

  it('the Binance gateway refuses a symbol quoted in another asset than the account’s, before it listens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'execsim-bgw-'));
    stops.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'btc-ethbtc.yaml');
    writeFileSync(
      file,
      readFileSync('scenarios/two-symbols.yaml', 'utf8')
        .replace(/\bETHUSDT\b/g, 'ETHBTC')
        .replace('initialPrice: "2600.00"', 'initialPrice: "0.04"')
        .replace('tickSize: "0.01"\n    lotSize: "0.0001"', 'tickSize: "0.00001"\n    lotSize: "0.0001"'),
    );
    await expect(startBinanceGateway({ scenarioFile: file, apiKey: 'k', secretKey: 's' })).rejects.toThrow(
      /otherInstruments: the Binance gateway serves symbols quoted in the account's one quote asset, USDT, so ETHBTC cannot be traded here/,
    );
  });

  it('refuses several instruments with a touch fill profile, naming otherInstruments and the profile', () => {
    expect(() => GatewayVenue.load(TWO, { profile: ALPACA_PROFILE, fills: 'alpaca-paper' })).toThrow(
      /otherInstruments: the alpaca-paper fill profile fills one instrument, so MSFT cannot be traded with it/,
    );
  });
});

describe('InProcessVenue of several instruments', () => {
  it('trades each symbol on its own book of the one account, and names what it trades when asked for another', () => {
    const loaded = loadScenarioFile('scenarios/gateway/aapl-msft.yaml');
    const clock = new VirtualClock(Date.UTC(2024, 7, 9, 14));
    const venue = new InProcessVenue(loaded, { clock: new TestVenueClock(clock) });
    const reports: VenueMessage[] = [];
    venue.setReportHandler((m) => reports.push(m));
    venue.start();
    clock.advanceBy(1);
    const order = (id: string, symbol: string, qty: number): OrderRequest => ({
      clientOrderId: clientOrderId(id),
      parentId: parentOrderId(id),
      sliceNum: 1,
      totalSlices: 1,
      scheduledTime: clock.now(),
      symbol: symbol as Symbol,
      side: 'buy',
      type: 'market',
      tif: 'IOC',
      qty,
    });
    venue.submit(order('a', 'AAPL', 30));
    venue.submit(order('m', 'MSFT', 10));
    clock.advanceBy(100);
    venue.queryAccount('acct');
    clock.advanceBy(100);
    const account = reports.find((r): r is AccountReport => r.kind === 'AccountReport');
    expect(account && positionIn(account, 'AAPL')).toBe(30);
    expect(account && positionIn(account, 'MSFT')).toBe(30); // 20 held at the start, 10 bought
    expect(venue.topOfBook('MSFT' as Symbol).ask).toBe(41_520);
    expect(() => venue.topOfBook('TSLA' as Symbol)).toThrow('the gateway does not serve TSLA (it serves AAPL, MSFT)');
    void venue.stop();
  });
});
