// What an intent-driven execution algorithm is: a pure decision. Given its parent, the market,
// its children's states and the time, it returns child intents (place, cancel, replace), when to
// be asked next, and any state it wants kept (its memo). The runner (intent-runner.ts) asks it,
// enforces what no algorithm may break, and turns the intents into orders. Quantities are lots,
// prices ticks, times epoch milliseconds on the run's clock. Why: docs/0073-algorithm-intents.md.
import type { Side } from '../model/order.ts';

/** A price taken from the book when the child is placed: the touch on our side (a buy's bid), the
 *  mid (rounded away from crossing), or the far touch (a buy's ask). `offsetTicks` moves it away
 *  from crossing (a buy's price down); a negative offset moves it towards crossing. */
export interface Peg {
  readonly to: 'touch' | 'mid' | 'far';
  readonly offsetTicks?: number;
}

/** Place a child: a market order, or a limit at a price (ticks) or pegged. */
export interface PlaceIntent {
  readonly kind: 'place';
  readonly qty: number;
  readonly type: 'market' | 'limit';
  readonly price?: number;
  readonly peg?: Peg;
  /** A limit child's time in force; absent: GTC. A market child is always IOC. */
  readonly tif?: 'GTC' | 'IOC' | 'DAY';
}

/** Cancel a child, named by the handle the runner gave it (AlgoChild.handle). */
export interface CancelIntent {
  readonly kind: 'cancel';
  readonly child: number;
}

/** Cancel a child and place another in its stead once it has ended (its fills so far count):
 *  the new child's qty (absent: the old one's unfilled part) and price or peg (absent: the old
 *  one's price). */
export interface ReplaceIntent {
  readonly kind: 'replace';
  readonly child: number;
  readonly qty?: number;
  readonly price?: number;
  readonly peg?: Peg;
}

export type ChildIntent = PlaceIntent | CancelIntent | ReplaceIntent;

/** One of the parent's children as the algorithm sees it. */
export interface AlgoChild {
  /** The runner's handle: 1, 2, 3... in the order the children were placed. */
  readonly handle: number;
  readonly qty: number;
  readonly filledQty: number;
  /** The order's status (pending_new, submitted, accepted, partially_filled, filled,
   *  pending_cancel, canceled, rejected, expired, failed). */
  readonly status: string;
  /** Not ended yet: it may still fill. */
  readonly open: boolean;
  readonly type: string;
  /** Ticks, or null for a market child. */
  readonly price: number | null;
  readonly placedAt: number;
}

export interface AlgoParent {
  readonly id: string;
  readonly symbol: string;
  readonly side: Side;
  /** Lots. */
  readonly qty: number;
  /** The parent's limit (ticks): no child is priced worse. Null: a market parent. */
  readonly limitPrice: number | null;
  readonly startTime: number;
  /** The horizon: the algorithm is asked once at it (trigger 'end'). */
  readonly endTime: number;
  readonly filledQty: number;
  /** Lots a new child may still take: the parent's qty less what its children filled and what
   *  they may still fill. */
  readonly room: number;
  /** The instrument's minimum notional in ticks x lots: a child of q lots at p ticks the venue
   *  takes only when q x p is at least this (the runner refuses one below it). */
  readonly minNotional: number;
  /** The algorithm's parameters as the plan stored them. */
  readonly params: unknown;
}

export interface AlgoMarket {
  /** Ticks and lots; null when that side of the book is empty. */
  readonly bid: number | null;
  readonly ask: number | null;
  readonly bidQty: number;
  readonly askQty: number;
}

/** Why the algorithm is asked now: its start, a restart, its own wake-up, a fill of a child, a
 *  child that ended, or the horizon. */
export type AlgoTrigger = 'start' | 'resume' | 'wake' | 'fill' | 'ended' | 'end';

export interface AlgoContext {
  readonly now: number;
  readonly trigger: AlgoTrigger;
  /** The child whose fill or end asked, else null. */
  readonly child: number | null;
  readonly parent: AlgoParent;
  readonly market: AlgoMarket;
  readonly children: readonly AlgoChild[];
  /** What the previous decision kept (null before the first). */
  readonly memo: unknown;
  /** A uniform draw in [0, 1) from the run's seeded stream, the same for the same parent at the
   *  same number of children (so a restarted process draws what the first would have). */
  random(): number;
}

export interface AlgoDecision {
  readonly intents?: readonly ChildIntent[];
  /** When to be asked next (later than now); absent or null: only on its children's fills and
   *  ends, and at the horizon. */
  readonly wakeAt?: number | null;
  /** State to keep (JSON: plain objects, arrays, strings, finite numbers, booleans, null; at most
   *  MAX_MEMO_CHARS of it, decision-check.ts): stored in the log, so a restarted process gives it
   *  back. Absent: keep the previous one. */
  readonly memo?: unknown;
  /** The algorithm is finished: it is asked no more; its open children stay as they are. */
  readonly done?: boolean;
}

export interface ExecAlgorithm {
  /** Decides; undefined (a bare `return`) is the empty decision: nothing to do now. A throw stops
   *  the parent with the error's message. */
  decide(ctx: AlgoContext): AlgoDecision | undefined;
  /** What a failure names it by beside the plan's name (a user's module: its path as the file
   *  writes it); absent: the plan's name alone. */
  readonly label?: string;
}

/** What a plan stores of an intent-driven parent's algorithm, and what resolves it again. */
export interface AlgoRef {
  /** 'iceberg', or 'module' for a user's module. */
  readonly algo: string;
  /** The module as written in the file (absent for a built-in). */
  readonly module?: string;
  readonly params: unknown;
}

/** Finds the algorithm a plan names (a user's module loaded by the host; a built-in here), or
 *  throws saying why not. */
export type AlgorithmResolver = (ref: AlgoRef) => ExecAlgorithm;

/** An intent-driven parent as the engine takes it: the algorithm and its horizon. */
export interface AlgoRequest extends AlgoRef {
  /** The horizon; absent: the parent's TWAP parameters' duration (the routing's default). */
  readonly durationMs?: number;
}
