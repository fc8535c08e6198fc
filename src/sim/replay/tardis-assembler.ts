// Turns Tardis rows, merged in local time order, into the replay's messages (the ones a Binance
// recording parses into), so the replay model and its depth sync run on them unchanged.
// - incremental_book_L2: the rows of one file with one local timestamp and one is_snapshot value
//   are one message: a depth diff, or a snapshot. Tardis has no update ids, so they are made up:
//   one counter, one id per diff and per quote; a diff covers the ids since the previous diff
//   (U = previous u + 1, u = its own id), so the depth sync's rules hold and a quote is in force
//   until the next diff, as a bookTicker is until a diff covers its id. A snapshot at the start of
//   a file (Tardis starts each day with one) has the counter's id: the book, if already synced,
//   continues from the diffs, as with a recording. A snapshot in the middle of a file means
//   Tardis's recorder reconnected: an empty diff that skips an id is put before it, so the replay
//   reports the gap and rebuilds the book from the snapshot, as it does for a recording's gap.
// - book_snapshot_N: the first row is a snapshot, each later row a diff to it from the row before
//   (levels gone from the top N set to 0), so the book is always exactly the top N levels.
// - trades: the aggressor side decides buyerIsMaker (a sell aggressor: the buyer made); an
//   unknown side is taken from the tick rule (up from the last trade: a buy; down: a sell; the
//   same price: the last side). A trade id seen among the latest trades is refused
//   (recent-trade-ids.ts): the same trade given twice would trade twice against our orders.
// - quotes: a bookTicker with the next id; a quote missing a side is left out (counted); a
//   crossed or locked one (bid at or above ask) is kept and counted, and the replay leaves it out
//   as it does a recording's (tickersInvalid).
// - incremental_book_L2 must open with a snapshot: diffs before any would leave the replay
//   without a book until the recorder next reconnected, so they are refused.
import type { BinanceDepth, BinanceMessage, BinanceSnapshot } from './binance-message-types.ts';
import type { PullStream } from './merge-by-time.ts';
import { RecentTradeIds } from './recent-trade-ids.ts';
import { ImportedDataError, type LocatedRow } from './tardis-row-stream.ts';
import type { TardisBookRow, TardisSnapshotRow } from './tardis-rows.ts';

/** What the assembler noticed, with the first place of each; none of it stops the replay. */
export interface TardisChecks {
  /** Snapshots (of either book dataset) whose best bid is at or above the best ask. */
  crossedSnapshots: number;
  firstCrossed: string;
  /** Mid-file snapshots: the recorder reconnected (each one a gap and a rebuild in the replay). */
  reconnects: number;
  /** Quotes with an empty side, left out. */
  oneSidedQuotes: number;
  /** Quotes whose bid is at or above their ask (kept; the replay leaves them out). */
  crossedQuotes: number;
  firstCrossedQuote: string;
  /** Trades whose side was unknown, decided by the tick rule. */
  inferredSides: number;
}

const US_PER_MS = 1000;

/** Microseconds to ms, computed as the raw line parser computes a receive time from its ns (whole
 *  ms plus the fraction), so the same instant is the same float from either format. */
export function usToMs(us: number): number {
  return Math.floor(us / US_PER_MS) + (us % US_PER_MS) / US_PER_MS;
}

export class TardisAssembler implements PullStream<BinanceMessage> {
  readonly checks: TardisChecks = {
    crossedSnapshots: 0,
    firstCrossed: '',
    reconnects: 0,
    oneSidedQuotes: 0,
    crossedQuotes: 0,
    firstCrossedQuote: '',
    inferredSides: 0,
  };
  /** The latest trades' ids, where a repeated one is found (recent-trade-ids.ts). */
  private readonly tradeIds = new RecentTradeIds();
  /** The last update id handed out (diffs, quotes, snapshots). */
  private id = 0;
  /** The last id a diff or snapshot covered: the next diff starts after it. */
  private coveredId = 0;
  private lookahead: LocatedRow | null = null;
  /** The row the message handed out last was made from (a book message's first row). */
  private lastAt: LocatedRow | null = null;
  private readonly queue: BinanceMessage[] = [];
  /** The file of the last incremental_book_L2 message, '' before the first. */
  private bookFile = '';
  /** book_snapshot_N: the last row's levels. */
  private top: TardisSnapshotRow | null = null;
  private tradeCount = 0;
  private lastTradePrice = -1;
  private lastAggressorSell = false;

  constructor(private readonly rows: PullStream<LocatedRow>) {}

  next(): BinanceMessage | null {
    while (true) {
      const queued = this.queue.shift();
      if (queued !== undefined) return queued;
      const at = this.take();
      if (at === null) return null;
      this.lastAt = at;
      const row = at.row;
      switch (row.kind) {
        case 'book':
          this.bookGroup(at);
          break;
        case 'book_snapshot':
          this.snapshotRow(row, at);
          break;
        case 'trade': {
          if (row.tradeId >= 0) this.checkTradeId(row.tradeId, at);
          let sell = row.side === 'sell';
          if (row.side === 'unknown') {
            this.checks.inferredSides++;
            sell = row.price === this.lastTradePrice ? this.lastAggressorSell : row.price < this.lastTradePrice;
          }
          this.lastTradePrice = row.price;
          this.lastAggressorSell = sell;
          this.tradeCount++;
          const ms = row.eventUs / US_PER_MS;
          return {
            kind: 'trade',
            recvMs: usToMs(row.recvUs),
            eventMs: ms,
            tradeMs: ms,
            tradeId: row.tradeId >= 0 ? row.tradeId : this.tradeCount,
            price: row.price,
            qty: row.qty,
            buyerIsMaker: sell,
          };
        }
        case 'quote':
          if (row.bid < 0 || row.ask < 0) {
            this.checks.oneSidedQuotes++;
            break;
          }
          if (row.bid >= row.ask && this.checks.crossedQuotes++ === 0)
            this.checks.firstCrossedQuote = `${at.file}: line ${at.lineNo}`;
          return {
            kind: 'bbo',
            recvMs: usToMs(row.recvUs),
            updateId: ++this.id,
            bid: row.bid,
            bidQty: row.bidQty,
            ask: row.ask,
            askQty: row.askQty,
          };
      }
    }
  }

  /** Where the message handed out last was read (`file: line N`; '' before the first). */
  where(): string {
    return this.lastAt === null ? '' : `${this.lastAt.file}: line ${this.lastAt.lineNo}`;
  }

  private take(): LocatedRow | null {
    const row = this.lookahead ?? this.rows.next();
    this.lookahead = null;
    return row;
  }

  /** The rows of one message: this one and the following of its file, time and kind. */
  private bookGroup(first: LocatedRow): void {
    const head = first.row as TardisBookRow;
    const bids: number[] = [];
    const asks: number[] = [];
    let eventUs = head.eventUs;
    let at: LocatedRow | null = first;
    while (at !== null) {
      const r = at.row as TardisBookRow;
      if (!(head.snapshot && r.qty === 0)) (r.side === 'bid' ? bids : asks).push(r.price, r.qty);
      if (r.eventUs > eventUs) eventUs = r.eventUs;
      const following = this.rows.next();
      if (
        following === null ||
        following.row.kind !== 'book' ||
        following.stream !== first.stream ||
        following.file !== first.file ||
        following.row.recvUs !== head.recvUs ||
        following.row.snapshot !== head.snapshot
      ) {
        this.lookahead = following;
        break;
      }
      at = following;
    }
    const recvMs = usToMs(head.recvUs);
    if (head.snapshot) {
      if (this.bookFile === first.file) {
        // The recorder reconnected: an id is skipped so the replay sees the gap, then rebuilds.
        this.checks.reconnects++;
        this.id += 2;
        this.queue.push({
          kind: 'depth',
          recvMs,
          eventMs: eventUs / US_PER_MS,
          firstId: this.id,
          lastId: this.id,
          bids: [],
          asks: [],
        });
      }
      this.bookFile = first.file;
      this.queue.push(this.snapshot(recvMs, bestFirst(bids, -1), bestFirst(asks, 1), first));
      return;
    }
    if (this.bookFile === '')
      throw new ImportedDataError(
        `${first.file}: line ${first.lineNo}: an update (is_snapshot false) before any snapshot: the replay would ` +
          'have no book until the next one; the book must open with its snapshot, as each Tardis day does',
      );
    this.bookFile = first.file;
    this.queue.push(this.diff(recvMs, eventUs, bids, asks));
  }

  /** Refuses a trade id among the latest trades', naming where it was seen. */
  private checkTradeId(id: number, at: LocatedRow): void {
    const repeat = this.tradeIds.repeat(id, at.file, at.lineNo);
    if (repeat !== null) throw new ImportedDataError(repeat);
  }

  private snapshotRow(row: TardisSnapshotRow, at: LocatedRow): void {
    const recvMs = usToMs(row.recvUs);
    const prev = this.top;
    this.top = row;
    if (prev === null) {
      this.queue.push(this.snapshot(recvMs, row.bids, row.asks, at));
      return;
    }
    this.checkCrossed(row.bids, row.asks, at);
    const bids = levelChanges(prev.bids, row.bids);
    const asks = levelChanges(prev.asks, row.asks);
    if (bids.length + asks.length > 0) this.queue.push(this.diff(recvMs, row.eventUs, bids, asks));
  }

  private snapshot(recvMs: number, bids: number[], asks: number[], at: LocatedRow): BinanceSnapshot {
    this.checkCrossed(bids, asks, at);
    this.coveredId = this.id;
    return { kind: 'snapshot', recvMs, lastUpdateId: this.id, bids, asks };
  }

  private diff(recvMs: number, eventUs: number, bids: number[], asks: number[]): BinanceDepth {
    const firstId = this.coveredId + 1;
    this.coveredId = ++this.id;
    return { kind: 'depth', recvMs, eventMs: eventUs / US_PER_MS, firstId, lastId: this.id, bids, asks };
  }

  private checkCrossed(bids: number[], asks: number[], at: LocatedRow): void {
    if (bids.length === 0 || asks.length === 0 || (bids[0] as number) < (asks[0] as number)) return;
    if (this.checks.crossedSnapshots++ === 0) this.checks.firstCrossed = `${at.file}: line ${at.lineNo}`;
  }
}

/** Flattened levels sorted best first (dir -1: descending prices, bids; 1: ascending, asks). */
function bestFirst(levels: number[], dir: 1 | -1): number[] {
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < levels.length; i += 2) pairs.push([levels[i] as number, levels[i + 1] as number]);
  pairs.sort((a, b) => dir * (a[0] - b[0]));
  return pairs.flat();
}

/** The diff from one top-N side to the next: changed and new levels, and gone ones at 0. */
function levelChanges(prev: number[], next: number[]): number[] {
  const out: number[] = [];
  const now = new Map<number, number>();
  for (let i = 0; i < next.length; i += 2) now.set(next[i] as number, next[i + 1] as number);
  for (let i = 0; i < prev.length; i += 2) {
    const price = prev[i] as number;
    if (!now.has(price)) out.push(price, 0);
  }
  const before = new Map<number, number>();
  for (let i = 0; i < prev.length; i += 2) before.set(prev[i] as number, prev[i + 1] as number);
  for (const [price, qty] of now) if (before.get(price) !== qty) out.push(price, qty);
  return out;
}
