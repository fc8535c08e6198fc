// The cross-field checks of a scenario's world, beside the checks of its inputs
// (scenario-checks.ts, which runs these): the instrument's own steps, the further instruments
// (each its own symbol, market and grid), the account's starting balances and the market model's
// levels on the instrument's tick and lot grid.
import { parseDecimal } from '../core/model/decimal.ts';
import { makeInstrument } from '../core/model/instrument.ts';
import { InstrumentSet } from '../core/model/instrument-set.ts';
import { parseDurationMs } from '../core/model/time-fields.ts';
import { checkQuoteAmount, gridProblem } from './magnitude-limits.ts';
import type { Issue } from './limit-parts.ts';
import { synthesizesBook } from './replay-formats.ts';
import type { ScenarioFile } from './scenario-fields.ts';

export type OnGrid = (path: (string | number)[], value: string | undefined, step: string, what: string) => void;

/** Decimal places of tickSize and lotSize: reports print prices with 4 more than the tick. */
const MAX_STEP_DECIMALS = 18;

export function checkInstrument(s: ScenarioFile, issue: Issue): void {
  const { tickSize, lotSize, minNotional } = s.instrument;
  for (const [k, v] of [
    ['tickSize', tickSize],
    ['lotSize', lotSize],
  ] as const) {
    const places = parseDecimal(v).scale;
    if (places > MAX_STEP_DECIMALS)
      issue(['instrument', k], `${v} has ${places} decimal places, more than the ${MAX_STEP_DECIMALS} allowed`);
  }
  checkQuoteAmount(['instrument', 'minNotional'], minNotional, makeInstrument(s.instrument), issue);
}

type Spec = ScenarioFile['instrument'];

/**
 * The further instruments: each a symbol of its own, with its market (a simulation needs one),
 * its starting base on its lot grid, and a notional unit that is a whole number of the finest
 * (the account counts the one quote balance in it); a paper run trades them all on the venue's
 * account, its market the venue's. Returns
 * what an order, signal or external order's `symbol` names (the run's instrument when absent;
 * an unknown symbol is an issue at `path`, and the run's instrument stands in for the grid checks).
 */
export function checkOtherInstruments(
  s: ScenarioFile,
  issue: Issue,
  onGrid: OnGrid,
): (path: (string | number)[], symbol: string | undefined) => Spec {
  const bySymbol = new Map<string, Spec>([[s.instrument.symbol, s.instrument]]);
  s.otherInstruments.forEach((o, i) => {
    const path = (...k: (string | number)[]) => ['otherInstruments', i, ...k];
    if (bySymbol.has(o.symbol))
      issue(path('symbol'), `${o.symbol} is traded already: every instrument needs its own symbol`);
    else bySymbol.set(o.symbol, o);
    for (const k of ['tickSize', 'lotSize'] as const) {
      const places = parseDecimal(o[k]).scale;
      if (places > MAX_STEP_DECIMALS)
        issue(path(k), `${o[k]} has ${places} decimal places, more than the ${MAX_STEP_DECIMALS} allowed`);
    }
    // A paper run trades each on the venue's own market; a simulation needs one for each.
    if (s.mode !== 'paper' && o.market === undefined)
      issue(path('market'), "is required to simulate the venue: it is this symbol's market");
    if (o.market !== undefined) {
      // The market's own checks, at this instrument's market.
      const at = (p: (string | number)[]) => path('market', ...p.slice(1));
      checkMarket(
        o.market,
        o,
        (p, m) => issue(at(p), m),
        (p, v, step, what) => onGrid(at(p), v, step, what),
      );
    }
    onGrid(path('base'), o.base, o.lotSize, 'lots');
    checkQuoteAmount(path('minNotional'), o.minNotional, makeInstrument(o), issue);
  });
  if (s.otherInstruments.length > 0) {
    try {
      InstrumentSet.of([s.instrument, ...s.otherInstruments].map((i) => makeInstrument(i)));
    } catch (err) {
      issue(['otherInstruments'], (err as Error).message.replace(/^instruments: /, ''));
    }
  }
  return (path, symbol) => {
    if (symbol === undefined) return s.instrument;
    const spec = bySymbol.get(symbol);
    if (spec === undefined)
      issue(path, `${symbol} is not traded by this scenario (instrument ${[...bySymbol.keys()].join(', ')})`);
    return spec ?? s.instrument;
  };
}

/** Starting balances: quote in whole ticks of one whole lot (the venue keeps quote in notional
 *  units, ticks x lots per unit of base), base in whole lots. */
export function checkAccount(s: ScenarioFile, issue: Issue, onGrid: OnGrid): void {
  const a = s.venue.account;
  if (!a) return;
  const { tickSize, lotSize } = s.instrument;
  onGrid(['venue', 'account', 'quote'], a.quote, tickSize, 'ticks');
  onGrid(['venue', 'account', 'base'], a.base, lotSize, 'lots');
  if (gridProblem('1', lotSize, 'lots') !== null)
    issue(
      ['venue', 'account'],
      `balances need 1 to be a whole number of lots, and lotSize ${lotSize} does not divide 1`,
    );
  else checkQuoteAmount(['venue', 'account', 'quote'], a.quote, makeInstrument(s.instrument), issue);
}

export function checkMarket(
  m: NonNullable<ScenarioFile['market']>,
  instrument: ScenarioFile['instrument'],
  issue: Issue,
  onGrid: OnGrid,
): void {
  const { tickSize, lotSize } = instrument;
  if (m.model === 'static_book') {
    m.bids.forEach(([p, q], i) => {
      onGrid(['market', 'bids', i, 0], p, tickSize, 'ticks');
      onGrid(['market', 'bids', i, 1], q, lotSize, 'lots');
    });
    m.asks.forEach(([p, q], i) => {
      onGrid(['market', 'asks', i, 0], p, tickSize, 'ticks');
      onGrid(['market', 'asks', i, 1], q, lotSize, 'lots');
    });
    const ordered = (levels: [string, string][], dir: 1 | -1, side: string) => {
      for (let i = 1; i < levels.length; i++) {
        const a = Number((levels[i - 1] as [string, string])[0]);
        const b = Number((levels[i] as [string, string])[0]);
        if (dir * (b - a) <= 0)
          issue(
            ['market', side, i, 0],
            `${side} must be strictly ${dir === 1 ? 'ascending' : 'descending'} by price, best first`,
          );
      }
    };
    ordered(m.bids, -1, 'bids');
    ordered(m.asks, 1, 'asks');
    const bestBid = m.bids[0];
    const bestAsk = m.asks[0];
    if (bestBid && bestAsk && Number(bestBid[0]) >= Number(bestAsk[0])) {
      issue(['market', 'asks', 0, 0], `best ask ${bestAsk[0]} must be above best bid ${bestBid[0]}`);
    }
    return;
  }
  if (m.model === 'replay') {
    // Recorded quantities come in data lots and are floored to whole instrument lots.
    const problem = gridProblem(lotSize, m.dataLotSize, 'data lots');
    if (problem !== null)
      issue(
        ['market', 'dataLotSize'],
        `instrument.lotSize ${lotSize} must be a whole number of dataLotSize ${m.dataLotSize}`,
      );
    if (synthesizesBook(m.format) && m.book === undefined)
      issue(
        ['market', 'book'],
        'a trade archive recorded no book: give book.depth (quantity per level, best first) for the book synthesized around the trades',
      );
    if (!synthesizesBook(m.format) && m.book !== undefined)
      issue(['market', 'book'], `only a trade archive has its book synthesized; ${m.format} data has its own`);
    if (!synthesizesBook(m.format) && m.bars !== undefined)
      issue(
        ['market', 'bars'],
        `only a kline archive has trades synthesized inside its bars; ${m.format} data has its own`,
      );
    m.book?.depth.forEach((q, i) => onGrid(['market', 'book', 'depth', i], q, m.dataLotSize, 'data lots'));
    for (const [path, step] of [
      [['instrument', 'tickSize'], tickSize],
      [['market', 'dataLotSize'], m.dataLotSize],
    ] as const) {
      if (parseDecimal(step).mantissa > BigInt(Number.MAX_SAFE_INTEGER))
        issue([...path], `${step} has too many digits for the replay parser (at most 15 significant digits)`);
    }
    return;
  }
  onGrid(['market', 'initialPrice'], m.initialPrice, tickSize, 'ticks');
  if (m.model === 'zero_intelligence') {
    onGrid(['market', 'meanQty'], m.meanQty, lotSize, 'lots');
    return;
  }
  m.depth.forEach((q, i) => onGrid(['market', 'depth', i], q, lotSize, 'lots'));
  if (m.model === 'synthetic') {
    if (m.trades) onGrid(['market', 'trades', 'meanQty'], m.trades.meanQty, lotSize, 'lots');
    m.regimes.forEach((r, i) => {
      if (parseDurationMs(r.meanDuration) <= 0)
        issue(['market', 'regimes', i, 'meanDuration'], 'must be longer than zero');
    });
  }
}
