// The liquidity caps a process plans TWAPs with: the latest DailyVolumeRead or LiquidityCapOff of
// each symbol, folded from the log (a restarted process folds the durable log: the cap it plans
// with is the stored one, never a fresh read). A symbol the log says nothing about gets its one
// LiquidityCapOff when its first TWAP is planned, so a plan never waits for volume data and the
// warning is said once. Only the hosts read volumes (the scenario, the venue's bars); this file
// only keeps what the log says.
import { liquidityCapOf, type LiquidityCap, type VolumeReading } from '../algo/liquidity-cap.ts';
import type { LogEntry } from '../model/events.ts';
import type { LiquidityEvent } from '../model/liquidity-events.ts';

/** How volume becomes a cap. */
export interface LiquidityPolicy {
  /** A slice may be at most this percent of the symbol's ADV, (0, 100]. */
  readonly pctOfAdv: number;
  /** Slices the cap adds are never closer together than this (ms). */
  readonly minIntervalMs: number;
}

export class LiquidityBook {
  private readonly readings = new Map<string, VolumeReading>();
  /** Symbols whose cap is off, with the reason logged. */
  private readonly off = new Map<string, string>();

  constructor(readonly policy: LiquidityPolicy) {}

  /** Folds a logged event (others are ignored). */
  apply(entry: LogEntry): void {
    const e = entry.event;
    if (e.kind === 'DailyVolumeRead') {
      this.readings.set(e.symbol, {
        symbol: e.symbol,
        advLots: e.advLots,
        days: e.days,
        source: e.source,
        readAt: entry.time,
      });
      this.off.delete(e.symbol);
    } else if (e.kind === 'LiquidityCapOff') {
      this.readings.delete(e.symbol);
      this.off.set(e.symbol, e.reason);
    }
  }

  /** A restarted process: what the durable log says of every symbol. */
  restore(entries: readonly LogEntry[]): void {
    for (const entry of entries) this.apply(entry);
  }

  /** The cap of a TWAP planned now on `symbol`, or null (off; `warn` has been told once). */
  capFor(symbol: string, warn: (e: LiquidityEvent) => void): LiquidityCap | null {
    const reading = this.readings.get(symbol);
    if (reading !== undefined) return liquidityCapOf(reading, this.policy.pctOfAdv);
    if (!this.off.has(symbol))
      warn({ kind: 'LiquidityCapOff', symbol, reason: `no average daily volume was read for ${symbol}` });
    return null;
  }

  /** Whether the log says the symbol's cap is off (and has said why). */
  isOff(symbol: string): boolean {
    return this.off.has(symbol);
  }

  /** When the symbol's volume was last read (epoch ms), or null: the host reads it again when old. */
  readAt(symbol: string): number | null {
    return this.readings.get(symbol)?.readAt ?? null;
  }
}
