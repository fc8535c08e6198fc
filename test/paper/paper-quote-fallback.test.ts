// The quote fallback in a paper run against the local Alpaca gateway over loopback: the adapter
// streams market data, the test closes the gateway's market-data websocket (reconnects are then
// refused with 503) before the TWAP's first slice, and the adapter's port reports its feed failed.
// The node degrades once, the slices go out on the quote that arrived before the stream went down
// while it is at most maxAgeMs old, and the guard stops the TWAP past that, saying why. Waits are
// bounded conditions; the timing margins are half a slice interval.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExecEvent, LogEntry } from '../../src/core/model/events.ts';
import { runPaper } from '../../src/runtime/paper-run.ts';
import { loadAnyScenarioFile } from '../../src/scenario/load-scenario.ts';
import { alpacaPaperGateway, paperOptions, scratchStores } from '../support/paper-options.ts';

const KEY = 'paper-fallback-key-id';
const SECRET = 'paper-fallback-secret-value';
const MARKET = 'test/fixtures/gateway/alpaca-aapl.yaml';
const TWAP = 'test/fixtures/paper/twap-aapl-fallback.yaml';
const MAX_AGE_MS = 4500;
const { dir, store: openStore } = scratchStores('execsim-paper-fallback-');

type Of<K extends ExecEvent['kind']> = Extract<ExecEvent, { kind: K }>;

describe('a paper run whose market data stream goes down', () => {
  it('slices on the quote fallback within its age limit, then the guard stops the TWAP', async () => {
    const gw = await alpacaPaperGateway(MARKET, { id: KEY, secret: SECRET });
    const store = openStore(path.join(dir, 'paper.db'));
    const log: LogEntry[] = [];
    let closing: Promise<void> | null = null;
    const report = await runPaper(loadAnyScenarioFile(TWAP), {
      ...paperOptions(gw.url, store, { id: KEY, secret: SECRET }, { marketData: { stream: true } }),
      onEntry: (e) => {
        log.push(e);
        // The stream is up (its first quote is in or about to be): take it down for good.
        if (closing === null && e.event.kind === 'ConnectionReport' && e.event.stream === 'market_data')
          if (e.event.state === 'connected') closing = gw.marketData.close();
      },
    });
    expect(closing).not.toBeNull();
    const of = <K extends ExecEvent['kind']>(kind: K) => log.filter((e): e is LogEntry<Of<K>> => e.event.kind === kind);

    // The adapter reported the disconnect, and the node degraded once, on the quote from before.
    expect(
      of('ConnectionReport').some((e) => e.event.stream === 'market_data' && e.event.state === 'disconnected'),
    ).toBe(true);
    const degraded = of('MarketDataDegraded');
    expect(degraded).toHaveLength(1);
    const d = degraded[0]!;
    expect(d.event.reason).toMatch(/^market data stream disconnected: /);
    expect(d.event.quoteAt).not.toBeNull();
    expect(d.event.maxAgeMs).toBe(MAX_AGE_MS);
    expect(of('MarketDataRestored')).toHaveLength(0);

    // Every slice after the degradation went out on a fallback quote within the limit...
    const quoteAt = d.event.quoteAt as number;
    const onFallback = of('SubmitOrder').filter((e) => e.seq > d.seq);
    expect(onFallback.length).toBeGreaterThanOrEqual(1);
    for (const s of onFallback) expect(s.time - quoteAt).toBeLessThanOrEqual(MAX_AGE_MS);
    // ...and past it there was no quote: the fallback expired and the guard stopped the TWAP.
    const [expired] = of('MarketDataFallbackExpired');
    expect(expired).toBeDefined();
    expect(expired!.time - quoteAt).toBeGreaterThan(MAX_AGE_MS);
    const [stopped] = of('ParentStopped');
    expect(stopped!.time - quoteAt).toBeGreaterThan(MAX_AGE_MS);
    expect(stopped!.event.reason).toMatch(
      /^no quote: market data stream disconnected: .*, and the newest fallback quote is \d+ ms old, past the 4500 ms limit$/,
    );
    const parent = report.parents[0]!;
    expect(parent).toMatchObject({ id: 'twap-buy', stoppedEarly: true, status: 'partially_filled' });
    expect(Number(parent.filledQty)).toBe(5 * of('SubmitOrder').length);
    expect(report.quoteFallback).toMatchObject({ degradations: 1, expired: 1, degradedAtEnd: ['AAPL'] });
    expect(report.quoteFallback!.fallbackReads).toBeGreaterThanOrEqual(onFallback.length);
  });
});
