// Target trajectories: the cumulative fraction of a parent that should be done by each instant of
// its horizon, F(t) rising from 0 at the start to 1 at the end. Pure and clock-free: the planner
// (trajectory-plan.ts) reads F at the boundaries of the TWAP's slice grid and sizes the slices
// from it. Three kinds: TWAP's straight line; VWAP, which follows a volume profile; and
// Almgren-Chriss, the implementation-shortfall (arrival price) trajectory. Units and why a
// trajectory over the slice grid: docs/0072-target-trajectories.md.
import type { TradingHours } from '../venues/nyse-calendar.ts';
import { TwapPlanError } from './twap-spec-check.ts';
import type { ParticipationParams } from './participation.ts';

/** The longest profile a VWAP may state: one weight per minute of a week is far more than any
 *  intraday profile needs. */
export const MAX_PROFILE_BUCKETS = 10_080;

/** Days of history a VWAP with `profile: history` may average (history-profile.ts). */
export const MIN_HISTORY_DAYS = 1;
export const MAX_HISTORY_DAYS = 20;
/** Days averaged when `profile: history` comes without `days`. */
export const DEFAULT_HISTORY_DAYS = 5;

/** What a parent asks its trajectory to be. */
export type TrajectorySpec =
  | { readonly kind: 'linear' }
  /** `profile`: relative volume per equal bucket of the horizon; 'history': the average volume
   *  per minute of the horizon's time of day over the previous `days` days (history-profile.ts);
   *  absent: the venue's default, U-shaped on an exchange calendar, flat on a 24/7 market. */
  | {
      readonly kind: 'vwap';
      readonly profile?: readonly number[] | 'history' | undefined;
      readonly days?: number | undefined;
    }
  /** The Almgren-Chriss optimal trajectory, in the units AlmgrenChrissParams states. */
  | ({ readonly kind: 'almgren-chriss' } & AlmgrenChrissParams)
  /** Percent of volume: the target follows the market's tape as it trades (participation.ts),
   *  not a curve known in advance; the grid's planned sizes are TWAP's, a forecast only. */
  | ({ readonly kind: 'pov' } & ParticipationParams);

/**
 * Almgren-Chriss inputs, in units a user can state about one market:
 * - `urgency` (lambda, risk aversion): how much expected cost the parent gives up to cut the
 *   variance of its cost by one unit, with cost counted in lots x fraction of the arrival price
 *   (one unit: the value of one lot at arrival); 0 is TWAP's straight line;
 * - `volatility` (sigma): the price's standard deviation as a fraction of the price per
 *   sqrt(hour) (0.01: 1% in an hour);
 * - `impact` (eta, temporary impact): the fraction of the price a trade pays for each lot per
 *   second of trading rate (1e-4: trading 2 lots a second costs 2 bps on top of the touch).
 * kappa = sqrt(urgency x sigma^2 / eta), per second, with sigma^2 per second (sigma^2 / 3600).
 */
export interface AlmgrenChrissParams {
  readonly urgency: number;
  readonly volatility: number;
  readonly impact: number;
}

/** Volume expected in [from, to), in any unit (only ratios matter). The seam for profiles made
 *  from elsewhere (the venue's minute bars, a recording): anything that can say how the volume
 *  of an interval compares with another's. */
export interface VolumeProfile {
  /** What the stored plan calls it: 'given', 'u-shaped', 'flat', or a later source's name. */
  readonly name: string;
  /** True when the volume is spread evenly over time (the trajectory is then a straight line). */
  readonly flat: boolean;
  volumeBetween(from: number, to: number): number;
}

/** The cumulative target of one parent over [start, start + horizonMs]. */
export interface Trajectory {
  /** True when the parent keeps TWAP's plan as it is: TWAP itself, and Almgren-Chriss at
   *  kappa 0 (its limit is TWAP's line). A VWAP is always sized from its curve, a flat one
   *  included, so that it follows its profile within one lot (TWAP front-loads its remainder). */
  readonly linear: boolean;
  /** F(t) in [0, 1], non-decreasing; 0 at or before start, 1 at or after the end. */
  fractionAt(t: number): number;
}

/** kappa per second from the Almgren-Chriss inputs (volatility per sqrt(hour)). */
export function kappaPerSecond(p: AlmgrenChrissParams): number {
  if (p.urgency === 0) return 0;
  return Math.sqrt((p.urgency * p.volatility * p.volatility) / 3600 / p.impact);
}

/**
 * x(t)/X = sinh(kappa (T - t)) / sinh(kappa T): the share of the parent still to do at t in
 * [0, T]. kappa T = 0 is its limit, (T - t) / T, with no division by zero; a large kappa T is
 * computed from exponentials (sinh overflows past about 710): e^(-kappa t) (1 - e^(-2 kappa (T - t))) /
 * (1 - e^(-2 kappa T)).
 */
export function remainingFraction(kappa: number, horizon: number, t: number): number {
  if (t <= 0) return 1;
  if (t >= horizon) return 0;
  const kT = kappa * horizon;
  // Below 1e-9 the ratio differs from the line by (kappa T)^2 / 6 at most: under a double's
  // precision, and sinh of such small numbers would lose digits to subnormals.
  if (kT < 1e-9) return (horizon - t) / horizon;
  if (kT < 20) return Math.sinh(kappa * (horizon - t)) / Math.sinh(kT);
  return (Math.exp(-kappa * t) * -Math.expm1(-2 * kappa * (horizon - t))) / -Math.expm1(-2 * kT);
}

/** A profile of relative volumes per equal bucket of [start, start + horizonMs). */
export function bucketProfile(
  weights: readonly number[],
  start: number,
  horizonMs: number,
  name = 'given',
): VolumeProfile {
  const n = weights.length;
  // Scaled to the largest weight, so that weights of any magnitude (1e-300 or 1e300) sum without
  // underflow or overflow.
  const top = Math.max(...weights);
  const w = weights.map((x) => (top > 0 ? x / top : 0));
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = (prefix[i] as number) + (w[i] as number);
  const flat = weights.every((w) => w === weights[0]);
  // Volume from the start to t: whole buckets, then the share of the bucket t is in.
  const upTo = (t: number): number => {
    if (t <= start) return 0;
    if (t >= start + horizonMs) return prefix[n] as number;
    const x = ((t - start) / horizonMs) * n;
    const i = Math.floor(x);
    return (prefix[i] as number) + (w[i] as number) * (x - i);
  };
  return { name, flat, volumeBetween: (from, to) => upTo(to) - upTo(from) };
}

/** Even volume at every instant: a 24/7 market with no history. */
export const FLAT_PROFILE: VolumeProfile = Object.freeze({
  name: 'flat',
  flat: true,
  volumeBetween: (from: number, to: number) => Math.max(0, to - from),
});

/**
 * The U-shaped intraday profile of an exchange with sessions: within a session, at the fraction s
 * of it gone, volume runs at 1 + 2 (2s - 1)^2 (three times as much at the open and the close as
 * at midday), and nothing while the venue is closed. Its integral over [0, s] is
 * s + ((2s - 1)^3 + 1) / 3, so the volume of any interval is exact, not sampled.
 */
export function sessionUProfile(hours: TradingHours): VolumeProfile {
  const inSession = (open: number, close: number, from: number, to: number): number => {
    const a = Math.max(from, open);
    const b = Math.min(to, close);
    if (b <= a) return 0;
    const len = close - open;
    const cum = (t: number): number => {
      const s = (t - open) / len;
      return s + ((2 * s - 1) ** 3 + 1) / 3;
    };
    return (cum(b) - cum(a)) * len;
  };
  // The calendar's answers for the last session and the last closed stretch seen: a plan asks
  // about its slice boundaries in order, mostly inside one of them, and each calendar lookup
  // costs far more than the arithmetic.
  let session: { open: number; close: number } | null = null;
  let closed: { from: number; to: number } | null = null;
  return {
    name: 'u-shaped',
    flat: false,
    volumeBetween(from: number, to: number): number {
      let total = 0;
      // Session by session from the one of `from`'s trading day; a horizon is at most 366 days.
      let t = from;
      for (let guard = 0; t < to && guard < 1_000; guard++) {
        if (closed !== null && t >= closed.from && t < closed.to) {
          t = closed.to;
          continue;
        }
        if (session === null || t < session.open || t >= session.close) {
          const s = hours.sessionAt(t);
          if (s === null || s.close <= t) {
            const next = hours.nextOpen(t);
            if (!(next > t)) break;
            closed = { from: s !== null && s.close <= t ? s.close : t, to: next };
            t = next;
            continue;
          }
          session = { open: s.open, close: s.close };
          // Before the day's open: closed until it.
          if (t < s.open) closed = { from: t, to: s.open };
        }
        total += inSession(session.open, session.close, t, to);
        t = Math.max(t, session.close);
      }
      return total;
    },
  };
}

/** The profile a VWAP without one of its own follows: U-shaped on an exchange calendar, flat on
 *  a 24/7 market (or when the node does not know the venue's hours). */
export function defaultProfile(hours: TradingHours | undefined): VolumeProfile {
  return hours !== undefined && hours.kind === 'calendar' ? sessionUProfile(hours) : FLAT_PROFILE;
}

/** An `algo` block as it is written (a scenario's orders and signals, the service's requests, a
 *  strategy's signal outputs), with its quantity `Q` in the writer's form. */
export interface AlgoFields<Q> {
  readonly kind: 'twap' | 'vwap' | 'is' | 'pov';
  readonly profile?: readonly number[] | 'history' | undefined;
  /** Days of history a `profile: history` averages. */
  readonly days?: number | undefined;
  readonly urgency?: number | undefined;
  readonly volatility?: number | undefined;
  readonly impact?: number | undefined;
  readonly rate?: number | undefined;
  readonly maxRate?: number | undefined;
  readonly minChildQty?: Q | undefined;
  readonly end?: 'complete' | 'stop' | undefined;
}

/** The trajectory an `algo` block asks for (none for TWAP: it keeps TWAP's exact path). `lots`
 *  turns its quantity into lots; `missing` is called for a field its kind needs that it lacks. */
export function algoTrajectory<Q>(
  a: AlgoFields<Q>,
  lots: (qty: Q) => number,
  missing: (field: string) => never,
): TrajectorySpec | undefined {
  const need = (field: 'urgency' | 'volatility' | 'impact' | 'rate'): number => a[field] ?? missing(field);
  switch (a.kind) {
    case 'twap':
      return undefined;
    case 'vwap':
      return {
        kind: 'vwap',
        ...(a.profile !== undefined ? { profile: a.profile } : {}),
        ...(a.profile === 'history' || a.days !== undefined ? { days: a.days ?? DEFAULT_HISTORY_DAYS } : {}),
      };
    case 'is':
      return {
        kind: 'almgren-chriss',
        urgency: need('urgency'),
        volatility: need('volatility'),
        impact: need('impact'),
      };
    case 'pov':
      return {
        kind: 'pov',
        rate: need('rate'),
        maxRate: a.maxRate ?? null,
        minChildQty: a.minChildQty === undefined ? 0 : lots(a.minChildQty),
        end: a.end ?? 'complete',
      };
  }
}

/** The `days` of a history profile checked, or null when they are fine. */
export function historyDaysProblem(days: unknown): string | null {
  if (typeof days === 'number' && Number.isInteger(days) && days >= MIN_HISTORY_DAYS && days <= MAX_HISTORY_DAYS)
    return null;
  return `must be a whole number of days from ${MIN_HISTORY_DAYS} to ${MAX_HISTORY_DAYS}, got ${String(days)}`;
}

/** Checks a trajectory's inputs, or throws a TwapPlanError naming the field. */
export function validateTrajectory(spec: TrajectorySpec): void {
  switch (spec.kind) {
    case 'linear':
      return;
    case 'vwap': {
      const p = spec.profile;
      if (p === 'history') {
        const problem = historyDaysProblem(spec.days ?? DEFAULT_HISTORY_DAYS);
        if (problem !== null) throw new TwapPlanError('days', problem);
        return;
      }
      if (spec.days !== undefined) throw new TwapPlanError('days', 'applies only to profile: history');
      if (p === undefined) return;
      if (!Array.isArray(p))
        throw new TwapPlanError('profile', `must be a list of weights or history, got ${String(p)}`);
      if (p.length === 0 || p.length > MAX_PROFILE_BUCKETS)
        throw new TwapPlanError('profile', `must have 1 to ${MAX_PROFILE_BUCKETS} weights, got ${p.length}`);
      p.forEach((w, i) => {
        if (typeof w !== 'number' || !Number.isFinite(w) || w < 0)
          throw new TwapPlanError(`profile.${i}`, `must be a volume weight of at least 0, got ${String(w)}`);
      });
      if (!p.some((w) => w > 0)) throw new TwapPlanError('profile', 'needs at least one weight above 0');
      return;
    }
    case 'almgren-chriss': {
      const nonNegative = (field: string, v: unknown, unit: string): void => {
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
          throw new TwapPlanError(field, `must be a number of at least 0 (${unit}), got ${String(v)}`);
      };
      nonNegative('urgency', spec.urgency, 'per lot x fraction of the price');
      nonNegative('volatility', spec.volatility, 'fraction of the price per sqrt(hour)');
      if (typeof spec.impact !== 'number' || !Number.isFinite(spec.impact) || spec.impact <= 0)
        throw new TwapPlanError(
          'impact',
          `must be above 0 (fraction of the price per lot per second), got ${String(spec.impact)}`,
        );
      if (!Number.isFinite(kappaPerSecond(spec)))
        throw new TwapPlanError('urgency', 'with this volatility and impact gives no finite trajectory');
      return;
    }
    case 'pov': {
      if (!(spec.rate > 0 && spec.rate <= 1))
        throw new TwapPlanError(
          'rate',
          `must be a share of the volume above 0 and at most 1, got ${String(spec.rate)}`,
        );
      if (spec.maxRate !== null && !(spec.maxRate >= spec.rate && spec.maxRate <= 1))
        throw new TwapPlanError(
          'maxRate',
          `must be at least the rate (${spec.rate}) and at most 1, got ${String(spec.maxRate)}`,
        );
      if (!(Number.isInteger(spec.minChildQty) && spec.minChildQty >= 0))
        throw new TwapPlanError(
          'minChildQty',
          `must be a whole number of lots of at least 0, got ${String(spec.minChildQty)}`,
        );
      return;
    }
  }
}

/**
 * The trajectory of a parent over [start, start + horizonMs]. `profile` is what a VWAP without
 * weights of its own follows (defaultProfile). A VWAP whose profile expects no volume in the
 * horizon (all of it while the venue is closed) follows the straight line instead: `fellBack`.
 */
export function trajectoryOf(
  spec: TrajectorySpec,
  start: number,
  horizonMs: number,
  profile: VolumeProfile = FLAT_PROFILE,
): Trajectory & { readonly profile: VolumeProfile | null; readonly fellBack: boolean } {
  validateTrajectory(spec);
  const line = (t: number): number => (t <= start ? 0 : t >= start + horizonMs ? 1 : (t - start) / horizonMs);
  switch (spec.kind) {
    case 'linear':
    case 'pov': // its grid's sizes are TWAP's forecast; the tape sizes each slice as it runs
      return { linear: true, fractionAt: line, profile: null, fellBack: false };
    case 'vwap': {
      // A history profile has been read into weights before this (trajectory-plan.ts); here it
      // stands for the venue's default.
      const p = !Array.isArray(spec.profile) ? profile : bucketProfile(spec.profile, start, horizonMs);
      const total = p.volumeBetween(start, start + horizonMs);
      if (p.flat || !(total > 0)) return { linear: false, fractionAt: line, profile: p, fellBack: !p.flat };
      // The volume so far is carried from the previous call when t moved forward (a plan asks
      // in order): one pass over the horizon instead of one per slice.
      let lastT = start;
      let lastVolume = 0;
      const fractionAt = (t: number): number => {
        if (t <= start) return 0;
        if (t >= start + horizonMs) return 1;
        if (t < lastT) {
          lastT = start;
          lastVolume = 0;
        }
        lastVolume += p.volumeBetween(lastT, t);
        lastT = t;
        return Math.min(1, lastVolume / total);
      };
      return { linear: false, fractionAt, profile: p, fellBack: false };
    }
    case 'almgren-chriss': {
      const kappa = kappaPerSecond(spec) / 1000; // per ms
      if (kappa === 0) return { linear: true, fractionAt: line, profile: null, fellBack: false };
      const fractionAt = (t: number): number => 1 - remainingFraction(kappa, horizonMs, t - start);
      return { linear: false, fractionAt, profile: null, fellBack: false };
    }
  }
}
