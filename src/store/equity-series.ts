// A stored run's net P&L and position over time, for the run page's equity chart: what the run
// report's P&L fold computed as the run went (src/core/report/pnl-fold.ts), worked out again from
// the stored log by the same arithmetic (PnlCurve) in quote currency and base units. The inputs
// are the ones the fold reads: the account's baseline and reconciliation's corrections, each
// parent's arrival mid, our fills with their fees, the market samples of the run's symbol, and
// the mark the report took as the run ended (a finished run's report), so the last point is the
// report's net P&L. A point after every change, one per instant (the last), in time order.
import { midOf } from '../core/report/pnl-fold.ts';
import { PnlCurve } from '../core/report/pnl-book.ts';

/** What moved the P&L, at its time; `seq` orders same-time entries (a sample follows the entry
 *  whose seq it carries, as it was taken after it). */
type Change =
  | {
      readonly kind: 'inventory';
      readonly t: number;
      readonly seq: number;
      readonly symbol: string;
      readonly qty: number;
    }
  | {
      readonly kind: 'arrival';
      readonly t: number;
      readonly seq: number;
      readonly symbol: string;
      readonly price: number;
    }
  | {
      readonly kind: 'fill';
      readonly t: number;
      readonly seq: number;
      readonly symbol: string;
      readonly qty: number;
      readonly price: number;
      readonly fee: number;
    }
  | { readonly kind: 'sample'; readonly t: number; readonly seq: number; readonly price: number }
  | { readonly kind: 'end'; readonly t: number; readonly seq: number; readonly symbol: string; readonly price: number };

export interface EquityPoints {
  readonly t: number[];
  /** Net P&L (realized + unrealized - fees), quote currency. */
  readonly net: number[];
  /** The run's symbol's position, baseline included, base units. */
  readonly position: number[];
}

export class EquitySeries {
  private readonly changes: Change[] = [];

  /** `primary`: the run's symbol (the samples' and the position's). */
  constructor(private readonly primary: string) {}

  /** Inventory that came without a trade (a baseline, a correction), signed base units. */
  inventory(t: number, seq: number, symbol: string, qty: number): void {
    if (qty !== 0) this.changes.push({ kind: 'inventory', t, seq, symbol, qty });
  }

  /** A parent's arrival bid and ask (quote prices; null for an empty side). */
  arrival(t: number, seq: number, symbol: string, bid: number | null, ask: number | null): void {
    const price = midOf(bid, ask);
    if (price !== null) this.changes.push({ kind: 'arrival', t, seq, symbol, price });
  }

  /** One of our fills: signed base units (a buy > 0), its price and fee. */
  fill(t: number, seq: number, symbol: string, qty: number, price: number, fee: number): void {
    this.changes.push({ kind: 'fill', t, seq, symbol, qty, price, fee });
  }

  /** A market sample of the run's symbol. */
  sample(t: number, seq: number, bid: number | null, ask: number | null): void {
    const price = midOf(bid, ask);
    if (price !== null) this.changes.push({ kind: 'sample', t, seq, price });
  }

  /** The report's last mark of `symbol`, at the run's end. */
  end(t: number, symbol: string, price: number): void {
    this.changes.push({ kind: 'end', t, seq: Number.MAX_SAFE_INTEGER, symbol, price });
  }

  /** The points from `origin` (0 there), those for which `keep` holds. */
  points(origin: number, keep: (t: number) => boolean): EquityPoints {
    const order = (c: Change): number => (c.kind === 'sample' ? 1 : 0);
    const changes = [...this.changes].sort((a, b) => a.t - b.t || a.seq - b.seq || order(a) - order(b));
    const curve = new PnlCurve();
    const own = curve.book(this.primary);
    const out: EquityPoints = { t: [], net: [], position: [] };
    const point = (t: number, rawNet: number): void => {
      if (!keep(t)) return;
      // Stated as the report states them: floating-point sums carry dust (2 BTC as
      // 1.9999999999999998, a flat position as -2.8e-17) that no lot or quote amount has.
      const net = settled(rawNet, NET_PLACES);
      const position = settled(own.position + own.pending, POSITION_PLACES);
      const n = out.t.length;
      if (n > 0 && out.t[n - 1] === t) {
        out.net[n - 1] = net;
        out.position[n - 1] = position;
      } else {
        out.t.push(t);
        out.net.push(net);
        out.position.push(position);
      }
    };
    point(origin, 0);
    for (const c of changes) {
      const symbol = c.kind === 'sample' ? this.primary : c.symbol;
      const book = curve.book(symbol);
      if (c.kind === 'inventory') book.inventory(c.qty);
      else if (c.kind === 'arrival') book.setReference(c.price, 'arrival');
      else if (c.kind === 'fill') book.trade(c.qty, c.price, c.fee);
      else if (c.kind === 'sample') book.setMark(c.price, 'sample');
      else book.close(c.price, 'end');
      point(Math.max(origin, c.t), curve.observe(symbol));
    }
    return out;
  }
}

/** Decimal places the series states: quote amounts as a venue's (8), base quantities past any
 *  lot size (12). */
const NET_PLACES = 8;
const POSITION_PLACES = 12;

/** `x` rounded to `places` decimals (never -0); as it is when that would lose its integer part. */
function settled(x: number, places: number): number {
  const scale = 10 ** places;
  const scaled = x * scale;
  if (!Number.isFinite(scaled) || Math.abs(scaled) >= Number.MAX_SAFE_INTEGER) return x;
  return Math.round(scaled) / scale || 0;
}
