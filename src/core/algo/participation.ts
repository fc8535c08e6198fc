// Percent of volume: a parent that follows the tape instead of the clock. Its target at any
// instant is a share (`rate`) of what the market traded since the parent started, ours left out,
// so the cumulative quantity it should have done grows with the market's volume; a slice sends
// what the parent is behind that target. The slice grid is the parent's lockout (no two children
// closer than its interval); `maxRate` caps a child at that share of what traded since the
// previous slice, so a quiet market after a busy one never draws a burst; `minChildQty` keeps a
// child from going out smaller than that (what is owed waits for the next slice); at the end the
// parent either completes (its last slice sends all that remains) or stops at the tape's share.
// Pure: the scheduler asks it at each slice with the tape as the market data port reported it.
import type { Symbol } from '../model/ids.ts';

export interface ParticipationParams {
  /** Target share of the market's volume, in (0, 1]. */
  readonly rate: number;
  /** A child's cap as a share of the volume since the previous slice, in [rate, 1]; null: none. */
  readonly maxRate: number | null;
  /** Lots: no child smaller than this but the last one (0: any). */
  readonly minChildQty: number;
  /** What the last slice does: send all that remains (`complete`), or only the tape's share
   *  (`stop`: the rest is left unfilled). */
  readonly end: 'complete' | 'stop';
}

/** What a slice knows when it is sized. */
export interface ParticipationState {
  /** The parent's quantity, lots. */
  readonly qty: number;
  /** Lots its children hold: filled, and everything still able to fill. */
  readonly committed: number;
  /** Lots the market traded since the parent started, ours left out. */
  readonly marketVolume: number;
  /** Lots the market traded since the previous slice ran (or since the start), ours left out. */
  readonly sinceLast: number;
  /** The parent's last slice. */
  readonly last: boolean;
}

/** A slice's size, or why it sends nothing. */
export type ParticipationSlice = { readonly qty: number } | { readonly skip: string };

/** Lots the parent should have done by now: the tape's share, never more than its quantity. */
export function participationTarget(p: ParticipationParams, qty: number, marketVolume: number): number {
  // A tiny epsilon: 0.1 x 30 is 3.0000000000000004, and must be 3, not a lot more or less.
  return Math.min(qty, Math.floor(p.rate * Math.max(0, marketVolume) + 1e-9));
}

export function participationSlice(p: ParticipationParams, s: ParticipationState): ParticipationSlice {
  const remaining = Math.max(0, s.qty - s.committed);
  if (remaining === 0) return { skip: 'nothing left to send' };
  if (s.last && p.end === 'complete') return { qty: remaining };
  const target = participationTarget(p, s.qty, s.marketVolume);
  const behind = target - s.committed;
  if (behind <= 0)
    return { skip: `at its share of the volume: ${s.committed} lots done, ${target} due of ${s.marketVolume} traded` };
  let qty = Math.min(remaining, behind);
  if (p.maxRate !== null) {
    const cap = Math.floor(p.maxRate * Math.max(0, s.sinceLast) + 1e-9);
    if (cap <= 0) return { skip: `nothing traded since the previous slice (max rate ${p.maxRate})` };
    qty = Math.min(qty, cap);
  }
  if (qty < p.minChildQty && qty < remaining) {
    const then = s.last ? 'left unsent, no slice after it to carry it to' : 'carried to the next slice';
    return { skip: `${qty} lots owed, below the minimum child of ${p.minChildQty}: ${then}` };
  }
  return { qty };
}

/** What a tape-following parent reads at each slice. */
export interface TapeReader {
  /** Lots everyone traded in the symbol over [from, to] (ms, inclusive), ours included. */
  volume(from: number, to: number): number;
  /** Lots this parent's children have filled so far. */
  ourFilled(): number;
}

/**
 * The slice scheduler's target for a percent-of-volume parent: at each slice, the market's
 * volume since the start (ours left out, as the tape reports it now: a restarted process reads
 * the same tape) and since the previous slice this process ran, handed to participationSlice.
 */
export class ParticipationTarget {
  /** The market's volume (ours left out) when the previous slice ran; null before the first
   *  slice of this process (a restart counts since the start). */
  private previous: number | null = null;

  constructor(
    readonly params: ParticipationParams,
    private readonly startTime: number,
    private readonly tape: TapeReader,
  ) {}

  /** Lots the parent should have done by now (the tape's share), read without moving the mark
   *  of the previous slice. */
  due(qty: number, now: number): number {
    return participationTarget(
      this.params,
      qty,
      Math.max(0, this.tape.volume(this.startTime, now) - this.tape.ourFilled()),
    );
  }

  size(qty: number, committed: number, last: boolean, now: number): ParticipationSlice {
    const marketVolume = Math.max(0, this.tape.volume(this.startTime, now) - this.tape.ourFilled());
    const sinceLast = marketVolume - (this.previous ?? 0);
    this.previous = marketVolume;
    return participationSlice(this.params, { qty, committed, marketVolume, sinceLast, last });
  }
}

/** The tape of a parent's symbol as the market data port reports it, and the parent's own
 *  fills from the ledger (what the tape counts of ours). */
export function parentTape(
  marketData: { window(symbol: Symbol, from: number, to: number): { readonly volume: number } },
  symbol: Symbol,
  filled: () => number,
): TapeReader {
  return { volume: (from, to) => marketData.window(symbol, from, to).volume, ourFilled: filled };
}
