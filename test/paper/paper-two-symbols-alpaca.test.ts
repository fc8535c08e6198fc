// A paper run of two symbols on one Alpaca account, end to end: the Alpaca adapter on the
// official SDK trading AAPL and MSFT against the local gateway serving both over loopback. Each
// symbol's orders go out on its own grid, the baseline and the reduce-only check are per symbol,
// reconciliation finds nothing amiss, and the report's positions and P&L are each symbol's and
// match what the venue holds.
import { describe, expect, it } from 'vitest';
import type { ExecEvent } from '../../src/core/model/events.ts';
import { runPaper } from '../../src/runtime/paper-run.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { paperWarnings } from '../../src/scenario/paper-mode.ts';
import { alpacaPaperGateway, paperOptions, scratchStores } from '../support/paper-options.ts';

const KEYS = { id: 'two-symbols-key', secret: 'two-symbols-secret' };
const VENUE = 'scenarios/gateway/aapl-msft.yaml';
const FILE = 'test/fixtures/paper/two-symbols-aapl-msft.yaml';
const scratch = scratchStores('execsim-paper-two-');

/** The venue's position in `symbol` (whole shares; 0 when flat), read over its REST API. */
async function venuePosition(url: string, symbol: string): Promise<number> {
  const res = await fetch(`${url}/v2/positions/${symbol}`, {
    headers: { 'APCA-API-KEY-ID': KEYS.id, 'APCA-API-SECRET-KEY': KEYS.secret },
  });
  if (res.status === 404) return 0;
  return Number(((await res.json()) as { qty: string }).qty);
}

describe('a paper run of two symbols on the local Alpaca gateway', () => {
  it("trades both on one account, each symbol's baseline, reduce-only, position and P&L its own", async () => {
    const gw = await alpacaPaperGateway(VENUE, KEYS);
    const store = scratch.store();
    const report = await runPaper(loadScenarioFile(FILE), paperOptions(gw.url, store, KEYS));

    expect(report.expectations.filter((e) => !e.pass)).toEqual([]);
    expect(report.passed).toBe(true);
    const events = [...store.entries(report.runId)].map((e) => e.event);
    const of = <K extends ExecEvent['kind']>(kind: K) =>
      events.filter((e): e is Extract<ExecEvent, { kind: K }> => e.kind === kind);
    // The account's one answer gave each symbol its baseline: no AAPL, the 20 MSFT held.
    expect(of('AccountBaseline').map((b) => [b.symbol, b.position])).toEqual([
      ['AAPL', 0],
      ['MSFT', 20],
    ]);
    // Each order went out for its own symbol, on its own grid (MSFT's limit at 400.00).
    const sent = of('OrderCreated').map((o) => o.symbol);
    expect(of('OrderCreated').find((o) => o.type === 'limit')).toMatchObject({ symbol: 'MSFT', limitPrice: 40_000 });
    expect(sent.filter((s) => s === 'AAPL').length).toBeGreaterThanOrEqual(3);
    expect(sent.filter((s) => s === 'MSFT')).toHaveLength(3);
    expect(report.duplicateOrders).toEqual([]);
    expect(report.discrepancies).toBe(0);
    expect(of('ReconciliationCompleted').length).toBeGreaterThan(1);
    // The resting MSFT limit was cancelled unfilled at its cancelAt; the rest filled, the
    // reduce-only signal's parent included.
    const parents = report.parents.map((p) => [
      p.id.startsWith('sig-') ? 'signal' : p.id,
      p.symbol,
      p.status,
      p.filledQty,
    ]);
    expect(parents).toEqual([
      ['aapl-twap', 'AAPL', 'filled', '30'],
      ['msft-buy', 'MSFT', 'filled', '10'],
      ['msft-rest', 'MSFT', 'unfilled', '0'],
      ['signal', 'MSFT', 'filled', '5'],
    ]);
    // Each symbol's position and P&L in the report, marked at its own book as the run ended, and
    // what the venue holds: 30 AAPL; 20 + 10 - 5 MSFT.
    const pnl = report.pnl.symbols.map((p) => [p.symbol, p.baseline, p.position, p.markSource]);
    expect(pnl).toEqual([
      ['AAPL', '0', '30', 'end'],
      ['MSFT', '20', '25', 'end'],
    ]);
    expect(await venuePosition(gw.url, 'AAPL')).toBe(30);
    expect(await venuePosition(gw.url, 'MSFT')).toBe(25);
  });

  it("warns that the further instruments' simulated market is ignored, naming them", () => {
    expect(paperWarnings(loadScenarioFile(FILE).scenario)).toContain(
      "otherInstruments' market and base (MSFT) are ignored in a paper run: each symbol's prices come from the venue and its position is the account's",
    );
  });
});
