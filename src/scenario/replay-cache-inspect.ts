// What `execsim data inspect` says of one parsed-replay cache, read from its blocks: messages by
// kind, the receive-time range, the depth sequence as a replay would follow it (the gaps the
// replay would report, through the same DepthSync), receive times that go backwards, and the
// longest silences between messages.
import { L2Book } from '../sim/book/l2-book.ts';
import { blockMessage } from '../sim/replay/cache-blocks.ts';
import { DepthSync, type DepthGap } from '../sim/replay/depth-sync.ts';
import type { ReplayCache } from './replay-cache-reader.ts';

export interface CacheInspection {
  readonly messages: number;
  readonly byKind: { snapshot: number; depth: number; bbo: number; trade: number };
  readonly firstRecvMs: number | null;
  readonly lastRecvMs: number | null;
  /** Sequence gaps the replay would report, the first ten of them. */
  readonly depthGaps: number;
  readonly firstGaps: readonly DepthGap[];
  readonly depthApplied: number;
  readonly snapshots: number;
  /** Messages received before the message before them. */
  readonly backwardsTimes: number;
  /** The three longest times without a message, longest first. */
  readonly longestSilences: ReadonlyArray<{ readonly fromMs: number; readonly ms: number }>;
}

export function inspectReplayCache(cache: ReplayCache): CacheInspection {
  const byKind = { snapshot: 0, depth: 0, bbo: 0, trade: 0 };
  const sync = new DepthSync(new L2Book());
  let messages = 0;
  let first: number | null = null;
  let last: number | null = null;
  let backwards = 0;
  let silences: Array<{ fromMs: number; ms: number }> = [];
  for (const blk of cache.blocks()) {
    for (let i = 0; i < blk.count; i++) {
      const m = blockMessage(blk, i);
      messages++;
      if (m.kind === 'snapshot') sync.onSnapshot(m);
      else if (m.kind === 'depth') sync.onDepth(m);
      byKind[m.kind]++;
      if (first === null) first = m.recvMs;
      if (last !== null) {
        if (m.recvMs < last) backwards++;
        const ms = m.recvMs - last;
        if (silences.length < 3 || ms > (silences[2] as { ms: number }).ms) {
          silences.push({ fromMs: last, ms });
          silences = silences.sort((a, b) => b.ms - a.ms).slice(0, 3);
        }
      }
      last = last === null ? m.recvMs : Math.max(last, m.recvMs);
    }
  }
  return {
    messages,
    byKind,
    firstRecvMs: first,
    lastRecvMs: last,
    depthGaps: sync.counts.gaps,
    firstGaps: sync.gapEvents.slice(0, 10),
    depthApplied: sync.counts.applied,
    snapshots: sync.counts.snapshots,
    backwardsTimes: backwards,
    longestSilences: silences,
  };
}
