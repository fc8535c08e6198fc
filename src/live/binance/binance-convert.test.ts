// ccxt's parsed Binance orders and trades (ccxt's parseOrder, parseTrade, parseWsTrade and
// parseWsOrder on Binance's own wire JSON, from the spot API docs' examples) as our reports.
import fc from 'fast-check';
import type { Order, Trade } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { makeInstrument } from '../../core/model/instrument.ts';
import { btcusdt, exchangeWithMarkets } from '../../../test/support/binance-markets.ts';
import { HashedClientIdNamespace } from '../hashed-client-id-namespace.ts';
import { orderRow, ourStatus, reportedTrade } from './binance-convert.ts';

const inst = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });
const ex = exchangeWithMarkets();
const market = btcusdt(ex);
const assets = { base: 'BTC', quote: 'USDT' };
const ids = new HashedClientIdNamespace('run-convert', 36);
const CID = 'x0123456789abcdef01234567';
const WIRE = ids.wire(CID as never);
const parseWsOrder = (m: unknown): Order => (ex as unknown as { parseWsOrder(m: unknown): Order }).parseWsOrder(m);
const parseWsTrade = (m: unknown): Trade => (ex as unknown as { parseWsTrade(m: unknown): Trade }).parseWsTrade(m);

/** GET /api/v3/order (rest-api.md "Query order"), for our order. */
const queried = (over: Record<string, unknown> = {}) => ({
  symbol: 'BTCUSDT',
  orderId: 4242,
  orderListId: -1,
  clientOrderId: WIRE,
  price: '100000.05000000',
  origQty: '0.00300000',
  executedQty: '0.00100000',
  cummulativeQuoteQty: '100.00005000',
  status: 'PARTIALLY_FILLED',
  timeInForce: 'GTC',
  type: 'LIMIT',
  side: 'BUY',
  stopPrice: '0.00000000',
  icebergQty: '0.00000000',
  time: 1772323200000,
  updateTime: 1772323201500,
  isWorking: true,
  workingTime: 1772323200000,
  origQuoteOrderQty: '0.00000000',
  selfTradePreventionMode: 'NONE',
  ...over,
});

/** A POST /api/v3/order answer with newOrderRespType FULL (rest-api.md "Response - FULL"). */
const full = {
  symbol: 'BTCUSDT',
  orderId: 28,
  orderListId: -1,
  clientOrderId: WIRE,
  transactTime: 1772323200100,
  price: '0.00000000',
  origQty: '0.00300000',
  executedQty: '0.00300000',
  origQuoteOrderQty: '0.000000',
  cummulativeQuoteQty: '300.00000000',
  status: 'FILLED',
  timeInForce: 'GTC',
  type: 'MARKET',
  side: 'SELL',
  workingTime: 1772323200100,
  selfTradePreventionMode: 'NONE',
  fills: [
    { price: '100000.01000000', qty: '0.00100000', commission: '0.00000150', commissionAsset: 'BNB', tradeId: 56 },
    { price: '99999.99500000', qty: '0.00200000', commission: '0.20000000', commissionAsset: 'USDT', tradeId: 57 },
  ],
};

describe('orders', () => {
  it('a lookup answer: our client id, the venue id, quantities in lots, the limit in ticks, the venue times', () => {
    const read = orderRow(inst, ids, ex.parseOrder(queried(), market), 'lookup');
    expect(read).toEqual({
      row: {
        clientOrderId: CID,
        venueOrderId: '4242',
        status: 'partially_filled',
        qty: 300,
        filledQty: 100,
        avgPrice: 10000005,
        updatedAt: 1772323201500,
        source: 'lookup',
        side: 'buy',
        limitPrice: 10000005,
      },
      times: { submittedAt: 1772323200000, updatedAt: 1772323201500 },
    });
  });

  it("a FULL answer of a market order: no limit (ccxt's price is the average), its fills listed", () => {
    const o = ex.parseOrder(full, market);
    const trades = (o.trades ?? []).map((t) => reportedTrade(inst, assets, t, 1772323200100));
    const read = orderRow(
      inst,
      ids,
      o,
      'lookup',
      trades.flatMap((t) => t ?? []),
    );
    expect(read?.row).toMatchObject({ status: 'filled', qty: 300, filledQty: 300, limitPrice: null, side: 'sell' });
    expect(read?.row.trades?.map((t) => t.tradeId)).toEqual(['56', '57']);
    expect(read?.row.avgPrice).toBeUndefined();
  });

  it('executions that do not add up to the filled quantity are left out: the average states the fill', () => {
    const o = ex.parseOrder(full, market);
    const first = reportedTrade(inst, assets, (o.trades ?? [])[0] as Trade, 0);
    const read = orderRow(inst, ids, o, 'lookup', first === null ? [] : [first]);
    expect(read?.row.trades).toBeUndefined();
    expect(read?.row.avgPrice).toBe(10000000);
  });

  it("another's order (ccxt's own broker id, another run's) keeps the venue's spelling", () => {
    const foreign = orderRow(
      inst,
      ids,
      ex.parseOrder(queried({ clientOrderId: 'x-TKT5PX2Fabcdef' }), market),
      'reconciliation',
    );
    expect(foreign?.row.clientOrderId).toBe('x-TKT5PX2Fabcdef');
    const other = new HashedClientIdNamespace('run-other', 36).wire(CID as never);
    expect(
      orderRow(inst, ids, ex.parseOrder(queried({ clientOrderId: other }), market), 'lookup')?.row.clientOrderId,
    ).toBe(other);
  });

  it.each([
    ['NEW', '0.00000000', 'new'],
    ['PARTIALLY_FILLED', '0.00100000', 'partially_filled'],
    ['FILLED', '0.00300000', 'filled'],
    ['CANCELED', '0.00100000', 'canceled'],
    ['EXPIRED', '0.00100000', 'expired'],
    ['EXPIRED_IN_MATCH', '0.00000000', 'expired'],
    ['REJECTED', '0.00000000', 'rejected'],
    ['PENDING_CANCEL', '0.00100000', 'partially_filled'],
    ['PENDING_NEW', '0.00000000', 'new'],
  ])("Binance's %s with %s filled reads as %s", (status, executed, ours) => {
    const read = orderRow(inst, ids, ex.parseOrder(queried({ status, executedQty: executed }), market), 'lookup');
    expect(read?.row.status).toBe(ours);
  });

  it('a status never reads as done unless Binance says so, and never as filled with lots missing', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.constantFrom('open', 'closed', 'canceled', undefined),
        fc.nat(100),
        fc.nat(100),
        (raw, unified, qty, filled) => {
          const s = ourStatus(raw, unified, qty, filled);
          if (s === 'filled') expect(filled).toBeGreaterThanOrEqual(qty);
          if (
            !/^(filled|canceled|cancelled|expired|expired_in_match|rejected|fill|fully_filled)$/i.test(
              raw.trim().replace(/[\s-]+/g, '_'),
            ) &&
            unified !== 'closed' &&
            unified !== 'canceled'
          )
            expect(['new', 'partially_filled']).toContain(s);
        },
      ),
    );
  });

  it('a stream executionReport reads as the same order, its status from X', () => {
    const report = {
      e: 'executionReport',
      E: 1772323201000,
      s: 'BTCUSDT',
      c: WIRE,
      S: 'BUY',
      o: 'LIMIT',
      f: 'IOC',
      q: '0.00300000',
      p: '100000.05000000',
      P: '0.00000000',
      F: '0.00000000',
      g: -1,
      C: '',
      x: 'EXPIRED',
      X: 'EXPIRED',
      r: 'NONE',
      i: 4242,
      l: '0.00000000',
      z: '0.00100000',
      L: '0.00000000',
      n: '0',
      N: null,
      T: 1772323201000,
      t: -1,
      I: 99,
      w: false,
      m: false,
      M: false,
      O: 1772323200000,
      Z: '100.00005000',
      Y: '0.00000000',
      Q: '0.00000000',
      V: 'NONE',
    };
    const read = orderRow(inst, ids, parseWsOrder(report), 'stream');
    expect(read?.row).toMatchObject({
      clientOrderId: CID,
      venueOrderId: '4242',
      status: 'expired',
      filledQty: 100,
      limitPrice: 10000005,
    });
    expect(read?.times).toEqual({ submittedAt: 1772323200000, updatedAt: 1772323201000 });
  });
});

describe('executions', () => {
  /** GET /api/v3/myTrades (rest-api.md "Account trade list"). */
  const myTrade = (commission: string, asset: string) =>
    ex.parseTrade(
      {
        symbol: 'BTCUSDT',
        id: 77,
        orderId: 4242,
        orderListId: -1,
        price: '100000.05000000',
        qty: '0.00100000',
        quoteQty: '100.00005000',
        commission,
        commissionAsset: asset,
        time: 1772323201000,
        isBuyer: true,
        isMaker: true,
        isBestMatch: true,
      },
      market,
    );

  it('a commission in BNB is kept as stated and is without a value (fee 0) until a price values it', () => {
    expect(reportedTrade(inst, assets, myTrade('0.00000150', 'BNB'), 0)).toEqual({
      tradeId: '77',
      qty: 100,
      price: 10000005,
      liquidity: 'maker',
      venueTime: 1772323201000,
      fee: 0,
      commission: { asset: 'BNB', amount: '0.0000015', unvalued: true },
    });
  });

  it('a commission in the quote asset is its amount in notional units; in the base asset, at the trade price', () => {
    // 0.1 USDT = 1,000,000 units of 1e-7.
    expect(reportedTrade(inst, assets, myTrade('0.10000000', 'USDT'), 0)).toMatchObject({
      fee: 1_000_000,
      commission: { asset: 'USDT', amount: '0.1' },
    });
    // 0.00001 BTC is 1 lot, at 10,000,005 ticks: 10,000,005 units; the lot is kept of the base.
    expect(reportedTrade(inst, assets, myTrade('0.00001000', 'BTC'), 0)).toMatchObject({
      fee: 10_000_005,
      commission: { asset: 'BTC', amount: '0.00001', baseLots: 1 },
    });
  });

  it('a base-asset commission finer than a lot is valued exactly, not rounded to a lot first', () => {
    // 0.00000123 BTC (0.123 lots) at 100,000.05: 0.1230000615 USDT = 1,230,000.615 units.
    const t = reportedTrade(inst, assets, myTrade('0.00000123', 'BTC'), 0);
    expect(t?.fee).toBe(1_230_001);
    expect(t?.commission?.baseLots).toBeCloseTo(0.123, 12);
  });

  it('the POST answer, the stream and myTrades name one execution by one trade id', () => {
    const post = ex.parseOrder({ ...full, fills: [{ ...full.fills[0], tradeId: 77 }] }, market).trades?.[0] as Trade;
    const stream = parseWsTrade({
      e: 'executionReport',
      E: 1772323201000,
      s: 'BTCUSDT',
      c: WIRE,
      S: 'BUY',
      o: 'LIMIT',
      f: 'GTC',
      q: '0.003',
      p: '100000.05',
      P: '0',
      F: '0',
      g: -1,
      C: '',
      x: 'TRADE',
      X: 'PARTIALLY_FILLED',
      r: 'NONE',
      i: 4242,
      l: '0.00100000',
      z: '0.00100000',
      L: '100000.05000000',
      n: '0.00000150',
      N: 'BNB',
      T: 1772323201000,
      t: 77,
      I: 100,
      w: true,
      m: true,
      M: true,
      O: 1772323200000,
      Z: '100.00005',
      Y: '100.00005',
      Q: '0',
    });
    const ids3 = [post, stream, myTrade('0.00000150', 'BNB')].map((t) => reportedTrade(inst, assets, t, 0)?.tradeId);
    expect(ids3).toEqual(['77', '77', '77']);
    // The POST answer's fills carry no time and no side of the book: the answer's time, a taker's.
    expect(reportedTrade(inst, assets, post, 1772323200100)).toMatchObject({
      venueTime: 1772323200100,
      liquidity: 'taker',
    });
    expect(reportedTrade(inst, assets, stream, 0)).toMatchObject({ liquidity: 'maker', venueTime: 1772323201000 });
  });
});
