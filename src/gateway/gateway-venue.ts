// The simulated venue of a scenario on the wall clock, for a gateway that real clients trade
// against: the venue a backtest builds (src/scenario/build-venue.ts) on a GatewayClock, with the
// rules of the venue the gateway imitates. The scenario's sections that script a client are
// ignored with a warning each, so a backtest scenario can be served unchanged. A scenario with
// otherInstruments is served whole: one book and market per symbol on the one account, whose
// quote balance they share (counted in account units: instrument-set.ts).
// What differs from a backtest: docs/0068-gateway-notes.md.
import { Rng } from '../core/clock/rng.ts';
import type { ExecEvent } from '../core/model/events.ts';
import type { Symbol } from '../core/model/ids.ts';
import { makeInstrument, unitsToQuote, type Instrument } from '../core/model/instrument.ts';
import type { InstrumentSet } from '../core/model/instrument-set.ts';
import { ALWAYS_OPEN, venueRules, type VenueRules } from '../core/venues/index.ts';
import type { SimExchange } from '../sim/venue/sim-exchange.ts';
import type { SimVenue } from '../sim/venue/sim-venue.ts';
import { loadScenarioFile, ScenarioError, type LoadedScenario } from '../scenario/load-scenario.ts';
import type { Scenario } from '../scenario/schema.ts';
import { parseDurationMs, parseUtcInstant } from '../core/model/time-fields.ts';
import { FaultSchedule, type FaultSpec } from '../sim/faults.ts';
import { LatencyModel } from '../sim/latency-model.ts';
import { BOOK_FILLS, fillProfiles, type GatewayProfile } from './gateway-profile.ts';
import { bookDesk, PaperDesk, type OrderDesk } from './paper-desk.ts';
import { buildVenue } from '../scenario/build-venue.ts';
import { scenarioInstruments } from '../scenario/scenario-requests.ts';
import { GatewayClock, ShiftedClock, type VenueClock } from './gateway-clock.ts';
import { TimeoutLog } from './timeout-log.ts';

export interface GatewayVenueOptions {
  /** The venue the gateway imitates (its folder's profile). */
  readonly profile: GatewayProfile;
  /** 'always' (default): the venue never closes; 'venue': the trading hours of the venue's rules. */
  readonly hours?: 'always' | 'venue';
  /** One line per ignored section, fault edge and model warning. */
  readonly warn?: (message: string) => void;
  /** Every event the venue and its market record (faults applied, model warnings, replay stats). */
  readonly onEvent?: (event: ExecEvent) => void;
  /** The wall clock (tests may pass their own). */
  readonly now?: () => number;
  /** The venue's clock instead of the wall clock's timers (a test that advances time itself). */
  readonly clock?: VenueClock;
  /** Who fills the gateway's orders: the simulated book ('book', the default) or one of the
   *  profile's paper fill profiles (paper-desk.ts). */
  readonly fills?: string;
}

/** One instrument the gateway serves: its exchange at the venue and the account's start in it. */
export interface ServedSymbol {
  readonly instrument: Instrument;
  /** The symbol's exchange core (its book, our orders on it). */
  readonly exchange: SimExchange;
  /** Signed position at the start, lots (`venue.account.base`, or the instrument's `base`). */
  readonly initialPosition: number;
  /** Account units in one of the instrument's notional units (tick x lot); 1 with one instrument. */
  readonly scale: number;
}

/** Scenario sections a gateway ignores: they script the client, and the clients are real. */
const CLIENT_SECTIONS = ['orders', 'signals', 'externalOrders', 'actions', 'restarts', 'expect'] as const;

export class GatewayVenue {
  readonly clock: VenueClock;
  /** Where the venue's events go (options.onEvent), a record of a request an outage leaves
   *  unanswered once its timeout has gone by (timeout-log.ts): the wire's own faults go here too. */
  readonly record: (event: ExecEvent) => void;
  private readonly timeouts: TimeoutLog;
  readonly venue: SimVenue;
  readonly exchange: SimExchange;
  /** Where the gateway's orders go (the fill profile). */
  readonly desk: OrderDesk;
  /** The fill profile's name. */
  readonly fills: string;
  /** The scenario's instrument (the first served). */
  readonly instrument: Instrument;
  /** Every instrument served, the scenario's first (one with no otherInstruments). */
  readonly served: readonly ServedSymbol[];
  /** The served instruments as a set: their account units. */
  readonly instruments: InstrumentSet;
  readonly rules: VenueRules;
  readonly scenario: Scenario;
  /** The scenario's file (a recording's path is relative to it). */
  readonly file: string;
  /** When the gateway started (epoch ms): fault windows count from here. */
  readonly startedAt: number;
  /** Signed position at the start in the first instrument, lots (the scenario's `venue.account.base`). */
  readonly initialPosition: number;
  /** The longest an order request takes to reach the venue, ms: the scenario's order-entry
   *  latency with all its jitter (a request the venue received is acted on by then). */
  readonly orderEntryBoundMs: number;
  private readonly startAll: () => void;
  private started = false;
  private readonly bySymbol = new Map<string, ServedSymbol>();
  /** The instrument whose notional unit is the account unit (scale 1). */
  private readonly unitInstrument: Instrument;

  constructor(loaded: LoadedScenario, options: GatewayVenueOptions) {
    const warn = options.warn ?? (() => {});
    const s0 = loaded.scenario;
    for (const section of CLIENT_SECTIONS) {
      if (s0[section].length > 0)
        warn(`scenario section "${section}" is ignored: the gateway's clients send the orders`);
    }
    const profile = options.profile;
    const fills = options.fills ?? BOOK_FILLS;
    const touch = fills === BOOK_FILLS ? null : profile.touchFills[fills];
    if (touch === undefined)
      throw new Error(`unknown fill profile "${fills}" (known: ${fillProfiles(profile).join(', ')})`);
    if (touch !== null && options.hours === 'venue')
      throw new Error(`the ${fills} fill profile needs an always-open gateway`);
    // A touch profile fills at one market's touch: a scenario of several is refused whole rather
    // than served with its other books out of reach.
    if (touch !== null && s0.otherInstruments.length > 0)
      throw new ScenarioError(
        `${loaded.file}: otherInstruments: the ${fills} fill profile fills one instrument, so ${s0.otherInstruments.map((o) => o.symbol).join(', ')} cannot be traded with it (use the book fills, or leave otherInstruments out)`,
      );
    if (s0.venue.name !== profile.venue)
      warn(`venue "${s0.venue.name}" is served with ${profile.label}'s rules (order types, error codes, client ids)`);
    // The venue's starting paper account when the scenario gives none: balances are always checked.
    const s: Scenario = s0.venue.account
      ? s0
      : { ...s0, venue: { ...s0.venue, account: { ...profile.defaultAccount } } };
    this.scenario = s;
    this.instrument = makeInstrument(s.instrument);
    this.instruments = scenarioInstruments(s, this.instrument);
    this.rules = { ...profile.rules, hours: options.hours === 'venue' ? venueRules(s.venue.name).hours : ALWAYS_OPEN };
    this.clock =
      options.clock ??
      new GatewayClock((err) => warn(`venue error: ${(err as Error).stack ?? String(err)}`), options.now);
    this.timeouts = new TimeoutLog(this.clock, options.onEvent ?? (() => {}));
    this.record = this.timeouts.log;
    this.startedAt = this.clock.now();
    this.file = loaded.file;
    const replayClock = new ShiftedClock(this.clock, parseUtcInstant(s.start) - this.startedAt);
    const entry = s.venue.latency.orderEntry;
    this.orderEntryBoundMs = entry.ms + entry.jitterMs;
    const built = buildVenue(
      s,
      loaded.file,
      this.clock,
      new Rng(s.seed),
      this.instrument,
      this.startedAt,
      this.record,
      { rules: this.rules, replayClock },
    );
    this.venue = built.venue;
    this.exchange = built.exchange;
    this.fills = fills;
    if (touch !== null) {
      const rng = new Rng(s.seed).stream('paper');
      const at = (d: string) => this.startedAt + parseDurationMs(d);
      const specs = s.faults.map((f): FaultSpec =>
        f.kind === 'price_jump'
          ? { kind: 'price_jump', at: at(f.at), bps: f.bps }
          : ({ ...f, from: at(f.from), until: at(f.until) } as FaultSpec),
      );
      this.venue.setReportHandler(() => {}); // the market's venue has no orders of ours
      const record = this.record;
      this.desk = new PaperDesk({
        clock: this.clock,
        exchange: this.exchange,
        instrument: this.instrument,
        rules: this.rules,
        fills: touch,
        latency: new LatencyModel(s.venue.latency, rng.stream('latency')),
        faults: new FaultSchedule(specs, rng.stream('faults')),
        rng: rng.stream('fills'),
        onFault: (fault, detail) => record({ kind: 'FaultApplied', fault, detail }),
      });
    } else this.desk = bookDesk(this.venue, this.exchange);
    this.initialPosition = this.desk.position;
    this.served = this.venue.allBooks.map((b, n) => ({
      instrument: n === 0 ? this.instrument : this.instruments.of(b.exchange.symbol),
      exchange: b.exchange,
      initialPosition: n === 0 ? this.initialPosition : b.exchange.position,
      scale: this.instruments.scaleOf(b.exchange.symbol),
    }));
    for (const one of this.served) this.bySymbol.set(one.instrument.symbol, one);
    this.unitInstrument = (this.served.find((one) => one.scale === 1) ?? (this.served[0] as ServedSymbol)).instrument;
    this.startAll = built.start;
  }

  /** The served instrument of `symbol`, or undefined when the gateway does not serve it. */
  servedSymbol(symbol: string): ServedSymbol | undefined {
    return this.bySymbol.get(symbol);
  }

  /** The served instrument of `symbol`; throws one clear error naming what is served. */
  requireSymbol(symbol: string): ServedSymbol {
    const one = this.bySymbol.get(symbol);
    if (one === undefined)
      throw new Error(`the gateway does not serve ${symbol} (it serves ${this.symbols().join(', ')})`);
    return one;
  }

  /** Every served symbol, the scenario's first. */
  symbols(): Symbol[] {
    return this.served.map((one) => one.instrument.symbol);
  }

  /** An amount in account units (the desk's quoteBalance) as a quote-currency decimal string. */
  quoteOf(units: number): string {
    return unitsToQuote(this.unitInstrument, units);
  }

  static load(file: string, options: GatewayVenueOptions): GatewayVenue {
    return new GatewayVenue(loadScenarioFile(file), options);
  }

  /** Starts the market, the fault schedule and the venue's calendar (set the report handler first). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.startAll();
  }

  /** Stops every timer of the venue and its market; a request an outage still holds is logged as
   *  ended by the stop. */
  stop(): void {
    this.timeouts.stop();
    this.clock.stop();
  }
}
