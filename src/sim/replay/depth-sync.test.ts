import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { L2Book } from '../book/l2-book.ts';
import type { BinanceDepth, BinanceSnapshot } from './binance-messages.ts';
import { DepthSync } from './depth-sync.ts';

const diff = (firstId: number, lastId: number, bids: number[] = [], asks: number[] = []): BinanceDepth => ({
  kind: 'depth',
  recvMs: lastId,
  eventMs: lastId,
  firstId,
  lastId,
  bids,
  asks,
});
const snapshot = (lastUpdateId: number, bids: number[], asks: number[]): BinanceSnapshot => ({
  kind: 'snapshot',
  recvMs: lastUpdateId,
  lastUpdateId,
  bids,
  asks,
});

describe('DepthSync', () => {
  it('buffers diffs recorded before the snapshot, skips the old ones and applies the straddling one', () => {
    // the opening of btcusdt_20240808.gz: diffs 189-202, 203-207, 208-224, then snapshot 218
    const sync = new DepthSync(new L2Book());
    expect(sync.onDepth(diff(189, 202, [100, 1]))).toBe('buffered');
    expect(sync.onDepth(diff(203, 207, [101, 1]))).toBe('buffered');
    expect(sync.onDepth(diff(208, 224, [102, 3], [110, 0]))).toBe('buffered');
    expect(sync.synced).toBe(false);
    expect(sync.onSnapshot(snapshot(218, [99, 5], [110, 2, 111, 4]))).toBe('loaded');
    expect(sync.counts).toMatchObject({ snapshots: 1, skippedBeforeSnapshot: 2, applied: 1, gaps: 0 });
    expect(sync.state).toBe('synced');
    expect(sync.lastUpdateId).toBe(224);
    expect(sync.book.depth('bid', 5)).toEqual([
      [102, 3],
      [99, 5],
    ]); // 100 and 101 came from skipped diffs
    expect(sync.book.depth('ask', 5)).toEqual([[111, 4]]);
    expect(sync.onDepth(diff(225, 237, [], [111, 1]))).toBe('applied');
    expect(sync.book.qty('ask', 111)).toBe(1);
    expect(sync.gapEvents).toEqual([]);
  });

  it('skips diffs at or below the snapshot that arrive after it, without calling them gaps', () => {
    const sync = new DepthSync(new L2Book());
    sync.onSnapshot(snapshot(50, [10, 1], [20, 1]));
    expect(sync.state).toBe('awaiting-first-diff');
    expect(sync.synced).toBe(true);
    expect(sync.onDepth(diff(40, 45))).toBe('skipped');
    expect(sync.onDepth(diff(46, 50))).toBe('skipped');
    expect(sync.onDepth(diff(51, 55, [11, 2]))).toBe('applied');
    expect(sync.counts).toMatchObject({ skippedBeforeSnapshot: 2, applied: 1, gaps: 0 });
    expect(sync.book.bestBid()).toBe(11);
  });

  it('reports a gap (expected id, got id), stops applying and resyncs at the next snapshot', () => {
    const gaps: number[] = [];
    const sync = new DepthSync(new L2Book(), { onApplied: (d) => gaps.push(d.lastId) });
    sync.onSnapshot(snapshot(10, [10, 1], [20, 1]));
    sync.onDepth(diff(9, 12, [11, 1]));
    expect(sync.onDepth(diff(16, 18, [12, 1]))).toBe('gap');
    expect(sync.gapEvents).toEqual([{ kind: 'DepthGap', expectedId: 13, gotId: 16, lastId: 18, recvMs: 18 }]);
    expect(sync.synced).toBe(false);
    expect(sync.book.bestBid()).toBe(11); // the gap diff was not applied
    expect(sync.onDepth(diff(19, 20, [13, 1]))).toBe('buffered');
    expect(sync.onSnapshot(snapshot(19, [15, 1], [20, 1]))).toBe('loaded');
    // 16-18 skipped (u <= 19), 19-20 applied on top of the new snapshot
    expect(sync.counts).toMatchObject({ snapshots: 2, gaps: 1, skippedBeforeSnapshot: 1, applied: 2 });
    expect(sync.book.depth('bid', 5)).toEqual([
      [15, 1],
      [13, 1],
    ]);
    expect(gaps).toEqual([12, 20]);
  });

  it('calls a first diff that starts after lastUpdateId + 1 a gap', () => {
    const sync = new DepthSync(new L2Book());
    sync.onSnapshot(snapshot(10, [], []));
    expect(sync.onDepth(diff(12, 14))).toBe('gap');
    expect(sync.gapEvents[0]).toMatchObject({ expectedId: 11, gotId: 12 });
  });

  it('ignores stale diffs, applies overlapping ones, ignores snapshots while synced', () => {
    const sync = new DepthSync(new L2Book());
    sync.onSnapshot(snapshot(10, [10, 1], []));
    sync.onDepth(diff(11, 20, [10, 2]));
    expect(sync.onDepth(diff(15, 20, [10, 9]))).toBe('stale');
    expect(sync.onDepth(diff(18, 25, [10, 3]))).toBe('applied');
    expect(sync.onSnapshot(snapshot(30, [50, 1], []))).toBe('ignored');
    expect(sync.counts).toMatchObject({ stale: 1, overlaps: 1, snapshotsIgnored: 1, gaps: 0 });
    expect(sync.book.depth('bid', 5)).toEqual([[10, 3]]);
    expect(sync.lastUpdateId).toBe(25);
  });

  it("a snapshot below the book's id is the venue restarted (its ids begin again): a gap, the book rebuilt", () => {
    const sync = new DepthSync(new L2Book());
    sync.onSnapshot(snapshot(8000, [100, 1], [101, 1]));
    sync.onDepth(diff(8001, 8390, [100, 2]));
    // The restarted venue's first diffs are below the book's id: taken for stale until its snapshot.
    expect(sync.onDepth(diff(1, 2319, [90, 5]))).toBe('stale');
    expect(sync.onSnapshot(snapshot(2329, [95, 4], [96, 4]))).toBe('loaded');
    expect(sync.gapEvents).toEqual([{ kind: 'DepthGap', expectedId: 8391, gotId: 2329, lastId: 2329, recvMs: 2329 }]);
    expect(sync.onDepth(diff(2330, 2340, [95, 6]))).toBe('applied');
    expect([sync.book.depth('bid', 5), sync.book.depth('ask', 5)]).toEqual([[[95, 6]], [[96, 4]]]);
    expect(sync.counts).toMatchObject({ snapshots: 2, snapshotsIgnored: 0, gaps: 1 });
  });

  it('a late snapshot (its answer came after newer diffs, all applied) is ignored, not taken for a restart', () => {
    const sync = new DepthSync(new L2Book());
    sync.onSnapshot(snapshot(100, [10, 1], []));
    sync.onDepth(diff(101, 150, [10, 2]));
    expect(sync.onSnapshot(snapshot(120, [10, 9], []))).toBe('ignored');
    // Nor one after a stale diff of the same sequence that it does not follow (it is older still).
    expect(sync.onDepth(diff(140, 145, [10, 7]))).toBe('stale');
    expect(sync.onSnapshot(snapshot(130, [10, 9], []))).toBe('ignored');
    expect(sync.gapEvents).toEqual([]);
    expect(sync.book.depth('bid', 5)).toEqual([[10, 2]]);
  });

  it('bounds the buffer while waiting for a snapshot', () => {
    const sync = new DepthSync(new L2Book(), { maxBuffered: 4 });
    for (let i = 0; i < 10; i++) sync.onDepth(diff(i * 10 + 1, i * 10 + 10));
    expect(sync.counts.droppedFromBuffer).toBe(6);
    sync.onSnapshot(snapshot(75, [], []));
    expect(sync.counts).toMatchObject({ skippedBeforeSnapshot: 1, applied: 3, gaps: 0 });
  });

  // A venue book evolving by single updates with consecutive ids, cut into diffs; a snapshot
  // taken at some id arrives after a few diffs that are newer than it.
  const scenario = fc
    .record({
      updates: fc.array(
        fc.record({
          side: fc.constantFrom<'bid' | 'ask'>('bid', 'ask'),
          price: fc.integer({ min: 1, max: 40 }),
          qty: fc.integer({ min: 0, max: 9 }),
        }),
        { minLength: 2, maxLength: 200, size: 'max' },
      ),
      cuts: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 200, maxLength: 200 }),
      snapAt: fc.nat(),
      lateBy: fc.nat({ max: 5 }),
    })
    .map(({ updates, cuts, snapAt, lateBy }) => {
      const firstId = 1_000;
      const diffs: BinanceDepth[] = [];
      for (let i = 0, c = 0; i < updates.length; c++) {
        const n = Math.min(cuts[c % cuts.length] as number, updates.length - i);
        const d = diff(firstId + i, firstId + i + n - 1);
        for (const u of updates.slice(i, i + n)) (u.side === 'bid' ? d.bids : d.asks).push(u.price, u.qty);
        diffs.push(d);
        i += n;
      }
      const snapId = firstId - 1 + (snapAt % updates.length); // the book after update snapId
      const truth = new L2Book();
      for (const [k, u] of updates.entries()) if (firstId + k <= snapId) truth.set(u.side, u.price, u.qty);
      const snap = snapshot(snapId, truth.depth('bid', 100).flat(), truth.depth('ask', 100).flat());
      const final = new L2Book();
      for (const u of updates) final.set(u.side, u.price, u.qty);
      // the snapshot reaches the recorder after the diff containing snapId + lateBy
      const arrival = diffs.findIndex((d) => d.lastId >= snapId + lateBy);
      return { diffs, snap, final, arrival: arrival < 0 ? diffs.length : arrival + 1 };
    });

  it('rebuilds exactly the venue book whenever the snapshot arrives (property)', () => {
    fc.assert(
      fc.property(scenario, ({ diffs, snap, final, arrival }) => {
        const sync = new DepthSync(new L2Book());
        diffs.forEach((d, i) => {
          if (i === arrival) sync.onSnapshot(snap);
          sync.onDepth(d);
        });
        if (arrival >= diffs.length) sync.onSnapshot(snap);
        expect(sync.counts.gaps).toBe(0);
        expect(sync.counts.applied + sync.counts.skippedBeforeSnapshot).toBe(diffs.length);
        for (const side of ['bid', 'ask'] as const) expect(sync.book.depth(side, 100)).toEqual(final.depth(side, 100));
      }),
      { numRuns: 300 },
    );
  });

  it('reports exactly the missing diff when one is lost after sync (property)', () => {
    fc.assert(
      fc.property(scenario, fc.nat(), ({ diffs, snap }, pick) => {
        const after = diffs.filter((d) => d.lastId > snap.lastUpdateId);
        fc.pre(after.length >= 3);
        const lost = 1 + (pick % (after.length - 2)); // never the first (straddling) or the last
        const sync = new DepthSync(new L2Book());
        sync.onSnapshot(snap);
        after.forEach((d, i) => {
          if (i !== lost) sync.onDepth(d);
        });
        const missing = after[lost] as BinanceDepth;
        const next = after[lost + 1] as BinanceDepth;
        expect(sync.gapEvents).toEqual([
          {
            kind: 'DepthGap',
            expectedId: missing.firstId,
            gotId: next.firstId,
            lastId: next.lastId,
            recvMs: next.recvMs,
          },
        ]);
        expect(sync.synced).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
