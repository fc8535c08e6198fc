// The circuit breaker: tripped or not, checked before every order and slice (blocks()). A manual
// trip(reason, actor) needs a manual reset(actor, reason); automatic conditions (rejects, errors, loss,
// drawdown, priceBand, staleData) are fed by callers' reports, each tested where its report
// arrives, and reset themselves after that condition's cooldown (breaker-config.ts has the
// settings, units and defaults). One trip at a time, and a reset re-baselines the condition that
// tripped. Trips and resets are logged with the condition and the observed values, and a restart
// rebuilds the tripped state and its pending cooldown from those events alone (restore()).
// Every operator's trip and reset is logged with its actor and reason, as every kill-switch set
// is, even one that changes nothing (tripped by hand already, or a reset while not tripped): that
// one is marked `unchanged`, and the folds of the state skip it.
import type { Subscription } from 'rxjs';
import type { CircuitBreakerReset, CircuitBreakerTripped } from '../model/events.ts';
import type { Clock } from '../ports/clock.ts';
import {
  MANUAL_ONLY_BREAKER_CONFIG,
  parseBreakerConfig,
  type BreakerConfig,
  type BreakerConfigInput,
} from './breaker-config.ts';

export type BreakerCondition = 'manual' | 'rejects' | 'errors' | 'loss' | 'drawdown' | 'priceBand' | 'staleData';

/** CircuitBreakerTripped extended with the condition and the observed values (integers, strings,
 *  booleans, null). */
export interface BreakerTrippedEvent extends CircuitBreakerTripped {
  readonly condition: BreakerCondition;
  /** Trip time, integer epoch ms (floor of clock.now()); null for a breaker without a clock. */
  readonly at: number | null;
  /** Decimal string: count in window, loss, drawdown, price, or data age in ms; null if manual. */
  readonly observed: string | null;
  /** Decimal string: maxCount, loss.max, drawdown.max, band bps, or maxAgeMs; null if manual. */
  readonly limit: string | null;
  /** Decimal string: window ms, start equity, peak equity, reference price, or last data time. */
  readonly reference: string | null;
  /** When the automatic reset is due (at + cooldownMs), or null: manual reset only. */
  readonly resetDueAt: number | null;
}

export interface BreakerResetEvent extends CircuitBreakerReset {
  /** The condition of the trip this reset clears; null: nothing was tripped (`unchanged`). */
  readonly condition: BreakerCondition | null;
  readonly at: number | null;
  /** true: the cooldown elapsed (actor 'circuit-breaker'); false: reset(actor, reason). */
  readonly automatic: boolean;
}

export type BreakerEvent = BreakerTrippedEvent | BreakerResetEvent;

/** The breaker's state: the current trip, or null. */
export interface BreakerTrip {
  readonly condition: BreakerCondition;
  readonly reason: string;
  readonly resetDueAt: number | null;
}

/** Folds logged breaker events (oldest first) into the current trip. Events logged before the
 *  conditions existed (no `condition`) count as manual trips; an `unchanged` one changed nothing. */
export function foldBreaker(events: Iterable<CircuitBreakerTripped | CircuitBreakerReset>): BreakerTrip | null {
  let trip: BreakerTrip | null = null;
  for (const e of events) {
    if (e.unchanged === true) continue;
    if (e.kind === 'CircuitBreakerReset') trip = null;
    else {
      const x = e as Partial<BreakerTrippedEvent> & CircuitBreakerTripped;
      trip = { condition: x.condition ?? 'manual', reason: x.reason, resetDueAt: x.resetDueAt ?? null };
    }
  }
  return trip;
}

export interface BreakerOptions {
  readonly clock: Clock;
  /** Parsed config, or input for parseBreakerConfig (undefined: DEFAULT_BREAKER_CONFIG). */
  readonly config?: BreakerConfig | BreakerConfigInput;
  /** How a trip's reason states prices (ticks, maybe half ones: a mid) and amounts (notional
   *  units) to a reader, as the run's instrument writes them; absent: the integers themselves. */
  readonly units?: BreakerUnits;
}

export interface BreakerUnits {
  price(ticks: number): string;
  quote(units: number): string;
}

const RAW_UNITS: BreakerUnits = { price: String, quote: String };

type Reading = { observed: number; limit: number; reference: number; text: string };

export class CircuitBreaker {
  private trip_: BreakerTrip | null = null;
  private timer: Subscription | null = null;
  readonly config: BreakerConfig;
  private readonly units: BreakerUnits;
  private readonly clock: Clock | null;
  private readonly windows: Record<'rejects' | 'errors', number[]> = { rejects: [], errors: [] };
  private equityStart: number | null = null;
  private equityPeak: number | null = null;
  private lastEquity: number | null = null;
  private referencePrice: number | null = null;
  private lastPrice: number | null = null;
  private lastDataAt: number | null = null;

  /** Without options the breaker is manual only (no clock, every condition off). */
  constructor(
    private readonly record: (e: BreakerEvent) => void,
    options?: BreakerOptions,
  ) {
    this.clock = options?.clock ?? null;
    this.config = options ? parseBreakerConfig(options.config) : MANUAL_ONLY_BREAKER_CONFIG;
    this.units = options?.units ?? RAW_UNITS;
  }

  get tripped(): boolean {
    return this.trip_ !== null;
  }

  /** The current trip (condition, reason, resetDueAt), or null. */
  get state(): BreakerTrip | null {
    return this.trip_;
  }

  /** Manual trip by `actor` (null: by code, logged without one): it needs a manual reset, and
   *  replaces an automatic trip (its cooldown is cancelled). While tripped by hand already it
   *  changes nothing, the trip in force keeps its reason, and it is logged as `unchanged`. */
  trip(reason: string, actor: string | null = null): void {
    if (this.trip_?.condition !== 'manual') {
      this.enter('manual', reason, null, null, actor);
      return;
    }
    this.record({
      kind: 'CircuitBreakerTripped',
      ...(actor === null ? {} : { actor }),
      reason,
      unchanged: true,
      condition: 'manual',
      at: this.now(),
      observed: null,
      limit: null,
      reference: null,
      resetDueAt: null,
    });
  }

  /** Manual reset (any trip). When not tripped it changes nothing, and is logged as `unchanged`. */
  reset(actor: string, reason: string): void {
    if (this.trip_ !== null) this.leave(actor, reason, false);
    else
      this.record({
        kind: 'CircuitBreakerReset',
        actor,
        reason,
        unchanged: true,
        condition: null,
        at: this.now(),
        automatic: false,
      });
  }

  /** Why nothing may go out now, or null. Checks stale market data first (which may trip). */
  blocks(): string | null {
    this.checkStale();
    return this.trip_ === null ? null : `circuit breaker tripped: ${this.trip_.reason}`;
  }

  /** A venue reject at `at` (epoch ms; default clock.now()). rejects and errors trip on N reports
   *  within a rolling window of W ms: the N-th report trips. */
  recordReject(at?: number): void {
    this.count('rejects', at);
  }

  /** An error (failed send, timeout, transport error) at `at` (epoch ms; default clock.now()). */
  recordError(at?: number): void {
    this.count('errors', at);
  }

  /** An equity (or cumulative PnL) sample, integer quote minor units. The first sample is the
   *  start unless setEquityBase() set one. Trips when start - equity > loss.max, or
   *  peak - equity > drawdown.max. */
  recordEquity(equity: number): void {
    if (this.equityStart === null || this.equityPeak === null) this.setEquityBase(equity);
    this.lastEquity = equity;
    const start = this.equityStart as number;
    const peak = Math.max(this.equityPeak as number, equity);
    this.equityPeak = peak;
    const { loss, drawdown } = this.config;
    const q = this.units.quote;
    if (loss && start - equity > loss.max) {
      this.auto('loss', loss.cooldownMs, {
        observed: start - equity,
        limit: loss.max,
        reference: start,
        text: `loss ${q(start - equity)} exceeds ${q(loss.max)} (start ${q(start)}, equity ${q(equity)})`,
      });
    } else if (drawdown && peak - equity > drawdown.max) {
      this.auto('drawdown', drawdown.cooldownMs, {
        observed: peak - equity,
        limit: drawdown.max,
        reference: peak,
        text: `drawdown ${q(peak - equity)} exceeds ${q(drawdown.max)} (peak ${q(peak)}, equity ${q(equity)})`,
      });
    }
  }

  /** Sets the loss start and peak (restart, or a new session's budget). */
  setEquityBase(start: number, peak: number = start): void {
    this.equityStart = start;
    this.equityPeak = Math.max(start, peak);
  }

  /** A traded or quoted price. The first becomes the reference unless setReferencePrice() set one.
   *  Trips when |price - reference| * 10000 > bps * reference. */
  recordPrice(price: number): void {
    this.lastPrice = price;
    const ref = this.referencePrice;
    if (ref === null) {
      this.referencePrice = price;
      return;
    }
    const band = this.config.priceBand;
    if (band && Math.abs(price - ref) * 10_000 > band.bps * ref) {
      this.auto('priceBand', band.cooldownMs, {
        observed: price,
        limit: band.bps,
        reference: ref,
        text: `price ${this.units.price(price)} outside ${band.bps} bps of reference ${this.units.price(ref)}`,
      });
    }
  }

  setReferencePrice(price: number): void {
    this.referencePrice = price;
  }

  /** The time (epoch ms) of the latest market data; older reports than one already seen are ignored. */
  recordMarketData(at: number): void {
    if (this.lastDataAt === null || at > this.lastDataAt) this.lastDataAt = at;
  }

  /** Trips on stale market data, clock.now() - last market-data time > maxAgeMs (blocks() calls
   *  this); nothing is stale before the first market-data report. */
  checkStale(): void {
    const stale = this.config.staleData;
    if (!stale || !this.clock || this.lastDataAt === null || this.trip_ !== null) return;
    const age = this.clock.now() - this.lastDataAt;
    if (age > stale.maxAgeMs) {
      this.auto('staleData', stale.cooldownMs, {
        observed: age,
        limit: stale.maxAgeMs,
        reference: this.lastDataAt,
        text: `market data ${age} ms old (limit ${stale.maxAgeMs} ms)`,
      });
    }
  }

  /** Rebuilds the trip from logged breaker events (restart) without recording anything; a
   *  pending automatic reset is rescheduled (at once if already due). The sensors (windows, equity
   *  start and peak, price reference, last data time) are not in the log: they restart from the
   *  next reports unless the caller re-seeds them (setEquityBase, setReferencePrice,
   *  recordMarketData). */
  restore(events: Iterable<CircuitBreakerTripped | CircuitBreakerReset>): void {
    this.cancelTimer();
    this.trip_ = foldBreaker(events);
    this.armTimer();
  }

  private count(which: 'rejects' | 'errors', at: number | undefined): void {
    const cfg = this.config[which];
    if (!cfg) return;
    const times = this.windows[which];
    const newest = times.length > 0 ? (times[times.length - 1] as number) : -Infinity;
    const t = Math.max(at ?? this.now() ?? newest, newest); // times never go back
    times.push(t);
    while (times.length > 0 && (times[0] as number) <= t - cfg.windowMs) times.shift();
    if (times.length > cfg.maxCount) times.shift(); // state stays at most maxCount times
    if (times.length >= cfg.maxCount) {
      this.auto(which, cfg.cooldownMs, {
        observed: times.length,
        limit: cfg.maxCount,
        reference: cfg.windowMs,
        text: `${times.length} ${which} within ${cfg.windowMs} ms (limit ${cfg.maxCount})`,
      });
    }
  }

  /** One trip at a time: while tripped, reports still update the sensors but trip nothing (no
   *  event storms). An automatic trip resets itself at trip time + that condition's cooldownMs
   *  (null: manual reset only). */
  private auto(condition: BreakerCondition, cooldownMs: number | null, r: Reading): void {
    if (this.trip_ !== null) return;
    this.enter(condition, r.text, cooldownMs, r);
  }

  private now(): number | null {
    return this.clock === null ? null : Math.floor(this.clock.now());
  }

  private enter(
    condition: BreakerCondition,
    reason: string,
    cooldownMs: number | null,
    r: Reading | null,
    actor: string | null = null,
  ): void {
    this.cancelTimer();
    const at = this.now();
    const resetDueAt = cooldownMs === null || at === null ? null : at + cooldownMs;
    this.trip_ = { condition, reason, resetDueAt };
    this.armTimer();
    this.record({
      kind: 'CircuitBreakerTripped',
      ...(actor === null ? {} : { actor }),
      reason,
      condition,
      at,
      observed: r ? String(r.observed) : null,
      limit: r ? String(r.limit) : null,
      reference: r ? String(r.reference) : null,
      resetDueAt,
    });
  }

  private leave(actor: string, reason: string, automatic: boolean): void {
    const trip = this.trip_;
    if (trip === null) return;
    this.cancelTimer();
    this.rebaseline(trip.condition);
    this.trip_ = null;
    this.record({ kind: 'CircuitBreakerReset', actor, reason, condition: trip.condition, at: this.now(), automatic });
  }

  /** Any reset re-baselines the condition that tripped, so the same data cannot trip it again at
   *  once: its window is emptied, the loss start and peak become the last equity, the price
   *  reference becomes the last price (stale data needs fresh data). */
  private rebaseline(condition: BreakerCondition): void {
    if (condition === 'rejects' || condition === 'errors') this.windows[condition].length = 0;
    else if ((condition === 'loss' || condition === 'drawdown') && this.lastEquity !== null)
      this.setEquityBase(this.lastEquity);
    else if (condition === 'priceBand' && this.lastPrice !== null) this.referencePrice = this.lastPrice;
  }

  private armTimer(): void {
    const trip = this.trip_;
    if (trip === null || trip.resetDueAt === null || this.clock === null) return;
    this.timer = this.clock.schedule(() => {
      this.timer = null;
      if (this.trip_ !== trip) return;
      this.leave('circuit-breaker', `cooldown elapsed after ${trip.condition} trip`, true);
    }, trip.resetDueAt - this.clock.now());
  }

  private cancelTimer(): void {
    this.timer?.unsubscribe();
    this.timer = null;
  }
}
