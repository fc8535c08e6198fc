// Binance's documented local-book procedure ("How to manage a local order book correctly") as a
// pure state machine over recorded messages, applying diffs to an L2Book: diffs that arrive before
// a snapshot are buffered, a snapshot replaces the book, the first diff applied must straddle its
// lastUpdateId and each later one must follow the previous; anything else is a gap (a DepthGap
// event) and the book is unsynced until the next snapshot. The buffer is bounded (maxBuffered).
// The rules step by step, and how stale and overlapping diffs are counted:
// docs/0038-replaying-recorded-binance-data.md.
import type { L2Book } from '../book/l2-book.ts';
import type { BinanceDepth, BinanceLevels, BinanceSnapshot } from './binance-messages.ts';

/** Sync was lost: the diff after `expectedId - 1` should have started at expectedId. */
export interface DepthGap {
  readonly kind: 'DepthGap';
  /** The update id the next diff had to cover (the book's id + 1). */
  readonly expectedId: number;
  /** The first update id (U) of the diff that arrived instead. */
  readonly gotId: number;
  /** That diff's last update id (u). */
  readonly lastId: number;
  readonly recvMs: number;
}

export type DepthSyncState =
  /** No snapshot yet (start, or after a gap): diffs are buffered. */
  | 'awaiting-snapshot'
  /** The book is a snapshot; waiting for the diff that straddles its lastUpdateId. */
  | 'awaiting-first-diff'
  | 'synced';

export type DepthOutcome = 'applied' | 'buffered' | 'skipped' | 'stale' | 'gap';

export interface DepthSyncCounts {
  snapshots: number;
  snapshotsIgnored: number;
  applied: number;
  skippedBeforeSnapshot: number;
  stale: number;
  overlaps: number;
  gaps: number;
  droppedFromBuffer: number;
}

export interface DepthSyncOptions {
  /** Called after each diff is applied (also for buffered diffs applied at a snapshot). */
  readonly onApplied?: (diff: BinanceDepth, book: L2Book) => void;
  /** Most diffs held while waiting for a snapshot (default 10,000, ~17 minutes at 100 ms). */
  readonly maxBuffered?: number;
}

export class DepthSync {
  readonly counts: DepthSyncCounts = {
    snapshots: 0,
    snapshotsIgnored: 0,
    applied: 0,
    skippedBeforeSnapshot: 0,
    stale: 0,
    overlaps: 0,
    gaps: 0,
    droppedFromBuffer: 0,
  };
  readonly gapEvents: DepthGap[] = [];
  private stateNow: DepthSyncState = 'awaiting-snapshot';
  /** The update id the book reflects (snapshot L, then each applied diff's u). */
  private bookId = -1;
  private buffer: BinanceDepth[] = [];
  /** The highest update id of the stale diffs since the last one applied (null: none). */
  private staleSince: number | null = null;
  private readonly onApplied: ((diff: BinanceDepth, book: L2Book) => void) | undefined;
  private readonly maxBuffered: number;

  constructor(
    readonly book: L2Book,
    options: DepthSyncOptions = {},
  ) {
    this.onApplied = options.onApplied;
    this.maxBuffered = options.maxBuffered ?? 10_000;
    if (!(Number.isInteger(this.maxBuffered) && this.maxBuffered >= 1))
      throw new Error('maxBuffered must be a positive integer');
  }

  get state(): DepthSyncState {
    return this.stateNow;
  }

  /** True when the book reflects a consistent venue state (a snapshot plus gap-free diffs). */
  get synced(): boolean {
    return this.stateNow !== 'awaiting-snapshot';
  }

  /** The update id the book reflects, or -1 before the first snapshot. */
  get lastUpdateId(): number {
    return this.bookId;
  }

  /**
   * Whether `snap` says the venue's update ids began again (it restarted while it was recorded):
   * the book is synced, the diffs since the last one applied were all stale (below the book's id),
   * and the snapshot is of their sequence (at or after them), below the book's id. A snapshot
   * that is merely late (its answer came after diffs newer than it, which were applied) is not.
   */
  restartedBy(snap: BinanceSnapshot): boolean {
    return (
      this.stateNow !== 'awaiting-snapshot' &&
      this.staleSince !== null &&
      snap.lastUpdateId < this.bookId &&
      snap.lastUpdateId >= this.staleSince
    );
  }

  /**
   * Loads a snapshot unless the book is already synced; then replays the buffered diffs. A
   * snapshot that says the venue restarted (restartedBy) is loaded too: the diffs since were all
   * taken for stale, so the book is the old venue's. That is a gap (a DepthGap from the book's id
   * to the snapshot's), and the book is rebuilt from the snapshot.
   */
  onSnapshot(snap: BinanceSnapshot): 'loaded' | 'ignored' {
    if (this.stateNow !== 'awaiting-snapshot') {
      if (!this.restartedBy(snap)) {
        this.counts.snapshotsIgnored++;
        return 'ignored';
      }
      this.gapEvents.push({
        kind: 'DepthGap',
        expectedId: this.bookId + 1,
        gotId: snap.lastUpdateId,
        lastId: snap.lastUpdateId,
        recvMs: snap.recvMs,
      });
      this.counts.gaps++;
    }
    this.counts.snapshots++;
    const book = this.book;
    book.clear();
    setLevels(book, 'bid', snap.bids);
    setLevels(book, 'ask', snap.asks);
    this.bookId = snap.lastUpdateId;
    this.staleSince = null;
    this.stateNow = 'awaiting-first-diff';
    const buffered = this.buffer;
    this.buffer = [];
    for (const diff of buffered) this.onDepth(diff);
    return 'loaded';
  }

  onDepth(diff: BinanceDepth): DepthOutcome {
    if (this.stateNow === 'awaiting-snapshot') {
      if (this.buffer.length >= this.maxBuffered) {
        const drop = Math.max(1, this.maxBuffered >> 1);
        this.buffer.splice(0, drop);
        this.counts.droppedFromBuffer += drop;
      }
      this.buffer.push(diff);
      return 'buffered';
    }
    const id = this.bookId;
    if (this.stateNow === 'awaiting-first-diff') {
      if (diff.lastId <= id) {
        this.counts.skippedBeforeSnapshot++;
        return 'skipped';
      }
      if (diff.firstId > id + 1) return this.gap(diff);
      this.stateNow = 'synced';
      return this.apply(diff);
    }
    if (diff.firstId === id + 1) return this.apply(diff);
    if (diff.lastId <= id) {
      this.counts.stale++;
      this.staleSince = Math.max(this.staleSince ?? -1, diff.lastId);
      return 'stale';
    }
    if (diff.firstId <= id) {
      this.counts.overlaps++;
      return this.apply(diff);
    }
    return this.gap(diff);
  }

  private apply(diff: BinanceDepth): 'applied' {
    setLevels(this.book, 'bid', diff.bids);
    setLevels(this.book, 'ask', diff.asks);
    this.bookId = diff.lastId;
    this.staleSince = null;
    this.counts.applied++;
    if (this.onApplied !== undefined) this.onApplied(diff, this.book);
    return 'applied';
  }

  private gap(diff: BinanceDepth): 'gap' {
    const event: DepthGap = {
      kind: 'DepthGap',
      expectedId: this.bookId + 1,
      gotId: diff.firstId,
      lastId: diff.lastId,
      recvMs: diff.recvMs,
    };
    this.gapEvents.push(event);
    this.counts.gaps++;
    this.stateNow = 'awaiting-snapshot';
    this.buffer = [diff];
    return 'gap';
  }
}

function setLevels(book: L2Book, side: 'bid' | 'ask', levels: BinanceLevels): void {
  for (let i = 0; i < levels.length; i += 2) book.set(side, levels[i] as number, levels[i + 1] as number);
}
