// The quote fallback in a run report: how often and how long the run's market data was degraded
// (read from the ring of recent quotes, src/core/market/quote-fallback.ts), how many reads the
// ring answered and how many found no quote young enough, folded from the fallback's transition
// events. A degradation still open at the end counts until the log's last entry; its reads are
// those its last transition event stated (the fallback writes no event per read).
import type { LogEntry } from '../model/events.ts';

export interface QuoteFallbackMetrics {
  /** Times a symbol's primary market data failed or went stale (MarketDataDegraded). */
  readonly degradations: number;
  /** Time spent degraded, summed over symbols (ms). */
  readonly degradedMs: number;
  /** Reads answered from the ring's newest quote, within its age limit. */
  readonly fallbackReads: number;
  /** Reads answered with no quote while degraded (the ring empty or its newest quote too old). */
  readonly blindReads: number;
  /** Degradations whose fallback quote was (or grew) older than the limit: consumers saw no
   *  market data from then on. */
  readonly expired: number;
  /** Symbols still degraded at the end of the log. */
  readonly degradedAtEnd: readonly string[];
}

interface Open {
  since: number;
  fallbackReads: number;
  expired: boolean;
}

export class QuoteFallbackMetricsFold {
  private degradations = 0;
  private closedMs = 0;
  private fallbackReads = 0;
  private blindReads = 0;
  private expired = 0;
  private lastTime = 0;
  private readonly open = new Map<string, Open>();

  add(entry: LogEntry): void {
    this.lastTime = entry.time;
    const e = entry.event;
    switch (e.kind) {
      case 'MarketDataDegraded': {
        this.degradations++;
        const tooOld = e.fallbackAgeMs === null || e.fallbackAgeMs > e.maxAgeMs;
        if (tooOld) this.expired++;
        this.open.set(e.symbol, { since: entry.time, fallbackReads: 0, expired: tooOld });
        return;
      }
      case 'MarketDataFallbackExpired': {
        const o = this.open.get(e.symbol);
        if (o === undefined || o.expired) return;
        o.expired = true;
        o.fallbackReads = e.fallbackReads;
        this.expired++;
        return;
      }
      case 'MarketDataRestored': {
        const o = this.open.get(e.symbol);
        this.open.delete(e.symbol);
        this.closedMs += e.degradedMs;
        this.fallbackReads += o !== undefined && o.expired ? o.fallbackReads : e.fallbackReads;
        this.blindReads += e.blindReads;
        return;
      }
      default:
        return;
    }
  }

  /** Null when the market data never degraded. */
  summary(): QuoteFallbackMetrics | null {
    if (this.degradations === 0) return null;
    let openMs = 0;
    let openReads = 0;
    for (const o of this.open.values()) {
      openMs += Math.max(0, this.lastTime - o.since);
      openReads += o.fallbackReads;
    }
    return {
      degradations: this.degradations,
      degradedMs: this.closedMs + openMs,
      fallbackReads: this.fallbackReads + openReads,
      blindReads: this.blindReads,
      expired: this.expired,
      degradedAtEnd: [...this.open.keys()],
    };
  }
}

/** The report's line for it. */
export function quoteFallbackLine(m: QuoteFallbackMetrics): string {
  const still = m.degradedAtEnd.length > 0 ? `; still degraded at the end: ${m.degradedAtEnd.join(', ')}` : '';
  return (
    `  quote fallback: degraded ${m.degradations}x for ${(m.degradedMs / 1000).toFixed(1)} s, ` +
    `${m.fallbackReads} reads from the ring, ${m.blindReads} with no quote young enough` +
    (m.expired > 0 ? ` (the fallback quote outlived its limit ${m.expired}x)` : '') +
    still
  );
}
