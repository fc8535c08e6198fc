// Iceberg: one displayed child at a time, replenished when it has ended (filled, or cancelled to
// be re-pegged), each child's size drawn between displayMin and displayMax from the run's seeded
// stream (both equal: a fixed display), from no less than the venue's minimum notional allows
// when the range reaches it. Priced at the parent's limit, or pegged to the touch, the
// mid or the far touch with an offset (never worse than the parent's limit: the runner holds it),
// and re-pegged when the peg moved `repegTicks` or more from the child's price (looked at every
// `checkEveryMs`). At the horizon its working child is cancelled; with `end: complete` what is
// left then goes out once as a market child (an IOC limit at the parent's limit), with `stop` it
// is left unfilled. A remainder the venue would refuse on its own (under the minimum notional)
// goes with the child before it. An algorithm on the intent runner (intent-runner.ts).
import type { AlgoContext, AlgoDecision, ChildIntent, ExecAlgorithm, Peg } from './intent-algorithm.ts';
import { TwapPlanError } from './twap-slicer.ts';

export interface IcebergParams {
  /** Lots displayed per child: drawn in [displayMin, displayMax]. */
  readonly displayMin: number;
  readonly displayMax: number;
  /** Absent: children at the parent's limit price. */
  readonly peg?: Peg;
  /** Re-peg when the peg moved this many ticks from the child's price; absent: never. */
  readonly repegTicks?: number;
  /** How often the peg is looked at (ms), when re-pegging. */
  readonly checkEveryMs: number;
  readonly end: 'complete' | 'stop';
}

export const DEFAULT_ICEBERG_CHECK_MS = 1000;

/** What the iceberg keeps between decisions: whether its horizon came, whether its final child
 *  went out. */
interface IcebergMemo {
  readonly ending?: boolean;
  readonly swept?: boolean;
}

/** Checks an iceberg's parameters (lots and ticks), or throws a TwapPlanError naming the field. */
export function checkIcebergParams(p: IcebergParams, hasLimit: boolean): void {
  const whole = (field: string, v: unknown, min: number): void => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min)
      throw new TwapPlanError(field, `must be a whole number of at least ${min}, got ${String(v)}`);
  };
  whole('displayMin', p.displayMin, 1);
  whole('displayMax', p.displayMax, 1);
  if (p.displayMax < p.displayMin) throw new TwapPlanError('displayMax', 'must be at least displayMin');
  if (p.peg === undefined && !hasLimit)
    throw new TwapPlanError(
      'peg',
      'an iceberg of a market parent needs a peg (touch, mid or far): nothing to price it at',
    );
  if (p.peg !== undefined && p.peg.offsetTicks !== undefined && !Number.isSafeInteger(p.peg.offsetTicks))
    throw new TwapPlanError('offsetTicks', 'must be whole ticks');
  if (p.repegTicks !== undefined) {
    whole('repegTicks', p.repegTicks, 1);
    if (p.peg === undefined) throw new TwapPlanError('repegTicks', 'only a pegged iceberg is re-pegged');
  }
  whole('checkEveryMs', p.checkEveryMs, 1);
}

/** The price a peg gives at this book (as the runner prices it), or null. */
function pegged(ctx: AlgoContext, peg: Peg): number | null {
  return pegPriceAt(ctx.parent.side === 'buy', ctx.market, peg, ctx.parent.limitPrice);
}

/** The price (ticks) a child of a buy or a sell pegged to `peg` gets at a book, never worse
 *  than `limit` (null: no limit); null when the side it pegs to is empty. */
export function pegPriceAt(
  buy: boolean,
  book: { readonly bid: number | null; readonly ask: number | null },
  peg: Peg,
  limit: number | null,
): number | null {
  const { bid, ask } = book;
  const near = buy ? bid : ask;
  const far = buy ? ask : bid;
  const ref =
    peg.to === 'touch'
      ? near
      : peg.to === 'far'
        ? far
        : near === null || far === null
          ? null
          : buy
            ? Math.floor((near + far) / 2)
            : Math.ceil((near + far) / 2);
  if (ref === null) return null;
  const offset = peg.offsetTicks ?? 0;
  const price = buy ? ref - offset : ref + offset;
  return limit === null ? price : buy ? Math.min(price, limit) : Math.max(price, limit);
}

/** The fewest lots worth `minNotional` at `price` ticks (at least one tick). */
export function leastLotsWorth(minNotional: number, price: number): number {
  const lots = Math.ceil(minNotional / price);
  return lots > 1 && (lots - 1) * price >= minNotional ? lots - 1 : lots;
}

/** The fewest lots worth the minimum notional at `price`, when that is at most `max`; else 0.
 *  A display range whose smallest draws the venue would refuse is drawn from there up, so no
 *  child is refused for its size while the range holds one the venue accepts; a range that
 *  holds none is drawn as asked (its children are refused, and the report warns). */
function smallestAccepted(minNotional: number, price: number, max: number): number {
  if (price < 1) return 0;
  const lots = leastLotsWorth(minNotional, price);
  return lots <= max ? lots : 0;
}

/** The iceberg: always a decision (never the empty undefined), as its tests read it. */
export const iceberg = {
  decide(ctx: AlgoContext): AlgoDecision {
    const p = ctx.parent.params as IcebergParams;
    const memo = (ctx.memo ?? {}) as IcebergMemo;
    const open = ctx.children.filter((c) => c.open);
    const cancels: ChildIntent[] = open
      .filter((c) => c.status !== 'pending_cancel')
      .map((c) => ({ kind: 'cancel', child: c.handle }));
    if (ctx.trigger === 'end' || memo.ending === true) {
      if (p.end === 'stop') return { intents: cancels, done: true, memo: { ending: true } };
      if (open.length > 0) return { intents: cancels, memo: { ending: true } };
      if (memo.swept === true || ctx.parent.room === 0) return { done: true, memo: { ending: true, swept: true } };
      return {
        intents: [{ kind: 'place', qty: ctx.parent.room, type: 'market' }],
        memo: { ending: true, swept: true },
        done: true,
      };
    }
    const repeg = p.peg !== undefined && p.repegTicks !== undefined;
    const wakeAt = repeg ? ctx.now + p.checkEveryMs : null;
    if (open.length > 0) {
      if (!repeg) return {};
      const intents: ChildIntent[] = [];
      const price = pegged(ctx, p.peg as Peg);
      for (const c of open) {
        if (c.status === 'pending_cancel' || c.price === null || price === null) continue;
        if (Math.abs(price - c.price) >= (p.repegTicks as number)) intents.push({ kind: 'cancel', child: c.handle });
      }
      return { intents, wakeAt };
    }
    const room = ctx.parent.room;
    if (room === 0) return {};
    const price = p.peg !== undefined ? pegged(ctx, p.peg) : ctx.parent.limitPrice;
    if (price === null) return { wakeAt: ctx.now + p.checkEveryMs };
    const low = Math.max(p.displayMin, smallestAccepted(ctx.parent.minNotional, price, p.displayMax));
    const span = p.displayMax - low + 1;
    const display = low + (span > 1 ? Math.floor(ctx.random() * span) : 0);
    // What this child would leave behind, when the venue would refuse it as a child of its own
    // (below the minimum notional at this price), goes with this child.
    let qty = Math.min(display, room);
    if (qty < room && (room - qty) * price < ctx.parent.minNotional) qty = room;
    if (p.peg !== undefined) return { intents: [{ kind: 'place', qty, type: 'limit', peg: p.peg }], wakeAt };
    return { intents: [{ kind: 'place', qty, type: 'limit', price }] };
  },
} satisfies ExecAlgorithm;
