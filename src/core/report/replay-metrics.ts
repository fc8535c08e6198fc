// Replay statistics of a run, folded from the log: the last ReplayStats event the replay market
// model recorded (it is cumulative) laid out for the report, so a user can judge their own
// recording without reading tests: what was read, whether the book kept its sequence, how well
// the book rebuilt from the depth stream agrees with the recording's bookTicker stream, and how
// often an out-of-order depth update would have shown a crossed or locked book.
import type { LogEntry, ReplayStats } from '../model/events.ts';
import { groupedDigits } from '../model/count-text.ts';

export interface ReplayMetrics {
  /** Messages read, by kind, and in all. */
  readonly messages: {
    readonly total: number;
    readonly snapshot: number;
    readonly depth: number;
    readonly bookTicker: number;
    readonly trade: number;
  };
  /** Depth updates applied and skipped (older than the book), sequence gaps, builds from a snapshot. */
  readonly depth: {
    readonly applied: number;
    readonly skipped: number;
    readonly gaps: number;
    readonly rebuilds: number;
  };
  /**
   * The rebuilt book against the bookTicker stream: tickers compared at their update id, the
   * share naming the same best bid and ask (`agreement`, null when none was compared), the share
   * with the same quantities too (`exactAgreement`), the largest difference in ticks, and the
   * tickers that could not be compared, by reason.
   */
  readonly bookTicker: {
    readonly checked: number;
    readonly matched: number;
    readonly agreement: number | null;
    readonly exactAgreement: number | null;
    readonly maxDeviationTicks: number | null;
    readonly superseded: number;
    readonly late: number;
    readonly unsynced: number;
    readonly invalid: number;
    readonly pending: number;
  };
  /** Depth updates older than the ticker shown, levels they would have put back past it, and the
   *  crossed and locked books that holding them back (or trimming a crossed book) prevented. */
  readonly staleDepthUpdates: number;
  readonly levelsHeldBack: number;
  readonly crossedPrevented: number;
  readonly lockedPrevented: number;
}

const share = (part: number, whole: number): number | null =>
  whole > 0 ? Math.round((part / whole) * 1e6) / 1e6 : null;

export class ReplayMetricsFold {
  private last: ReplayStats | null = null;

  add({ event }: LogEntry): void {
    if (event.kind === 'ReplayStats') this.last = event;
  }

  /** Null when the run replayed nothing (another market model). */
  summary(): ReplayMetrics | null {
    const s = this.last;
    if (s === null) return null;
    return {
      messages: {
        total: s.snapshots + s.depthUpdates + s.bookTickers + s.trades,
        snapshot: s.snapshots,
        depth: s.depthUpdates,
        bookTicker: s.bookTickers,
        trade: s.trades,
      },
      depth: { applied: s.depthApplied, skipped: s.depthSkipped, gaps: s.gaps, rebuilds: s.rebuilds },
      bookTicker: {
        checked: s.tickersChecked,
        matched: s.tickersMatched,
        agreement: share(s.tickersMatched, s.tickersChecked),
        exactAgreement: share(s.tickersExact, s.tickersChecked),
        maxDeviationTicks: s.maxDeviationTicks,
        superseded: s.tickersSuperseded,
        late: s.tickersLate,
        unsynced: s.tickersUnsynced,
        invalid: s.tickersInvalid,
        pending: s.tickersPending,
      },
      staleDepthUpdates: s.staleDepthUpdates,
      levelsHeldBack: s.levelsHeldBack,
      crossedPrevented: s.crossedPrevented,
      lockedPrevented: s.lockedPrevented,
    };
  }
}

/** The report's replay lines (text form). */
export function replayMetricsLines(m: ReplayMetrics): string[] {
  const n = groupedDigits;
  const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(3)}%`);
  const t = m.bookTicker;
  return [
    `  replay: ${n(m.messages.total)} messages (${n(m.messages.snapshot)} snapshot, ${n(m.messages.depth)} depth, ` +
      `${n(m.messages.bookTicker)} bookTicker, ${n(m.messages.trade)} trade); depth updates ${n(m.depth.applied)} applied, ` +
      `${n(m.depth.skipped)} skipped; ${m.depth.gaps} gap${m.depth.gaps === 1 ? '' : 's'}, ` +
      `${m.depth.rebuilds} book${m.depth.rebuilds === 1 ? '' : 's'} built from a snapshot`,
    `    bookTicker vs rebuilt book: ${pct(t.agreement)} same best bid/ask (${n(t.matched)} of ${n(t.checked)} compared at ` +
      `their update id; ${pct(t.exactAgreement)} with quantities), at most ${t.maxDeviationTicks ?? 'n/a'} ticks apart; ` +
      `not compared: ${n(t.superseded)} superseded, ${n(t.late)} late, ${n(t.unsynced)} unsynced, ${n(t.invalid)} invalid, ${n(t.pending)} pending`,
    `    displayed book: ${n(m.staleDepthUpdates)} stale depth updates, ${n(m.levelsHeldBack)} levels held back; ` +
      `${n(m.crossedPrevented)} crossed and ${n(m.lockedPrevented)} locked books prevented`,
  ];
}
