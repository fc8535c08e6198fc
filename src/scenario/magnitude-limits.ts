// How big a run's numbers may be. Prices are integer ticks, quantities integer lots and notionals
// integer tick x lot units, all plain numbers: exact only up to 2^53 - 1
// (docs/0003-integer-ticks-and-lots.md). They are bounded at validation, so a scenario that would
// overflow the arithmetic mid-run is refused with the fields that make it so and the bound. Each
// bound is stated at its constant below (quantities, prices, notional); the run's work is bounded
// in event-limit.ts; docs/reference/scenario-file.md lists them for users.
import { formatScaled, fromSteps, parseDecimal, toSteps } from '../core/model/decimal.ts';
import { priceToTicks, qtyToLots, quoteToUnits, type Instrument } from '../core/model/instrument.ts';
import type { ScenarioFile } from './scenario-fields.ts';
import { parseDurationMs } from '../core/model/time-fields.ts';
import { fmt, largest, type Issue, type Part, type Path } from './limit-parts.ts';

/** Largest notional (tick x lot units) a run may reach: 2^51, a quarter of the exact range. The
 *  highest price the run can reach times its total quantity must stay under it, which leaves room
 *  for the sums built on it (cash, equity, fees, shortfall). Quote amounts (minNotional,
 *  account.quote, breaker limits, TWAP thresholds) are bounded the same (checkQuoteAmount). */
const MAX_NOTIONAL_UNITS = 2 ** 51;
/** Largest price in ticks and quantity in lots: 2^53 - 1. Every quantity, and all of the run's
 *  own quantities together (orders, signals, external orders, account.base), at most this many
 *  lots; the highest price the run can reach, at most this many ticks (priceParts). */
const MAX_STEPS = Number.MAX_SAFE_INTEGER;
/** Standard deviations of a random walk's move over the run counted in its highest price. */
const WALK_SIGMAS = 10;
/** An exponential draw of the seeded Rng is at most this many times its mean (-ln 2^-53). */
const EXPONENTIAL_MAX = 37;

/** Quantities of the run's own side, lots: what it can hold and trade at most. */
function ownQuantities(s: ScenarioFile, inst: Instrument): Part[] {
  const lots = (q: string) => qtyToLots(inst, q);
  return [
    ...s.orders.map((o, i): Part => ({ path: ['orders', i, 'qty'], what: `orders[${i}]`, value: lots(o.qty) })),
    ...s.signals.map((g, i): Part => ({ path: ['signals', i, 'qty'], what: `signals[${i}]`, value: lots(g.qty) })),
    ...s.externalOrders.map((x, i): Part => ({
      path: ['externalOrders', i, 'qty'],
      what: `externalOrders[${i}]`,
      value: lots(x.qty),
    })),
    ...(s.venue.account
      ? [{ path: ['venue', 'account', 'base'], what: 'venue.account.base', value: lots(s.venue.account.base) }]
      : []),
  ];
}

/** The parts of the highest price (ticks) the run can reach; their sum is the estimate. Stated
 *  prices count as they are; a market model's price is estimated: its start, price jumps, spread
 *  shifts and the book's depth, plus a move of its random walk of WALK_SIGMAS standard deviations
 *  over the run (and for almgren_chriss our own impact). */
function priceParts(s: ScenarioFile, inst: Instrument, ownLots: number): Part[] {
  const ticks = (p: string) => priceToTicks(inst, p);
  const tick = Number(inst.tickSize);
  const lot = Number(inst.lotSize);
  const durMs = parseDurationMs(s.duration);
  const jump = s.faults.reduce((f, x) => (x.kind === 'price_jump' && x.bps > 0 ? f * (1 + x.bps / 10_000) : f), 1);
  const jumpPath = s.faults.findIndex((x) => x.kind === 'price_jump' && x.bps > 0);
  const spreadFactor = s.faults.reduce((f, x) => (x.kind === 'spread_shift' ? Math.max(f, x.factor) : f), 1);
  const parts: Part[] = [];
  const m = s.market;
  const stated: Part[] = [];
  s.orders.forEach((o, i) => {
    if (o.limitPrice !== undefined)
      stated.push({ path: ['orders', i, 'limitPrice'], what: 'a limit price', value: ticks(o.limitPrice) });
    if (o.stopPrice !== undefined)
      stated.push({ path: ['orders', i, 'stopPrice'], what: 'a stop price', value: ticks(o.stopPrice) });
  });
  s.signals.forEach(
    (g, i) =>
      g.price !== undefined &&
      stated.push({ path: ['signals', i, 'price'], what: 'a signal price', value: ticks(g.price) }),
  );
  s.externalOrders.forEach((x, i) =>
    stated.push({
      path: ['externalOrders', i, 'limitPrice'],
      what: 'an external order price',
      value: ticks(x.limitPrice),
    }),
  );
  if (m?.model === 'static_book') {
    m.bids.forEach(([p], i) => stated.push({ path: ['market', 'bids', i, 0], what: 'a bid', value: ticks(p) }));
    m.asks.forEach(([p], i) => stated.push({ path: ['market', 'asks', i, 0], what: 'an ask', value: ticks(p) }));
  }
  if (m?.model === 'synthetic') {
    const mid = ticks(m.initialPrice);
    const sd =
      m.walk === 'arithmetic'
        ? (m.volatility / tick) * Math.sqrt(durMs / 1000)
        : m.volatility * Math.sqrt(durMs / 1000);
    const move = m.walk === 'arithmetic' ? WALK_SIGMAS * sd * jump : mid * jump * (Math.exp(WALK_SIGMAS * sd) - 1);
    parts.push({ path: ['market', 'initialPrice'], what: 'initialPrice', value: mid });
    if (jump > 1) parts.push({ path: ['faults', jumpPath, 'bps'], what: 'price jumps', value: mid * (jump - 1) });
    parts.push({
      path: ['market', 'volatility'],
      what: `a ${WALK_SIGMAS}-standard-deviation move of the walk`,
      value: move,
    });
    const spread = Math.max(m.spreadTicks, ...m.regimes.map((r) => r.spreadTicks)) * spreadFactor;
    parts.push({ path: ['market', 'spreadTicks'], what: 'the spread', value: spread });
    parts.push({
      path: ['market', 'levelSpacingTicks'],
      what: 'the book depth',
      value: (m.depth.length - 1) * m.levelSpacingTicks,
    });
  }
  if (m?.model === 'almgren_chriss') {
    const mid = ticks(m.initialPrice);
    const unitMs = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 }[m.timeUnit];
    const walk = WALK_SIGMAS * (m.sigma / tick) * Math.sqrt(durMs / unitMs);
    const impact = ((m.gamma * lot) / tick) * ownLots;
    parts.push({ path: ['market', 'initialPrice'], what: 'initialPrice', value: mid });
    if (jump > 1)
      parts.push({ path: ['faults', jumpPath, 'bps'], what: 'price jumps', value: (mid + walk + impact) * (jump - 1) });
    parts.push({
      path: ['market', 'sigma'],
      what: `a ${WALK_SIGMAS}-standard-deviation move of the walk`,
      value: walk,
    });
    parts.push({ path: ['market', 'gamma'], what: 'our permanent impact', value: impact });
    parts.push({
      path: ['market', 'epsilon'],
      what: 'the half spread',
      value: Math.max(m.epsilon / tick, 0.5) * spreadFactor + m.depth.length,
    });
    const rateIntervalMs = parseDurationMs(m.rateInterval);
    parts.push({
      path: ['market', 'eta'],
      what: 'our temporary impact',
      value: rateIntervalMs > 0 ? ((m.eta * lot) / tick) * ownLots * (unitMs / rateIntervalMs) : 0,
    });
  }
  if (m?.model === 'zero_intelligence') {
    const placed = 2 * m.initialOrders + 2 * m.limitRatePerSec * (durMs / 1000);
    parts.push({ path: ['market', 'initialPrice'], what: 'initialPrice', value: ticks(m.initialPrice) });
    parts.push({
      path: ['market', 'priceRangeTicks'],
      what: `a ${WALK_SIGMAS}-standard-deviation drift of the order flow`,
      value: m.priceRangeTicks * (1 + WALK_SIGMAS * Math.sqrt(placed)),
    });
  }
  // TWAP children are priced from the touch, up to their offsets beyond it.
  const twaps = [s.routing.defaultTwap, ...s.orders.flatMap((o) => (o.twap ? [o.twap] : []))];
  const offset = Math.max(0, ...twaps.map((t) => Math.abs(t.limitOffsetTicks ?? 0) + (t.stopOffsetTicks ?? 0)));
  const modelTop = parts.reduce((a, p) => a + p.value, 0);
  const topStated = largest(stated);
  if (topStated !== undefined && topStated.value > modelTop)
    return [
      topStated,
      ...(offset > 0
        ? [{ path: ['routing', 'defaultTwap', 'limitOffsetTicks'], what: 'TWAP offsets', value: offset }]
        : []),
    ];
  if (offset > 0)
    parts.push({ path: ['routing', 'defaultTwap', 'limitOffsetTicks'], what: 'TWAP offsets', value: offset });
  return parts;
}

/** One notional unit (tick x lot) as an exact decimal string. */
function unitStep(inst: Instrument): string {
  const t = parseDecimal(inst.tickSize);
  const l = parseDecimal(inst.lotSize);
  return formatScaled(t.mantissa * l.mantissa, t.scale + l.scale);
}

/** A quote amount must be at most MAX_NOTIONAL_UNITS notional units. */
export function checkQuoteAmount(path: Path, amount: string | undefined, inst: Instrument, issue: Issue): void {
  if (amount === undefined) return;
  if (quoteToUnits(inst, amount) > MAX_NOTIONAL_UNITS) {
    issue(
      path,
      `${amount} is too large: at most ${fromSteps(MAX_NOTIONAL_UNITS, unitStep(inst))} (2^51 notional units of tick x lot = ${unitStep(inst)})`,
    );
  }
}

/** Quantities, prices and their product within what the arithmetic carries exactly. */
export function checkMagnitudes(s: ScenarioFile, inst: Instrument, issue: Issue): void {
  const own = ownQuantities(s, inst);
  const ownLots = own.reduce((a, p) => a + p.value, 0);
  if (ownLots > MAX_STEPS) {
    const top = largest(own) as Part;
    issue(
      top.path,
      `the run's own quantities (orders, signals, external orders, account.base) add up to ${fmt(ownLots)} lots, above the largest quantity of ${fmt(MAX_STEPS)} lots (${fromSteps(MAX_STEPS, inst.lotSize)})`,
    );
    return;
  }
  const parts = priceParts(s, inst, ownLots);
  const top = parts.reduce((a, p) => a + p.value, 0);
  const main = largest(parts);
  if (main === undefined) return;
  // The highest price allowed: a safe number of ticks, and price x total quantity in range.
  const allowed = Math.min(MAX_STEPS, Math.floor(MAX_NOTIONAL_UNITS / Math.max(1, ownLots)));
  if (!(top <= allowed)) {
    const breakdown = parts
      .filter((p) => p.value >= 1 || !Number.isFinite(p.value))
      .map((p) => `${p.what} ${fmt(p.value)}`)
      .join(' + ');
    const why =
      allowed === MAX_STEPS
        ? 'the largest price, 2^53 - 1 ticks'
        : `2^51 notional units (tick x lot) over the run's total quantity of ${fmt(ownLots)} lots (orders, signals, external orders, account.base), so price x quantity stays exact`;
    const hint = largestAllowed(s, inst, ownLots, main.path, allowed);
    issue(
      main.path,
      `the highest price this run can reach is ${Number.isFinite(top) ? `about ${fmt(top)} ticks` : 'unbounded'} (in ticks: ${breakdown}), above the most it may reach: ` +
        `${fromSteps(allowed, inst.tickSize)} (${fmt(allowed)} ticks), from ${why}${hint === null ? '' : `; ${hint}`}`,
    );
  }
  const m = s.market;
  // Displayed and resting quantities of the market itself.
  const depthFactor = s.faults.reduce((f, x) => (x.kind === 'liquidity_drop' ? Math.max(f, x.depthFactor) : f), 1);
  if (m?.model === 'synthetic' || m?.model === 'almgren_chriss') {
    m.depth.forEach((q, i) => {
      const lots = qtyToLots(inst, q) * depthFactor;
      if (lots > MAX_STEPS)
        issue(
          ['market', 'depth', i],
          `${q} scaled by a liquidity_drop depthFactor of ${depthFactor} is ${fmt(lots)} lots, above the largest quantity of ${fmt(MAX_STEPS)} lots`,
        );
    });
  }
  if (m?.model === 'zero_intelligence') {
    // A level holds many orders, each at most EXPONENTIAL_MAX times meanQty.
    const orders = 2 * m.initialOrders + 2 * m.limitRatePerSec * (parseDurationMs(s.duration) / 1000);
    const lots = qtyToLots(inst, m.meanQty) * Math.max(EXPONENTIAL_MAX, orders);
    if (lots > MAX_STEPS)
      issue(
        ['market', 'meanQty'],
        `${m.meanQty} over about ${fmt(orders)} orders can pile up ${fmt(lots)} lots at a price, above the largest quantity of ${fmt(MAX_STEPS)} lots`,
      );
  }
}

const TUNABLE = [
  'initialPrice',
  'volatility',
  'sigma',
  'gamma',
  'epsilon',
  'eta',
  'priceRangeTicks',
  'spreadTicks',
  'levelSpacingTicks',
] as const;
const WHOLE = new Set<string>(['priceRangeTicks', 'spreadTicks', 'levelSpacingTicks']);

/** "market.volatility may be at most about 4.1e6 here": the largest value of the market field
 *  that dominates the price estimate keeping it within `allowed` ticks, or null. */
function largestAllowed(
  s: ScenarioFile,
  inst: Instrument,
  ownLots: number,
  path: Path,
  allowed: number,
): string | null {
  const key = TUNABLE.find((k) => path.length === 2 && path[0] === 'market' && path[1] === k);
  if (key === undefined) return null;
  const m = s.market as unknown as Record<string, unknown>;
  const current = key === 'initialPrice' ? priceToTicks(inst, m[key] as string) : (m[key] as number);
  const whole = key === 'initialPrice' || WHOLE.has(key);
  const topWith = (x: number): number => {
    const value = key === 'initialPrice' ? fromSteps(Math.floor(x), inst.tickSize) : whole ? Math.floor(x) : x;
    return priceParts({ ...s, market: { ...s.market, [key]: value } } as ScenarioFile, inst, ownLots).reduce(
      (a, p) => a + p.value,
      0,
    );
  };
  const floor = whole ? 1 : 1e-300;
  if (!(topWith(floor) <= allowed)) return whole ? null : `market.${key} must be 0 here`;
  // Bisection on the logarithm: the bound may be many orders of magnitude below the value.
  let lo = Math.log(floor);
  let hi = Math.log(Math.min(current, Number.MAX_VALUE));
  for (let i = 0; i < 200 && hi - lo > 1e-9; i++) {
    const mid = (lo + hi) / 2;
    if (topWith(Math.exp(mid)) <= allowed) lo = mid;
    else hi = mid;
  }
  const best = Math.exp(lo);
  // Two significant digits, rounded down so the value shown is itself allowed.
  const unit = 10 ** (Math.floor(Math.log10(best)) - 1);
  const shown =
    key === 'initialPrice'
      ? fromSteps(Math.floor(best), inst.tickSize)
      : whole
        ? String(Math.floor(best))
        : String(Number((Math.floor(best / unit) * unit).toPrecision(2)));
  return `market.${key} may be at most about ${shown} here`;
}

/** `value` in whole `step`s, or the reason it is not: off the grid, or too large (with the bound). */
export function gridProblem(value: string, step: string, what: string): string | null {
  try {
    toSteps(value, step);
    return null;
  } catch (err) {
    if ((err as Error).message.includes('too large')) {
      return `${value} is too large: at most ${fromSteps(MAX_STEPS, step)} (2^53 - 1 ${what} of ${step})`;
    }
    return `${value} is not a whole number of ${what} (${step})`;
  }
}
