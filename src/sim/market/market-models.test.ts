// The generative market models driving a real SimExchange on a virtual clock: the synthetic
// random walk (seeded determinism, spread regimes, Poisson trades, geometric walk) and
// Almgren-Chriss impact on our own executions, with the models' warnings. Prices in ticks,
// quantities in lots.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/clock/rng.ts';
import { VirtualClock } from '../../core/clock/virtual-clock.ts';
import { clientOrderId, parentOrderId, symbol } from '../../core/model/ids.ts';
import { makeInstrument } from '../../core/model/instrument.ts';
import type { ModelWarning } from '../../core/model/events.ts';
import type { OrderRequest, Side } from '../../core/model/order.ts';
import { GridBook } from '../book/grid-book.ts';
import { L2Book, type DisplayedBook } from '../book/l2-book.ts';
import { FaultSchedule } from '../faults.ts';
import type { ExchangeTrade } from '../venue/exchange-order.ts';
import { makeQueueModel } from '../venue/queue-model.ts';
import { SimExchange } from '../venue/sim-exchange.ts';
import { AlmgrenChrissModel, type AlmgrenChrissSpec } from './almgren-chriss-model.ts';
import type { GridMarketSink } from './market-model.ts';
import { SyntheticModel, type SyntheticSpec } from './synthetic-model.ts';

const instrument = makeInstrument({ symbol: 'T', tickSize: '1', lotSize: '1', minNotional: '0' });

interface Top {
  readonly time: number;
  readonly bid: number | null;
  readonly ask: number | null;
}
interface Trade {
  readonly time: number;
  readonly price: number;
  readonly qty: number;
  readonly aggressor: Side;
  /** Best price on the side the trade hit, just before it. */
  readonly best: number | null;
}

/** A SimExchange on a virtual clock, wired as the models' sink, recording what they do; over the
 *  GridBook the venue gives generated markets, or an L2Book (every level written one by one). */
function market(kind: 'grid' | 'l2' = 'grid') {
  const clock = new VirtualClock(0);
  const book: DisplayedBook = kind === 'grid' ? new GridBook() : new L2Book();
  const ex = new SimExchange(
    book,
    {
      instrument,
      makerFeeBps: 0,
      takerFeeBps: 0,
      queue: makeQueueModel({ model: 'risk_averse' }),
      fillOnTouch: false,
      account: null,
      clientIdUniqueness: 'open-orders',
    },
    () => clock.now(),
  );
  const fills: Array<{ id: string; trade: ExchangeTrade }> = [];
  ex.setListener({
    accepted: () => {},
    filled: (o, trade) => fills.push({ id: o.clientOrderId, trade }),
    canceled: () => {},
    expired: () => {},
  });
  const tops: Top[] = [];
  const trades: Trade[] = [];
  const problems: string[] = [];
  let pending: { side: 'bid' | 'ask'; price: number; before: number; qty: number } | null = null;
  const sink: GridMarketSink = {
    setLevel: (side, price, qty, refresh) => {
      if (pending) {
        // The level a trade hit shrinks by the traded quantity, without a refresh.
        const p = pending;
        pending = null;
        if (refresh !== false || side !== p.side || price !== p.price || qty !== p.before - p.qty) {
          problems.push(
            `after a trade of ${p.qty} at ${p.side} ${p.price} (showing ${p.before}): setLevel(${side}, ${price}, ${qty}, ${refresh})`,
          );
        }
      }
      ex.setLevel(side, price, qty, refresh);
    },
    setGrid: (side, best, gap, qtys, count) => {
      if (pending) problems.push(`after a trade at ${pending.side} ${pending.price}: a redrawn ${side} side`);
      pending = null;
      ex.setGrid(side, best, gap, qtys, count);
    },
    marketTrade: (price, qty, aggressor) => {
      const side = aggressor === 'buy' ? 'ask' : 'bid';
      const before = book.qty(side, price);
      if (before < qty) problems.push(`a trade of ${qty} at ${side} ${price} showing only ${before}`);
      trades.push({ time: clock.now(), price, qty, aggressor, best: side === 'ask' ? book.bestAsk() : book.bestBid() });
      pending = { side, price, before, qty };
      ex.marketTrade(price, qty, aggressor);
    },
    refreshTop: () => tops.push({ time: clock.now(), bid: book.bestBid(), ask: book.bestAsk() }),
    levelQty: (side, price) => book.qty(side, price),
    best: (side) => (side === 'bid' ? book.bestBid() : book.bestAsk()),
    available: (side, price) => ex.available(side, price),
  };
  return { clock, book, ex, sink, tops, trades, fills, problems };
}

const noFaults = (rng: Rng) => new FaultSchedule([], rng.stream('faults'));

const SYNTHETIC: SyntheticSpec = {
  initialMid: 10_000,
  walk: 'arithmetic',
  sigma: 3,
  stepMs: 100,
  regimes: [{ spreadTicks: 2, meanDurationMs: Infinity }],
  depth: [5, 8, 10, 15],
  levelSpacingTicks: 1,
  trades: { ratePerSec: 4, meanQty: 3 },
};

function synthetic(spec: Partial<SyntheticSpec>, seed = 1, runMs = 60_000) {
  const m = market();
  const rng = new Rng(seed);
  const warnings: Array<ModelWarning['warning']> = [];
  const model = new SyntheticModel(
    m.clock,
    rng.stream('market'),
    m.sink,
    noFaults(rng),
    { ...SYNTHETIC, ...spec },
    (w) => warnings.push(w),
  );
  model.start();
  m.clock.advanceTo(runMs);
  return { ...m, model, warnings };
}

let n = 0;
function order(side: Side, qty: number, limitPrice?: number): OrderRequest {
  return {
    clientOrderId: clientOrderId(`o${++n}`),
    parentId: parentOrderId('p'),
    sliceNum: 1,
    totalSlices: 1,
    scheduledTime: 0,
    symbol: symbol('T'),
    side,
    type: limitPrice === undefined ? 'market' : 'limit',
    tif: limitPrice === undefined ? 'IOC' : 'GTC',
    qty,
    ...(limitPrice === undefined ? {} : { limitPrice }),
  };
}

describe('synthetic model', () => {
  it('is determined by its seed: the same seed gives the same book and tape, another seed another', () => {
    const a = synthetic({});
    const b = synthetic({});
    const c = synthetic({}, 2);
    expect(a.tops.length).toBeGreaterThan(500);
    expect(b.tops).toEqual(a.tops);
    expect(b.trades).toEqual(a.trades);
    expect(b.book.depth('bid', 10)).toEqual(a.book.depth('bid', 10));
    expect(c.tops).not.toEqual(a.tops);
    expect(c.trades).not.toEqual(a.trades);
  });

  it('draws the walk, the regimes and the trades from separate streams: turning trades off leaves the walk alone', () => {
    const withTrades = synthetic({ trades: { ratePerSec: 4, meanQty: 3 } });
    const without = synthetic({ trades: null });
    const mids = (tops: Top[]) => tops.filter((_, i) => i % 10 === 0).map((t) => (t.bid ?? 0) + (t.ask ?? 0));
    // Rebuilds happen on the step grid in both runs; compare the book at each step.
    const onGrid = (tops: Top[]) => tops.filter((t) => t.time % SYNTHETIC.stepMs === 0);
    expect(mids(onGrid(withTrades.tops)).slice(0, 100)).toEqual(mids(onGrid(without.tops)).slice(0, 100));
    expect(without.trades).toEqual([]);
  });

  it('switches between spread regimes: the spread seen in the book changes over time, only among the regimes', () => {
    const { tops } = synthetic(
      {
        sigma: 0,
        regimes: [
          { spreadTicks: 2, meanDurationMs: 5_000 },
          { spreadTicks: 10, meanDurationMs: 2_000 },
          { spreadTicks: 30, meanDurationMs: 1_000 },
        ],
        trades: null,
      },
      7,
      120_000,
    );
    const spreads = tops.map((t) => (t.ask as number) - (t.bid as number));
    expect(new Set(spreads)).toEqual(new Set([2, 10, 30]));
    expect(spreads[0]).toBe(2); // the first regime is where the run starts
    let switches = 0;
    for (let i = 1; i < spreads.length; i++) if (spreads[i] !== spreads[i - 1]) switches++;
    // Mean regime life is a few seconds: dozens of switches in two minutes.
    expect(switches).toBeGreaterThan(20);
    // Time spent per regime follows the mean durations (5 s : 2 s : 1 s), roughly.
    const share = (s: number) => spreads.filter((x) => x === s).length / spreads.length;
    expect(share(2)).toBeGreaterThan(share(10));
    expect(share(10)).toBeGreaterThan(share(30));
  });

  it('a single regime keeps the quoted spread constant (without trades that empty the touch)', () => {
    const { tops } = synthetic({ regimes: [{ spreadTicks: 4, meanDurationMs: 1_000 }], trades: null });
    expect(new Set(tops.map((t) => (t.ask as number) - (t.bid as number)))).toEqual(new Set([4]));
  });

  it('Poisson trades hit displayed levels, shrink them by what they take, and show up as market trades', () => {
    const s = synthetic({ trades: { ratePerSec: 5, meanQty: 4 } }, 3, 200_000);
    expect(s.problems).toEqual([]);
    // About 5 a second over 200 s (a trade that walks levels is several prints).
    const arrivals = new Set(s.trades.map((t) => t.time)).size;
    expect(arrivals).toBeGreaterThan(900);
    expect(arrivals).toBeLessThan(1100);
    // Each print is at or behind the touch on the side it hits; both sides get hit.
    for (const t of s.trades)
      expect(t.aggressor === 'buy' ? t.price >= (t.best as number) : t.price <= (t.best as number)).toBe(true);
    const buys = s.trades.filter((t) => t.aggressor === 'buy').length / s.trades.length;
    expect(buys).toBeGreaterThan(0.4);
    expect(buys).toBeLessThan(0.6);
    // Mean size per arrival near meanQty.
    const perArrival = s.trades.reduce((x, t) => x + t.qty, 0) / arrivals;
    expect(perArrival).toBeGreaterThan(3.5);
    expect(perArrival).toBeLessThan(4.5);
    expect(s.ex.lastTradePrice).toBe((s.trades[s.trades.length - 1] as Trade).price);
  });

  it('market trades eat the queue ahead of our resting order and then fill it', () => {
    const m = market();
    const rng = new Rng(5);
    const model = new SyntheticModel(m.clock, rng.stream('market'), m.sink, noFaults(rng), {
      ...SYNTHETIC,
      sigma: 0,
      trades: { ratePerSec: 10, meanQty: 2 },
    });
    model.start();
    const bid = m.book.bestBid() as number;
    const o = m.ex.submit(order('buy', 3, bid), false);
    if (typeof o === 'string') throw new Error(o);
    expect(o.ahead).toBe(SYNTHETIC.depth[0]);
    m.clock.advanceTo(60_000);
    const sold = m.trades.filter((t) => t.aggressor === 'sell' && t.price === bid).reduce((x, t) => x + t.qty, 0);
    expect(sold).toBeGreaterThan(SYNTHETIC.depth[0] as number);
    expect(o.status).toBe('filled');
    expect(m.fills.every((f) => f.trade.price === bid && f.trade.liquidity === 'maker')).toBe(true);
  });

  it('a geometric walk stays positive (and every displayed price is a positive tick) even at extreme volatility', () => {
    for (const seed of [1, 2, 3]) {
      const s = synthetic({ walk: 'geometric', initialMid: 50, sigma: 1.5, trades: null }, seed, 120_000);
      const mids = s.tops.map((t) => ((t.bid as number) + (t.ask as number)) / 2);
      expect(s.model.midTicks()).toBeGreaterThan(0);
      expect(Number.isFinite(s.model.midTicks())).toBe(true);
      for (const t of s.tops) {
        expect(t.bid).not.toBeNull();
        expect(t.bid as number).toBeGreaterThanOrEqual(1);
        expect(t.ask as number).toBeGreaterThan(t.bid as number);
      }
      // It does move (this is not a flat line held up by the floor).
      expect(Math.max(...mids)).toBeGreaterThan(Math.min(...mids) * 2);
    }
  });

  it('a mid pushed under one tick is held there with a price_floor warning, once while it stays there', () => {
    const s = synthetic({ initialMid: 50, sigma: 0, trades: null }, 1, 1_000);
    expect(s.warnings).toEqual([]);
    s.model.jump(-9_999); // 50 x 0.0001 = 0.005 ticks
    expect(s.model.midTicks()).toBe(1);
    expect(s.book.bestBid()).toBe(1);
    // One for the mid, one for the displayed bid under it (1 less half the spread of 2).
    expect(s.warnings).toEqual(['price_floor', 'price_floor']);
    s.clock.advanceTo(60_000); // sigma 0: it stays at the floor, and says nothing more
    expect(s.warnings).toHaveLength(2);
    s.model.jump(100_000); // 11 ticks: the mid and the bid above the floor again
    s.model.jump(-9_999); // under again: warned again
    expect(s.warnings).toHaveLength(4);
  });

  it('a geometric walk moves in proportion to the price: the same sigma moves a 10x price 10x as many ticks', () => {
    const low = synthetic({ walk: 'geometric', initialMid: 10_000, sigma: 0.001, trades: null }, 9, 10_000);
    const high = synthetic({ walk: 'geometric', initialMid: 100_000, sigma: 0.001, trades: null }, 9, 10_000);
    const lowMove = low.model.midTicks() - 10_000;
    const highMove = high.model.midTicks() - 100_000;
    expect(highMove / lowMove).toBeCloseTo(10, 6);
  });
});

const AC: AlmgrenChrissSpec = {
  initialMid: 10_000,
  sigma: 0,
  timeUnitMs: 1_000,
  gamma: 0,
  epsilon: 1,
  eta: 0,
  stepMs: 1_000,
  rateIntervalMs: 10_000,
  depth: [1_000, 1_000, 1_000],
};

function almgrenChriss(spec: Partial<AlmgrenChrissSpec>, seed = 1) {
  const m = market();
  const rng = new Rng(seed);
  const warnings: Array<{ warning: ModelWarning['warning']; time: number }> = [];
  const model = new AlmgrenChrissModel(
    m.clock,
    rng.stream('market'),
    m.sink,
    noFaults(rng),
    { ...AC, ...spec },
    (warning) => warnings.push({ warning, time: m.clock.now() }),
  );
  m.ex.impact = model;
  model.start();
  const trade = (side: Side, qty: number) => {
    const before = m.fills.length;
    const o = m.ex.submit(order(side, qty), false);
    if (typeof o === 'string') throw new Error(o);
    return m.fills.slice(before).map((f) => f.trade);
  };
  const count = (w: ModelWarning['warning']) => warnings.filter((x) => x.warning === w).length;
  return { ...m, model, trade, warnings, count };
}

describe('Almgren-Chriss model', () => {
  it('permanent impact moves the mid by gamma per lot we trade, and it stays moved', () => {
    const ac = almgrenChriss({ gamma: 0.1 });
    expect(ac.model.midTicks()).toBe(10_000);
    ac.trade('buy', 50);
    expect(ac.model.midTicks()).toBeCloseTo(10_005, 9);
    ac.clock.advanceTo(30_000); // sigma 0: the walk does not take it back
    expect(ac.model.midTicks()).toBeCloseTo(10_005, 9);
    expect(ac.book.bestAsk()).toBe(Math.ceil(10_005 + 1));
    ac.trade('sell', 120);
    expect(ac.model.midTicks()).toBeCloseTo(10_005 - 12, 9);
  });

  it('gamma 0: our trades leave the mid where it was', () => {
    const ac = almgrenChriss({ gamma: 0 });
    ac.trade('buy', 500);
    expect(ac.model.midTicks()).toBe(10_000);
  });

  it('an execution of n lots trades at the mid before it +/- (epsilon + eta * n / tau), for buys and sells', () => {
    // tau 10 s, eta 2 ticks per (lot / s): 50 lots trade at 5 lots/s, 10 ticks.
    const ac = almgrenChriss({ epsilon: 3, eta: 2, gamma: 0.1 });
    const [buy] = ac.trade('buy', 50);
    expect(buy?.price).toBe(10_000 + 3 + 10);
    expect(ac.model.midTicks()).toBeCloseTo(10_005, 9); // permanent impact after the execution
    ac.clock.advanceTo(20_000);
    const [sell] = ac.trade('sell', 50);
    expect(sell?.price).toBe(10_005 - 3 - 10);
    expect(ac.warnings).toEqual([]);
  });

  it('the rate is the execution over tau: it grows with the execution, not with how soon we traded before', () => {
    const slip = (qty: number) => {
      const ac = almgrenChriss({ eta: 2 });
      return (ac.trade('buy', qty)[0]?.price as number) - 10_001;
    };
    expect([slip(10), slip(50), slip(100)]).toEqual([2, 10, 20]);
    const ac = almgrenChriss({ eta: 2 });
    const first = ac.trade('buy', 50)[0]?.price as number;
    ac.clock.advanceTo(10_000); // one tau later: the model's own schedule
    expect(ac.trade('buy', 50)[0]?.price).toBe(first);
    ac.clock.advanceTo(15_000); // half a tau later: still within what the model assumes
    expect(ac.trade('buy', 50)[0]?.price).toBe(first);
    expect(ac.warnings).toEqual([]);
    ac.clock.advanceTo(16_000); // a tenth of tau: the model understates our rate, and says so
    expect(ac.trade('buy', 50)[0]?.price).toBe(first);
    expect(ac.warnings).toEqual([{ warning: 'rate_interval', time: 16_000 }]);
  });

  it('one execution across several levels is priced as a whole from the mid before it, and warns that it exhausted a level', () => {
    // 250 lots against 100 displayed per level: the model refills its book after each fill, so
    // the order fills 100 + 100 + 50, all at 10,000 + 1 + 2 x 250 / 10 = 10,051.
    const ac = almgrenChriss({ eta: 2, gamma: 0.01, depth: [100, 100, 100] });
    const fills = ac.trade('buy', 250);
    expect(fills.map((f) => [f.qty, f.price])).toEqual([
      [100, 10_051],
      [100, 10_051],
      [50, 10_051],
    ]);
    expect(ac.model.midTicks()).toBeCloseTo(10_002.5, 9);
    expect(ac.warnings).toEqual([{ warning: 'level_exhausted', time: 0 }]);
    ac.clock.advanceTo(10_000);
    ac.trade('buy', 100); // exactly the displayed volume: nothing exhausted beyond it
    expect(ac.count('level_exhausted')).toBe(1);
  });

  it('keeps impact in fractional ticks: a small epsilon or eta moves the average price by its own size', () => {
    // The mid walks (sigma 3 ticks per sqrt(s)), so it sits anywhere between ticks; each execution
    // is rounded to the nearest tick, within half a tick of the model's price, and on average
    // lands on it. Rounding epsilon and the eta term outward to whole ticks would give 1 here.
    for (const [epsilon, etaTicks, side] of [
      [0.2, 0.3, 'buy'],
      [0, 0.3, 'sell'],
      [0.1, 0, 'buy'],
    ] as const) {
      const ac = almgrenChriss({ sigma: 3, epsilon, eta: etaTicks, depth: [1_000_000] }, 11);
      const errors: number[] = [];
      const moves: number[] = [];
      for (let i = 1; i <= 2_000; i++) {
        ac.clock.advanceTo(i * 10_000);
        const mid = ac.model.midTicks();
        const exact = mid + (side === 'buy' ? 1 : -1) * (epsilon + etaTicks); // 10 lots over 10 s: eta x 1
        const price = ac.trade(side, 10)[0]?.price as number;
        errors.push(price - exact);
        moves.push(side === 'buy' ? price - mid : mid - price);
      }
      expect(Math.max(...errors.map(Math.abs))).toBeLessThanOrEqual(0.5);
      const mean = moves.reduce((a, b) => a + b, 0) / moves.length;
      expect(mean).toBeGreaterThan(epsilon + etaTicks - 0.03);
      expect(mean).toBeLessThan(epsilon + etaTicks + 0.03);
      expect(ac.warnings).toEqual([]);
    }
  });

  it('is epsilon alone for eta 0: we fill at the mid +/- epsilon', () => {
    for (const epsilon of [1, 4]) {
      const ac = almgrenChriss({ epsilon, eta: 0 });
      const fills = ac.trade('buy', 300);
      expect(fills.map((f) => f.price)).toEqual([10_000 + epsilon]);
      ac.clock.advanceTo(10_000);
      expect(ac.trade('sell', 300).map((f) => f.price)).toEqual([10_000 - epsilon]);
    }
  });

  it('temporary impact touches only our own taker fills, not resting ones', () => {
    const ac = almgrenChriss({ eta: 50 });
    const o = ac.ex.submit(order('buy', 10, 9_990), false);
    if (typeof o === 'string') throw new Error(o);
    ac.model.jump(-100); // the mid drops 1 %: the ask moves through our bid
    expect(o.status).toBe('filled');
    expect(o.trades.map((t) => [t.price, t.liquidity])).toEqual([[9_990, 'maker']]);
  });

  it('an execution price below one tick is held at one tick, with a price_floor warning', () => {
    // 1,000 lots over 10 s at eta 2: 200 ticks of impact from a mid of 100.
    const ac = almgrenChriss({ initialMid: 100, epsilon: 1, eta: 2 });
    const fills = ac.trade('sell', 1_000);
    expect(fills.map((f) => f.price)).toEqual([1]);
    expect(ac.warnings).toEqual([{ warning: 'price_floor', time: 0 }]);
  });

  it('a mid pushed under one tick is held there, warned once each time it goes under', () => {
    const ac = almgrenChriss({ initialMid: 100, gamma: 1, epsilon: 0 });
    ac.trade('sell', 50); // mid 50
    expect(ac.count('price_floor')).toBe(0);
    ac.clock.advanceTo(10_000);
    ac.trade('sell', 60); // mid would be -10: held at 1, and the displayed bid with it
    expect(ac.model.midTicks()).toBe(1);
    expect(ac.book.bestBid()).toBe(1);
    expect(ac.count('price_floor')).toBe(2);
    ac.clock.advanceTo(20_000);
    ac.trade('sell', 5); // still under: no new warning
    expect(ac.model.midTicks()).toBe(1);
    expect(ac.count('price_floor')).toBe(2);
    ac.clock.advanceTo(30_000);
    ac.trade('buy', 20); // back above the floor
    expect(ac.model.midTicks()).toBe(21);
    ac.clock.advanceTo(40_000);
    ac.trade('sell', 30); // under again: warned again
    expect(ac.count('price_floor')).toBe(4);
  });

  it('steps of any length: a daily step moves the mid by sigma x sqrt(1 day) in distribution', () => {
    const DAY = 86_400_000;
    const moves: number[] = [];
    for (let seed = 1; seed <= 400; seed++) {
      const ac = almgrenChriss({ sigma: 50, timeUnitMs: DAY, stepMs: DAY, epsilon: 0 }, seed);
      ac.clock.advanceTo(DAY - 1);
      expect(ac.model.midTicks()).toBe(10_000); // no step before the day is over
      ac.clock.advanceTo(DAY);
      moves.push(ac.model.midTicks() - 10_000);
    }
    const sd = Math.sqrt(moves.reduce((a, x) => a + x * x, 0) / moves.length);
    expect(sd).toBeGreaterThan(45);
    expect(sd).toBeLessThan(55);
  });
});
