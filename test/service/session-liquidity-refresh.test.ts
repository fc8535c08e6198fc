// A service session reads the venue's daily volume when it starts and again once that reading is
// a day old (a session runs for days): on a clock the test advances, with a venue whose daily
// bars move. A TWAP is capped by the reading of its day; the refresh that fails turns the cap off
// once, and the next day's reading turns it on again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock/virtual-clock.ts';
import type { ExecEvent, LogEntry } from '../../src/core/model/events.ts';
import { parentOrderId } from '../../src/core/model/ids.ts';
import { InProcessVenue } from '../../src/gateway/in-process-venue.ts';
import type { DailyVolumes } from '../../src/live/live-venue.ts';
import { openSession } from '../../src/runtime/session-root.ts';
import { simulatedScenario } from '../../src/scenario/load-scenario.ts';
import { parseSessionFile } from '../../src/scenario/session-file.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { RunStore } from '../../src/store/run-store.ts';
import { advance, settle, TestVenueClock, until } from '../support/session-fixture.ts';

const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'execsim-session-liquidity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A quiet static market, no periodic passes and no samples: a day of virtual time stays cheap.
const SESSION = `name: session-liquidity
seed: 7
mode: paper
venue: { name: binance-spot, account: { quote: "1000000", base: "0" } }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
market:
  model: static_book
  bids: [["64999.00", "50"]]
  asks: [["65000.00", "50"]]
reconciliation: { periodMs: null }
report: { sampleMs: off }
safety:
  preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" }
`;

describe('a service session refreshes its daily volume each day', () => {
  it('reads at the start and a day later, each TWAP capped by the reading of its day', async () => {
    const answers: DailyVolumes[] = [
      { kind: 'read', dailyLots: [10_000_000, 10_000_000], source: 'test bars' }, // 100 BTC a day
      { kind: 'failed', reason: 'HTTP 503' },
      { kind: 'read', dailyLots: [2_000_000], source: 'test bars' }, // 20 BTC a day
    ];
    const asked: number[] = [];
    const loaded = parseSessionFile(SESSION, 'session.yaml');
    const clock = new VirtualClock(Date.UTC(2026, 10, 25, 12, 0, 0));
    const store = new RunStore(openDatabase(join(dir, 'session.db')));
    const simulated = simulatedScenario(loaded.loaded);
    const session = await settle(
      clock,
      openSession(loaded, {
        store,
        clock,
        venue: {
          venueUrl: 'the in-process simulated venue',
          marketHours: 'always',
          venue: () => {
            const v = new InProcessVenue(simulated, { clock: new TestVenueClock(clock) });
            return Object.assign(v, {
              dailyVolumes: async (): Promise<DailyVolumes> => {
                asked.push(clock.now());
                return answers[asked.length - 1] ?? { kind: 'failed', reason: 'asked too often' };
              },
            });
          },
        },
      }),
    );
    try {
      await until(clock, () => session.ready);
      const t0 = asked[0]!;
      expect(asked).toHaveLength(1);
      const twap = async (id: string) => {
        const answer = await settle(
          clock,
          session.submit({
            kind: 'SubmitParent',
            request: {
              parentId: parentOrderId(id),
              side: 'buy',
              qty: 300_000, // 3 BTC
              type: 'market',
              tif: 'IOC',
              route: 'twap',
              twap: {
                durationMs: 60_000,
                sliceCount: 2,
                unfilled: 'carry',
                stops: { maxSpread: 0.005, maxPriceDeviation: 0.01, minLiquidity: 0 },
              },
              source: 'test',
            },
            confirmations: [],
            confirmedBy: null,
          }),
        );
        expect(answer.outcome).toBe('accepted');
        await advance(clock, 61_000, 1_000);
      };
      const log = (): LogEntry[] => [...store.entries(session.id)];
      const of = <K extends ExecEvent['kind']>(kind: K) =>
        log()
          .filter((e) => e.event.kind === kind)
          .map((e) => e.event as Extract<ExecEvent, { kind: K }>);

      // Day one: 1% of 100 BTC is 1 BTC: 3 slices where 2 were asked for.
      await twap('day-1');
      expect(of('TwapPlanned')[0]!.liquidityCap).toMatchObject({ advLots: 10_000_000, maxSliceQty: 100_000 });

      // A day after the reading: read again; it fails, so the cap is off (said once).
      await advance(clock, t0 + DAY - clock.now() + 1_000, 60_000);
      expect(asked).toEqual([t0, t0 + DAY]);
      expect(of('LiquidityCapOff')).toEqual([
        { kind: 'LiquidityCapOff', symbol: 'BTCUSDT', reason: "the venue's daily bars could not be read: HTTP 503" },
      ]);
      await twap('day-2');
      expect(of('TwapPlanned')[1]!.liquidityCap).toBeUndefined();

      // The next day's reading: 1% of 20 BTC is 0.2 BTC: 15 slices.
      await advance(clock, t0 + 2 * DAY - clock.now() + 1_000, 60_000);
      expect(asked).toHaveLength(3);
      await twap('day-3');
      expect(of('TwapPlanned')[2]!.liquidityCap).toMatchObject({ advLots: 2_000_000, maxSliceQty: 20_000 });
      expect(of('DailyVolumeRead').map((e) => e.advLots)).toEqual([10_000_000, 2_000_000]);
      const slices = (id: string) =>
        of('OrderCreated')
          .filter((e) => e.parentId === id)
          .map((e) => e.qty);
      expect(slices('day-1')).toEqual([100_000, 100_000, 100_000]);
      expect(slices('day-2')).toEqual([150_000, 150_000]);
      expect(slices('day-3')).toEqual(Array(15).fill(20_000));
    } finally {
      await settle(clock, session.stop('test over')).catch(() => {});
      store.db.close();
    }
  }, 120_000);
});
