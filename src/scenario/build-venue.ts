// Builds the simulated venue of a scenario: venue rules, latency, fault schedule, the exchange
// over a displayed L2 book, and the market model that drives it; schedules the faults' window
// edges (logged), halts and price jumps when started. The caller starts it before scheduling
// anything else, so orders at the run's first instant already see a book. A scenario with
// otherInstruments gets a book and a market model per symbol on the one venue and account
// (quote shared, counted in account units: instrument-set.ts); a halt stops every book.
import type { Rng } from '../core/clock/rng.ts';
import type { ExecEvent } from '../core/model/events.ts';
import { priceToTicks, qtyToLots, type Instrument } from '../core/model/instrument.ts';
import type { Clock } from '../core/ports/clock.ts';
import { venueRules, type VenueRules } from '../core/venues/index.ts';
import { GridBook } from '../sim/book/grid-book.ts';
import { L2Book } from '../sim/book/l2-book.ts';
import { FaultSchedule, type FaultSpec } from '../sim/faults.ts';
import { LatencyModel } from '../sim/latency-model.ts';
import { AlmgrenChrissModel } from '../sim/market/almgren-chriss-model.ts';
import type { GridMarketSink, MarketModel } from '../sim/market/market-model.ts';
import type { WarnFn } from '../sim/market/price-floor.ts';
import { StaticBookModel } from '../sim/market/static-book-model.ts';
import { SyntheticModel } from '../sim/market/synthetic-model.ts';
import { ZeroIntelligenceModel } from '../sim/market/zero-intelligence-model.ts';
import { makeQueueModel } from '../sim/venue/queue-model.ts';
import { SimExchange } from '../sim/venue/sim-exchange.ts';
import { QuotePurse } from '../sim/venue/exchange-account.ts';
import { VenueIds, type ExchangeConfig } from '../sim/venue/book-matcher.ts';
import type { Instrument as Inst } from '../core/model/instrument.ts';
import { instrumentFor, scenarioInstruments } from './scenario-requests.ts';
import { SimVenue, type DeferringMarket, type SimVenueOptions } from '../sim/venue/sim-venue.ts';
import { VenueMarketSink } from '../sim/venue/venue-market-sink.ts';
import { assetsOf } from '../core/fills/fees.ts';
import type { Scenario } from './schema.ts';
import { parseDurationMs } from '../core/model/time-fields.ts';
import { buildReplayModel, type ReplaySourceOptions } from './build-replay.ts';

export interface BuiltVenue {
  readonly venue: SimVenue;
  readonly model: MarketModel;
  /** The exchange core behind the venue (the venue's own records of our orders, its book). */
  readonly exchange: SimExchange;
  /** Starts the market, the venue's calendar and the fault schedule (after the engine exists). */
  start(): void;
}

/** What a caller other than a backtest changes (the wall-clock gateway). */
export interface BuildVenueOptions {
  /** The venue's rules instead of those of `venue.name` (e.g. other trading hours). */
  readonly rules?: VenueRules;
  /** The clock a replay market reads its recorded times against, when not `clock` (shifted so
   *  that the recording's start is now). */
  readonly replayClock?: Clock;
  /** Where a replay market's parsed cache is read and written: a directory, null for none;
   *  absent: the environment's (build-replay.ts). */
  readonly replayCacheDir?: string | null;
}

const TIME_UNIT_MS = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

function faultSpecs(s: Scenario, start: number): FaultSpec[] {
  const at = (d: string) => start + parseDurationMs(d);
  return s.faults.map((f): FaultSpec => {
    if (f.kind === 'price_jump') return { kind: 'price_jump', at: at(f.at), bps: f.bps };
    return { ...f, from: at(f.from), until: at(f.until) } as FaultSpec;
  });
}

export function buildVenue(
  s: Scenario,
  scenarioFile: string,
  clock: Clock,
  rng: Rng,
  instrument: Instrument,
  start: number,
  record: (event: ExecEvent) => void,
  options: BuildVenueOptions = {},
): BuiltVenue {
  const onFault = (fault: string, detail: string): void => record({ kind: 'FaultApplied', fault, detail });
  const rules = options.rules ?? venueRules(s.venue.name);
  const faults = new FaultSchedule(faultSpecs(s, start), rng.stream('faults'));
  const latency = new LatencyModel(s.venue.latency, rng.stream('latency'));
  const set = s.otherInstruments.length > 0 ? scenarioInstruments(s, instrument) : null;
  // One quote balance for every book, in account units (the run's notional units with one book).
  const quoteUnits = s.venue.account
    ? priceToTicks(instrument, s.venue.account.quote) *
      qtyToLots(instrument, '1') *
      (set?.scaleOf(instrument.symbol) ?? 1)
    : 0;
  const shared =
    set === null ? null : { purse: new QuotePurse(s.venue.account !== undefined, quoteUnits), ids: new VenueIds() };
  const exchangeOf = (
    inst: Inst,
    market: Scenario['market'],
    baseLots: number,
  ): { exchange: SimExchange; book: GridBook | L2Book } => {
    // A generated market draws each side as a grid of levels: the venue keeps it as one.
    const generated = market.model === 'synthetic' || market.model === 'almgren_chriss';
    const book = generated ? new GridBook() : new L2Book();
    const config: ExchangeConfig = {
      instrument: inst,
      makerFeeBps: s.venue.fees.makerBps,
      takerFeeBps: s.venue.fees.takerBps,
      queue: makeQueueModel(s.venue.queue),
      fillOnTouch: s.venue.fillOnTouch,
      account: s.venue.account ? { quoteUnits, baseLots } : null,
      clientIdUniqueness: rules.clientIdUniqueness,
      ...(shared && set ? { shared: { ...shared, quoteScale: set.scaleOf(inst.symbol) } } : {}),
    };
    return { exchange: new SimExchange(book, config, () => clock.now()), book };
  };
  const { exchange, book } = exchangeOf(
    instrument,
    s.market,
    s.venue.account ? qtyToLots(instrument, s.venue.account.base) : 0,
  );
  const venue = new SimVenue(clock, exchange, latency, faults, {
    rules,
    onFault,
    clockSkewMs: s.venue.clockSkewMs,
    ...commissionOption(s, instrument),
  });
  const sink = new VenueMarketSink(venue.book(instrument.symbol), exchange, book);
  const model = buildModel(
    s,
    scenarioFile,
    clock,
    options.replayClock ?? clock,
    rng.stream('market'),
    instrument,
    sink,
    faults,
    exchange,
    record,
    replayCache(options),
  );
  // Every further instrument: its book on the venue, driven by its own model and random stream.
  const others = s.otherInstruments.map((o, k) => {
    const inst = instrumentFor(s, instrument, o.symbol);
    const market = o.market as Scenario['market'];
    const built = exchangeOf(inst, market, qtyToLots(inst, o.base));
    const venueBook = venue.addExchange(built.exchange, commissionOption(s, inst).commission);
    const otherModel = buildModel(
      { ...s, market },
      scenarioFile,
      clock,
      options.replayClock ?? clock,
      rng.stream(`market/${inst.symbol}`),
      inst,
      new VenueMarketSink(venueBook, built.exchange, built.book),
      faults,
      built.exchange,
      // Which symbol's recording ran out: the report weighs each parent against its own.
      (e) => record(e.kind === 'MarketDataEnded' ? { ...e, symbol: inst.symbol } : e),
      { ...replayCache(options), symbolField: `the scenario's otherInstruments[${k}].symbol` },
    );
    if (isDeferring(otherModel)) venueBook.market = otherModel;
    return { exchange: built.exchange, model: otherModel, book: venueBook };
  });

  if (isDeferring(model)) venue.book(instrument.symbol).market = model;
  const startAll = (): void => {
    // Halt windows may overlap: the venue is halted while any of them is open.
    let openHalts = 0;
    for (const m of faults.milestones()) {
      clock.schedule(() => {
        // A fault acts on the market as it is now: a deferring model's events come first.
        model.catchUpBook?.();
        for (const o of others) o.model.catchUpBook?.();
        const what = m.spec.kind;
        if (m.edge === 'at' && m.spec.kind === 'price_jump') {
          onFault(what, `price jumps ${m.spec.bps} bps`);
          model.jump(m.spec.bps);
          return;
        }
        onFault(what, `${what} ${m.edge === 'start' ? 'begins' : 'ends'}`);
        if (what === 'halt') {
          openHalts += m.edge === 'start' ? 1 : -1;
          exchange.halted = openHalts > 0;
          for (const o of others) o.exchange.halted = openHalts > 0;
        }
        if (
          what === 'spread_shift' ||
          what === 'liquidity_drop' ||
          what === 'stale_quotes' ||
          what === 'market_data_outage'
        ) {
          venue.refreshTop();
          for (const o of others) o.book.refreshTop();
        }
      }, m.at - start);
    }
    venue.start();
    model.start();
    for (const o of others) o.model.start();
  };
  return { venue, model, exchange, start: startAll };
}

const isDeferring = (m: MarketModel): m is MarketModel & DeferringMarket =>
  typeof m.catchUp === 'function' && typeof m.catchUpBook === 'function' && typeof m.wake === 'function';

/** The replay cache's directory the options give, if any (else the environment's). */
const replayCache = (options: BuildVenueOptions): ReplaySourceOptions =>
  options.replayCacheDir === undefined ? {} : { cacheDir: options.replayCacheDir };

function buildModel(
  s: Scenario,
  scenarioFile: string,
  clock: Clock,
  replayClock: Clock,
  rng: Rng,
  inst: Instrument,
  sink: GridMarketSink,
  faults: FaultSchedule,
  exchange: SimExchange,
  record: (event: ExecEvent) => void,
  cache: ReplaySourceOptions,
): MarketModel {
  const m = s.market;
  const ticks = (price: string) => priceToTicks(inst, price);
  const lots = (qty: string) => qtyToLots(inst, qty);
  const tick = Number(inst.tickSize);
  const lot = Number(inst.lotSize);
  const warn: WarnFn = (warning, detail) => record({ kind: 'ModelWarning', model: m.model, warning, detail });
  switch (m.model) {
    case 'static_book':
      return new StaticBookModel(sink, {
        bids: m.bids.map(([p, q]) => [ticks(p), lots(q)] as const),
        asks: m.asks.map(([p, q]) => [ticks(p), lots(q)] as const),
      });
    case 'synthetic':
      return new SyntheticModel(
        clock,
        rng,
        sink,
        faults,
        {
          initialMid: ticks(m.initialPrice),
          walk: m.walk,
          sigma: m.walk === 'arithmetic' ? m.volatility / tick : m.volatility,
          stepMs: m.stepMs,
          regimes:
            m.regimes.length > 0
              ? m.regimes.map((r) => ({ spreadTicks: r.spreadTicks, meanDurationMs: parseDurationMs(r.meanDuration) }))
              : [{ spreadTicks: m.spreadTicks, meanDurationMs: Infinity }],
          depth: m.depth.map(lots),
          levelSpacingTicks: m.levelSpacingTicks,
          trades: m.trades ? { ratePerSec: m.trades.ratePerSec, meanQty: lots(m.trades.meanQty) } : null,
        },
        warn,
      );
    case 'almgren_chriss': {
      const model = new AlmgrenChrissModel(
        clock,
        rng,
        sink,
        faults,
        {
          initialMid: ticks(m.initialPrice),
          sigma: m.sigma / tick,
          timeUnitMs: TIME_UNIT_MS[m.timeUnit],
          gamma: (m.gamma * lot) / tick,
          epsilon: m.epsilon / tick,
          eta: (m.eta * lot) / tick,
          stepMs: m.stepMs,
          rateIntervalMs: parseDurationMs(m.rateInterval),
          depth: m.depth.map(lots),
        },
        warn,
      );
      exchange.impact = model;
      return model;
    }
    case 'zero_intelligence':
      return new ZeroIntelligenceModel(clock, rng, sink, {
        initialMid: ticks(m.initialPrice),
        limitRatePerSec: m.limitRatePerSec,
        marketRatePerSec: m.marketRatePerSec,
        cancelRatePerSec: m.cancelRatePerSec,
        priceRangeTicks: m.priceRangeTicks,
        meanQty: lots(m.meanQty),
        initialOrders: m.initialOrders,
      });
    case 'replay':
      return buildReplayModel(m, scenarioFile, replayClock, inst, sink, record, parseDurationMs(s.duration), cache);
  }
}

/** The venue states commissions in another asset: the fee (notional units) at that asset's price. */
export function commissionOption(s: Scenario, inst: Instrument): Pick<SimVenueOptions, 'commission'> {
  const asset = s.venue.fees.commissionAsset;
  if (asset === undefined) return {};
  const { base, quote } = assetsOf(inst.symbol);
  const unit = Number(inst.tickSize) * Number(inst.lotSize);
  const fixed = s.venue.fees.commissionAssetPrice === undefined ? null : Number(s.venue.fees.commissionAssetPrice);
  return {
    commission: (fee, price) => {
      const quoteFee = fee * unit;
      const rate = asset === quote ? 1 : asset === base ? price * Number(inst.tickSize) : (fixed as number);
      return { asset, amount: (quoteFee / rate).toFixed(12).replace(/\.?0+$/, '') || '0' };
    },
  };
}
