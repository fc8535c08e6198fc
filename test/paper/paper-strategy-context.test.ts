// A strategy's context in a paper run against the local Alpaca gateway: the balances are the
// venue's account as the first process read it (AccountBaseline) plus our fill, and the P&L is
// the fill handed, the same arithmetic a backtest's context does. The module throws what its
// context said when its fill was handed; the test reads it from the stored log.
import { describe, expect, it } from 'vitest';
import type { ExecEvent, LogEntry } from '../../src/core/model/events.ts';
import { runPaper } from '../../src/runtime/paper-run.ts';
import { loadAnyScenarioFile } from '../../src/scenario/load-scenario.ts';
import { scoped } from '../support/gateway-harness.ts';
import { alpacaPaperGateway, paperOptions, scratchStores } from '../support/paper-options.ts';

const KEY = 'paper-context-key-id';
const SECRET = 'paper-context-secret-value';
const MINUTE = 60_000;
const { store } = scratchStores('execsim-paper-context-', 'context');

type Of = <K extends ExecEvent['kind']>(kind: K) => Array<LogEntry & { event: Extract<ExecEvent, { kind: K }> }>;

describe("a strategy's context in a paper run", () => {
  it(
    'says the balances the venue reported plus our fill, and the P&L of the fill handed',
    { timeout: 30_000 },
    scoped(async () => {
      const gw = await alpacaPaperGateway('test/fixtures/gateway/alpaca-aapl.yaml', { id: KEY, secret: SECRET });
      // Two trades by others before now: the minute bars the warm-up reads (187.50, then 187.60).
      const minute = Math.floor(Date.now() / MINUTE) * MINUTE;
      gw.feed.prints.unshift(
        { id: -2, time: minute - 2 * MINUTE + 1_000, price: 18_750, qty: 5 },
        { id: -1, time: minute - MINUTE + 1_000, price: 18_760, qty: 7 },
      );
      const s = store();
      const report = await runPaper(
        loadAnyScenarioFile('test/fixtures/paper/context-aapl.yaml'),
        paperOptions(gw.url, s, { id: KEY, secret: SECRET }),
      );
      const entries = [...s.entries(report.runId)];
      const of: Of = (kind) => entries.filter((e) => e.event.kind === kind) as never;
      const failed = of('StrategyFailed').map((e) => e.event.message);
      expect(failed).toHaveLength(1);
      const seen = JSON.parse((failed[0] as string).slice('report '.length)) as {
        fill: { qty: number; price: number; fee: number };
        pnl: { position: number; averagePrice: number; realized: number; fees: number };
        balances: { quote: number; quoteAtStart: number | null; base: Record<string, number> };
        parents: unknown[];
      };
      // A limit at the last bar's close (187.60), filled at the venue's price or better.
      expect(seen.fill.qty).toBe(1);
      expect(seen.fill.price).toBeLessThanOrEqual(187.6);
      const price = seen.fill.price;
      expect(seen.pnl).toMatchObject({ position: 1, averagePrice: price, realized: 0, fees: seen.fill.fee });
      // The account as the venue reported it (notional units of 0.01 x 1), then our fill.
      const baseline = of('AccountBaseline')[0]!.event;
      expect(seen.balances.quoteAtStart).toBeCloseTo(baseline.quote / 100, 9);
      expect(seen.balances.quote).toBeCloseTo(baseline.quote / 100 - price - seen.fill.fee, 6);
      expect(seen.balances.base.AAPL).toBe(baseline.position + 1);
      // Its parent was filled by that fill; the update that says so comes after it.
      expect(report.parents[0]).toMatchObject({ status: 'filled' });
    }),
  );
});
