// The quote fallback in whole backtests: the bundled market-data outage (scenarios/
// quote-fallback-outage.yaml) keeps a TWAP slicing on the ring's quotes for 60 s and then stops it
// for want of a quote, and the report counts it; the same run with the fallback off stops at the
// outage's first slice; a healthy run is untouched by the fallback's settings; the stale_quotes
// fault degrades only with a staleness trigger; a restart inside the outage keeps the events
// alternating. Read from the event log each run writes. And a gateway's wire during the outage.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { VirtualClock } from '../../src/core/clock/virtual-clock.ts';
import type { ExecEvent, LogEntry } from '../../src/core/model/events.ts';
import { InProcessVenue } from '../../src/gateway/in-process-venue.ts';
import { MarketFeed } from '../../src/gateway/market-feed.ts';
import { parseDurationMs, parseUtcInstant } from '../../src/core/model/time-fields.ts';
import { runScenario, type RunReport } from '../../src/runtime/backtest-run.ts';
import { loadScenarioFile, parseScenario } from '../../src/scenario/load-scenario.ts';
import { TestVenueClock } from '../support/session-fixture.ts';

const FILE = 'scenarios/quote-fallback-outage.yaml';
const START = parseUtcInstant('2024-08-09T00:00:00Z');
const at = (d: string) => START + parseDurationMs(d);
type Of<K extends ExecEvent['kind']> = Extract<ExecEvent, { kind: K }>;

function run(edit?: (s: Record<string, unknown>) => void): { report: RunReport; log: LogEntry[] } {
  const log: LogEntry[] = [];
  const loaded = edit
    ? (() => {
        const raw = parse(readFileSync(FILE, 'utf8')) as Record<string, unknown>;
        edit(raw);
        return parseScenario(stringify(raw), FILE);
      })()
    : loadScenarioFile(FILE);
  const report = runScenario(loaded, { onEntry: (e) => log.push(e) });
  return { report, log };
}

const entries = <K extends ExecEvent['kind']>(log: readonly LogEntry[], kind: K) =>
  log.filter((e): e is LogEntry<Of<K>> => e.event.kind === kind);
const fallbackKinds = (log: readonly LogEntry[]) =>
  log.filter((e) => e.event.kind.startsWith('MarketData')).map((e) => e.event.kind);
const safety = (s: Record<string, unknown>) => s['safety'] as Record<string, unknown>;

describe('the bundled market-data outage', () => {
  const { report, log } = run();

  it('degrades at the outage, expires after 60 s of fallback quotes, and restores when the path is back', () => {
    expect(report.passed).toBe(true);
    expect(fallbackKinds(log)).toEqual(['MarketDataDegraded', 'MarketDataFallbackExpired', 'MarketDataRestored']);
    const [degraded] = entries(log, 'MarketDataDegraded');
    expect(degraded!.time).toBe(at('PT3M'));
    expect(degraded!.event).toMatchObject({
      symbol: 'BTCUSDT',
      reason: 'market data outage (scenario fault market_data_outage)',
      maxAgeMs: 60_000,
    });
    // The ring's newest quote arrived shortly before the outage (the market moves every 500 ms).
    expect(degraded!.event.fallbackAgeMs).toBeGreaterThanOrEqual(0);
    expect(degraded!.event.fallbackAgeMs).toBeLessThan(5_000);
    const [expired] = entries(log, 'MarketDataFallbackExpired');
    expect(expired!.time - (degraded!.event.quoteAt as number)).toBeGreaterThan(60_000);
    expect(expired!.time - (degraded!.event.quoteAt as number)).toBeLessThanOrEqual(61_000);
    // Restored at the first read after the outage that acts on a quote (samples only peek).
    const [restored] = entries(log, 'MarketDataRestored');
    expect(restored!.time).toBe(at('PT6M30S'));
    expect(restored!.event.degradedMs).toBe(210_000);
  });

  it('keeps slicing on fallback quotes inside the limit, and the guard stops the TWAP past it, saying why', () => {
    const [degraded] = entries(log, 'MarketDataDegraded');
    const quoteAt = degraded!.event.quoteAt as number;
    const sends = entries(log, 'SubmitOrder').filter((e) => e.time >= at('PT3M') && e.time < at('PT6M'));
    expect(sends.map((e) => e.time)).toEqual([at('PT3M'), at('PT3M20S'), at('PT3M40S')]);
    for (const s of sends) expect(s.time - quoteAt).toBeLessThanOrEqual(60_000);
    const twap = report.parents.find((p) => p.id === 'twap-buy')!;
    expect(twap.stoppedEarly).toBe(true);
    expect(twap.stopReason).toMatch(
      /^no quote: market data outage \(scenario fault market_data_outage\), and the newest fallback quote is \d+ ms old, past the 60000 ms limit$/,
    );
    expect(entries(log, 'ParentStopped')[0]!.time).toBe(at('PT4M'));
    // After the outage the arrival price is the live quote again.
    const after = entries(log, 'ParentOrderCreated').find((e) => e.event.parentId === 'after-buy')!;
    expect(after.event.arrivalBid).not.toBeNull();
    expect(report.parents.find((p) => p.id === 'after-buy')?.status).toBe('filled');
  });

  it('reports the time degraded and the reads from the ring', () => {
    const [expired] = entries(log, 'MarketDataFallbackExpired');
    const [restored] = entries(log, 'MarketDataRestored');
    expect(report.quoteFallback).toEqual({
      degradations: 1,
      degradedMs: 210_000,
      fallbackReads: expired!.event.fallbackReads,
      blindReads: restored!.event.blindReads,
      expired: 1,
      degradedAtEnd: [],
    });
    expect(report.quoteFallback!.fallbackReads).toBeGreaterThanOrEqual(3);
    expect(restored!.event.fallbackReads).toBe(expired!.event.fallbackReads);
  });
});

describe('the same outage', () => {
  it('without the fallback: the TWAP slices on through the outage on an ever older quote', () => {
    const { report, log } = run((s) => (safety(s)['quoteFallback'] = { enabled: false }));
    expect(fallbackKinds(log)).toEqual([]);
    expect(report.quoteFallback).toBeNull();
    expect(report.parents.find((p) => p.id === 'twap-buy')?.stoppedEarly).toBe(false);
    const late = entries(log, 'SubmitOrder').filter((e) => e.time >= at('PT4M') && e.time < at('PT6M'));
    expect(late.map((e) => e.time)).toEqual([
      at('PT4M'),
      at('PT4M20S'),
      at('PT4M40S'),
      at('PT5M'),
      at('PT5M20S'),
      at('PT5M40S'),
    ]);
  });

  it('with a shorter limit: fewer slices on the ring before the guard stops it', () => {
    const { log } = run((s) => (safety(s)['quoteFallback'] = { maxAgeMs: 25_000 }));
    const sends = entries(log, 'SubmitOrder').filter((e) => e.time >= at('PT3M') && e.time < at('PT6M'));
    expect(sends.map((e) => e.time)).toEqual([at('PT3M'), at('PT3M20S')]);
    expect(entries(log, 'ParentStopped')[0]!.time).toBe(at('PT3M40S'));
  });

  it("across a restart inside it: the new process takes the state from the log, rings the venue port's last quote, and logs one expiry and one restoration", () => {
    const { report, log } = run((s) => (s['restarts'] = [{ at: 'PT3M30S', downtime: 'PT5S' }]));
    expect(entries(log, 'ProcessRestarted')).toHaveLength(1);
    expect(fallbackKinds(log)).toEqual(['MarketDataDegraded', 'MarketDataFallbackExpired', 'MarketDataRestored']);
    const [degraded] = entries(log, 'MarketDataDegraded');
    const [expired] = entries(log, 'MarketDataFallbackExpired');
    expect(expired!.event.quoteAt).toBe(degraded!.event.quoteAt);
    expect(expired!.time).toBe(at('PT4M'));
    expect(report.quoteFallback).toMatchObject({ degradations: 1, degradedMs: 210_000, expired: 1 });
  });
});

describe('a healthy run', () => {
  it('logs nothing of the fallback, whatever its settings: the digest is the same as with the fallback off', () => {
    const noFault = (s: Record<string, unknown>) => (s['faults'] = []);
    const digests = [
      run(noFault),
      run((s) => {
        noFault(s);
        delete safety(s)['quoteFallback'];
      }),
      run((s) => {
        noFault(s);
        safety(s)['quoteFallback'] = { enabled: false };
      }),
      run((s) => {
        noFault(s);
        safety(s)['quoteFallback'] = { quotes: 1, maxAgeMs: 1 };
      }),
    ].map(({ report, log }) => {
      expect(fallbackKinds(log)).toEqual([]);
      expect(report.quoteFallback).toBeNull();
      return report.digest;
    });
    expect(new Set(digests).size).toBe(1);
  });
});

describe('stale_quotes and the staleness trigger', () => {
  const stale = (s: Record<string, unknown>) => (s['faults'] = [{ kind: 'stale_quotes', from: 'PT3M', until: 'PT6M' }]);

  it('a silent stall degrades nothing by default: consumers read the frozen quote, as before', () => {
    const { report, log } = run(stale);
    expect(fallbackKinds(log)).toEqual([]);
    expect(report.parents.find((p) => p.id === 'twap-buy')?.stoppedEarly).toBe(false);
  });

  it('with staleAfterMs, the frozen view degrades once no update came for that long', () => {
    const { report, log } = run((s) => {
      stale(s);
      safety(s)['quoteFallback'] = { staleAfterMs: 10_000 };
    });
    expect(fallbackKinds(log)).toEqual(['MarketDataDegraded', 'MarketDataFallbackExpired', 'MarketDataRestored']);
    const [degraded] = entries(log, 'MarketDataDegraded');
    expect(degraded!.event.reason).toMatch(/^no market data for \d+ ms \(stale after 10000 ms\)$/);
    expect(degraded!.time - (degraded!.event.quoteAt as number)).toBeGreaterThan(10_000);
    expect(report.parents.find((p) => p.id === 'twap-buy')?.stopReason).toMatch(/^no quote: no market data for/);
  });
});

describe("an in-process venue and a gateway's wire during a market_data_outage", () => {
  it('shows a stale quote while the venue port says it failed, then the live view again', () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 5, 12, 0, 0));
    const loaded = (() => {
      const raw = parse(readFileSync(FILE, 'utf8')) as Record<string, unknown>;
      raw['faults'] = [{ kind: 'market_data_outage', from: 'PT10S', until: 'PT20S' }];
      return parseScenario(stringify(raw), FILE);
    })();
    const venue = new InProcessVenue(loaded, { clock: new TestVenueClock(clock) });
    const gv = venue.gateway;
    const feed = new MarketFeed(gv);
    gv.start();
    const symbol = gv.instrument.symbol;
    const begins = clock.now() + 10_000;
    clock.advanceTo(clock.now() + 9_000);
    expect(venue.feedFailure(symbol)).toBeNull();
    clock.advanceTo(clock.now() + 5_000);
    expect(venue.feedFailure(symbol)).toBe('market data outage (scenario fault market_data_outage)');
    // Nothing reaches the view: it keeps the last quote that arrived before the window.
    const frozen = venue.topOfBook(symbol);
    expect(frozen.bid).not.toBeNull();
    expect(venue.lastUpdateAt(symbol)).toBeLessThanOrEqual(begins);
    feed.flush();
    const wire = feed.quote();
    clock.advanceTo(clock.now() + 5_000);
    expect(venue.topOfBook(symbol)).toBe(frozen);
    feed.flush();
    expect(feed.quote()).toEqual(wire);
    clock.advanceTo(clock.now() + 6_000);
    expect(venue.feedFailure(symbol)).toBeNull();
    const after = feed.quote();
    expect(after!.time).toBeGreaterThan(begins + 10_000 - 1);
    gv.stop();
  });
});

describe('a strategy during the outage', () => {
  it('reads the same fallback quotes: it finds no market data only once the fallback expired', () => {
    const { log } = run((s) => {
      s['strategy'] = { module: '../test/fixtures/strategies/no-quote-buyer.ts' };
    });
    const [degraded] = entries(log, 'MarketDataDegraded');
    const [expired] = entries(log, 'MarketDataFallbackExpired');
    const [received] = entries(log, 'SignalReceived');
    expect(received).toBeDefined();
    // Sampled every second: the first quote without a market comes within a second of the expiry,
    // not at the outage's start.
    expect(received!.time).toBeGreaterThan((degraded!.event.quoteAt as number) + 60_000);
    expect(received!.time).toBeGreaterThanOrEqual(expired!.time);
    expect(received!.time - expired!.time).toBeLessThanOrEqual(1_000);
  });
});
