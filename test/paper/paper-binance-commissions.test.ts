// Paper runs on the local Binance gateway whose commissions are paid in another asset than the
// traded pair's: BNB valued at the venue's BNBUSDT ticker, at the scenario's commissionPrices
// before the ticker, or without a price (the report and the log say so, never a silent 0); and
// in the base asset, which Binance keeps back of what it delivers (the positions still agree
// with the venue's balance after every fill). The 0.06 BTC TWAP buys 6 x 0.01 BTC at 65000.00
// against an arrival mid of 64999.50; a 10 bps taker fee is 0.65 USDT a fill.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scoped } from '../support/gateway-harness.ts';
import { formatReport } from '../../src/cli/format-report.ts';
import type { LogEntry } from '../../src/core/model/events.ts';
import { makeInstrument, qtyToLots, quoteToUnits, unitsToQuote } from '../../src/core/model/instrument.ts';
import { OrderLedger } from '../../src/core/order/order-ledger.ts';
import type { BinanceGateway } from '../../src/gateway/binance/binance-gateway.ts';
import { runPaper } from '../../src/runtime/paper-run.ts';
import { loadAnyScenarioFile } from '../../src/scenario/load-scenario.ts';
import type { RunStore } from '../../src/store/run-store.ts';
import { API_KEY, API_SECRET, binanceGateway, ccxtClient } from '../support/binance-gateway-harness.ts';
import { binancePaperOptions, scratchStores } from '../support/paper-options.ts';

const TWAP = 'test/fixtures/paper/paper-binance-twap.yaml';
const BNB_VENUE = 'test/fixtures/paper/binance-bnb-fees-venue.yaml';
const BTC_VENUE = 'test/fixtures/paper/binance-btc-fees-venue.yaml';
const inst = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });
const scratch = scratchStores('execsim-paper-commissions-');
const dir = scratch.dir;

/** The paper TWAP, with `extra` YAML appended (a commissionPrices block). */
function twap(extra = ''): string {
  if (extra === '') return TWAP;
  const file = path.join(dir, `twap-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, `${readFileSync(TWAP, 'utf8')}\n${extra}\n`);
  return file;
}

const options = (url: string, store: RunStore) =>
  binancePaperOptions(url, store, { apiKey: API_KEY, secret: API_SECRET }, { commissionPrices: true });

async function paperRun(gw: BinanceGateway, file: string) {
  const store = scratch.store();
  const report = await runPaper(loadAnyScenarioFile(file), options(gw.url, store));
  const log: LogEntry[] = [...store.entries(report.runId)];
  const ledger = new OrderLedger();
  for (const e of log) ledger.apply(e);
  const events = <K extends LogEntry['event']['kind']>(kind: K) =>
    log.map((e) => e.event).filter((e): e is Extract<LogEntry['event'], { kind: K }> => e.kind === kind);
  return { report, log, ledger, events };
}

/** The venue's own account of the commissions, through ccxt as any bot reads it. */
async function venueCommissions(gw: BinanceGateway): Promise<Array<{ asset: string; amount: number }>> {
  const ex = await ccxtClient(gw);
  const trades = await ex.fetchMyTrades('BTC/USDT');
  return trades.map((t) => ({ asset: String(t.fee?.currency), amount: Number(t.fee?.cost) }));
}

describe.concurrent('a paper run on Binance paying its commissions in BNB', () => {
  it(
    "counts them as fees at the venue's BNBUSDT ticker: the ledger's cash, the fill results and the cost include them",
    scoped(async () => {
      const gw = await binanceGateway(BNB_VENUE);
      const { report, ledger, events } = await paperRun(gw, twap());
      expect(report.passed).toBe(true);
      const parent = report.parents[0];
      expect(parent).toMatchObject({ status: 'filled', filledQty: '0.06', avgPrice: '65000', arrivalPrice: '64999.5' });

      // The venue took 6 x 0.0013 BNB; at BNBUSDT's 500 that is the parent's fees.
      const paid = await venueCommissions(gw);
      expect(paid).toHaveLength(6);
      for (const c of paid) expect(c).toEqual({ asset: 'BNB', amount: 0.0013 });
      const worth = paid.reduce((s, c) => s + c.amount * 500, 0);
      expect(Number(parent?.fees)).toBeCloseTo(worth, 7);
      expect(parent?.fees).toBe('3.9');
      expect(parent?.unvaluedFees).toEqual([]);
      for (const f of events('FillReport'))
        expect(f.commission).toEqual({ asset: 'BNB', amount: '0.0013', valuedAt: { price: '500', source: 'ticker' } });
      expect(events('CommissionUnvalued')).toEqual([]);

      // P&L: the ledger's cash (the breaker's equity is cash + position x mid) pays the fees too.
      expect(unitsToQuote(inst, ledger.cash)).toBe('-3903.9'); // 0.06 x 65000 + 3.9
      // Each fill's result counts what the ledger counts.
      const results = events('FillMonitorEnded').filter((r) => r.filledQty > 0);
      expect(results.reduce((s, r) => s + quoteToUnits(inst, r.fees), 0)).toBe(quoteToUnits(inst, '3.9'));
      // The cost against arrival: the price shortfall, 0.5 x 0.06 = 0.03, plus the fees.
      expect(parent?.shortfallQuote).toBe('0.03');
      expect(parent?.totalCostQuote).toBe('3.93');
      expect(parent?.totalCostBps).toBeCloseTo((3.93 / (64999.5 * 0.06)) * 10_000, 2);
    }),
  );

  it(
    "values them at the scenario's commissionPrices before the ticker",
    scoped(async () => {
      const gw = await binanceGateway(BNB_VENUE);
      const { report, events } = await paperRun(gw, twap('commissionPrices: { BNB: "480" }'));
      expect(report.passed).toBe(true);
      // 6 x 0.0013 BNB at 480 = 3.744 USDT.
      expect(report.parents[0]?.fees).toBe('3.744');
      for (const f of events('FillReport'))
        expect(f.commission?.valuedAt).toEqual({ price: '480', source: 'scenario' });
    }),
  );

  it(
    'says so when no price is known: the fees leave them out and the report and the log name the amount',
    scoped(async () => {
      // A venue that lists no BNBUSDT market, and a scenario without a BNB price.
      const gw = await binanceGateway(BNB_VENUE, { commissionTicker: false });
      const { report, events } = await paperRun(gw, twap());
      const parent = report.parents[0];
      expect(parent?.fees).toBe('0');
      expect(parent?.unvaluedFees).toEqual([{ asset: 'BNB', amount: '0.0078' }]);
      const unvalued = events('CommissionUnvalued');
      expect(unvalued).toHaveLength(6);
      for (const u of unvalued) expect(u).toMatchObject({ asset: 'BNB', amount: '0.0013' });
      expect(new Set(unvalued.map((u) => u.tradeId)).size).toBe(6);
      expect(formatReport(report, true, 'paper')).toMatch(
        /fees leave out commissions no price was known for: 0\.0078 BNB \(give the asset a price in commissionPrices\)/,
      );
    }),
  );
});

describe('a paper run on Binance paying its commissions in the base asset', () => {
  it(
    'counts them as fees at the trade price, and its position agrees with the balance Binance keeps them out of',
    scoped(async () => {
      const gw = await binanceGateway(BTC_VENUE);
      const { report, ledger, events } = await paperRun(gw, twap());
      // The position checked after every fill, and at every reconciliation, agreed with the
      // venue's, although the venue delivered less than we bought.
      expect(report.passed).toBe(true);
      expect(report.discrepancies).toBe(0);
      const checks = events('PositionChecked');
      expect(checks.length).toBeGreaterThanOrEqual(1);
      for (const c of checks) expect(c, JSON.stringify(c)).toMatchObject({ consistent: true });
      expect(report.fillDetection?.consistency).toBe(1);
      expect(events('ReconciliationMismatch')).toEqual([]);
      expect(events('PositionCorrected')).toEqual([]);
      const parent = report.parents[0];
      expect(parent).toMatchObject({ status: 'filled', filledQty: '0.06' });
      // 6 x 0.0000075 BTC at 65000 = 6 x 0.4875 USDT.
      const paid = await venueCommissions(gw);
      expect(paid).toEqual(Array.from({ length: 6 }, () => ({ asset: 'BTC', amount: 0.0000075 })));
      expect(parent?.fees).toBe('2.925');
      // The venue holds 0.06 - 0.000045 BTC, 5995.5 lots, read as 5996; so does our expectation.
      const ex = await ccxtClient(gw);
      const balance = await ex.fetchBalance();
      expect(balance['BTC']?.total).toBeCloseTo(0.059955, 10);
      expect(ledger.position).toBe(qtyToLots(inst, '0.06'));
      expect(ledger.kept).toBeCloseTo(4.5, 9);
      expect(ledger.accountPosition).toBe(5996);
      // Its cash paid for the BTC (the quote balance was not charged the commission).
      expect(Number(balance['USDT']?.total)).toBeCloseTo(1_000_000 - 3900, 6);
    }),
  );
});
