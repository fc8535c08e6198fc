// The public order book as Binance states it, with the update ids a client needs to sync the depth
// snapshot with the diff stream and rebuild the book exactly: the simulated exchange's displayed
// levels, less what our orders consumed, plus our own resting orders. A diff is published only
// when asked (sync). Details: docs/0068-gateway-notes.md.
import type { BookSide } from '../../sim/book/l2-book.ts';

/** Levels of one side, best first: [price ticks, qty lots]. */
export type Levels = Array<[number, number]>;

export interface DepthDiff {
  readonly U: number;
  readonly u: number;
  /** Changed levels, qty 0 for a level that is gone. */
  readonly bids: Levels;
  readonly asks: Levels;
}

export interface DepthSource {
  /** Every level of `side` now, best first. */
  levels(side: BookSide): Levels;
}

/** Binance's deepest snapshot (and the deepest level a diff tracks). */
export const MAX_DEPTH = 5000;

export class DepthBook {
  private lastId = 0;
  private shown: { bid: Levels; ask: Levels } = { bid: [], ask: [] };
  private readonly listeners: Array<(diff: DepthDiff) => void> = [];

  constructor(private readonly source: DepthSource) {}

  /** The update id of what was last published. */
  get lastUpdateId(): number {
    return this.lastId;
  }

  onDiff(listener: (diff: DepthDiff) => void): void {
    this.listeners.push(listener);
  }

  /** Publishes what changed since the last sync (a diff to the listeners); the id now. */
  sync(): number {
    const now = {
      bid: this.source.levels('bid').slice(0, MAX_DEPTH),
      ask: this.source.levels('ask').slice(0, MAX_DEPTH),
    };
    const bids = changes(this.shown.bid, now.bid);
    const asks = changes(this.shown.ask, now.ask);
    this.shown = now;
    const n = bids.length + asks.length;
    if (n === 0) return this.lastId;
    const diff: DepthDiff = { U: this.lastId + 1, u: this.lastId + n, bids, asks };
    this.lastId = diff.u;
    for (const listener of this.listeners) listener(diff);
    return this.lastId;
  }

  /** The book now, `limit` levels a side, and the id it is as of (what changed is published first). */
  snapshot(limit: number): { lastUpdateId: number; bids: Levels; asks: Levels } {
    const lastUpdateId = this.sync();
    return { lastUpdateId, bids: this.shown.bid.slice(0, limit), asks: this.shown.ask.slice(0, limit) };
  }
}

/** The levels that differ from `before` to `after`: new or changed quantities, and 0 for gone ones. */
function changes(before: Levels, after: Levels): Levels {
  const was = new Map(before);
  const out: Levels = [];
  for (const [price, qty] of after) {
    if (was.get(price) !== qty) out.push([price, qty]);
    was.delete(price);
  }
  for (const price of was.keys()) out.push([price, 0]);
  return out;
}

/** Merges later diffs into one (a slower stream's): ids from the first U to the last u, each
 *  level at its latest quantity. */
export function mergeDiffs(diffs: readonly DepthDiff[]): DepthDiff | null {
  const first = diffs[0];
  const last = diffs[diffs.length - 1];
  if (!first || !last) return null;
  const bids = new Map<number, number>();
  const asks = new Map<number, number>();
  for (const d of diffs) {
    for (const [p, q] of d.bids) bids.set(p, q);
    for (const [p, q] of d.asks) asks.set(p, q);
  }
  return { U: first.U, u: last.u, bids: [...bids], asks: [...asks] };
}
