// A backtest's virtual clock advanced to its horizon in chunks of about CHUNK_WALL_MS of wall
// time each: the chunk's virtual length doubles while chunks run short and halves while they run
// long, so a dense market and an idle one both come back to the caller often enough for it to
// beat its heartbeat, report progress and hear a stop signal between chunks.
import { performance } from 'node:perf_hooks';
import type { VirtualClock } from '../core/clock/virtual-clock.ts';

/** Wall time one chunk of clock advance aims at: short enough to answer a signal promptly. */
const CHUNK_WALL_MS = 50;

/** Advances `clock` from `start` to `end`, calling `between` with the virtual time reached and
 *  yielding after every chunk but the last; returns the clock actions run. */
export function* advanceInChunks(
  clock: VirtualClock,
  start: number,
  end: number,
  between: (reached: number) => void,
): Generator<void, number, void> {
  let actions = 0;
  let t = start;
  let stepMs = 1_000;
  for (;;) {
    const chunkStart = performance.now();
    t = Math.min(end, t + stepMs);
    actions += clock.advanceTo(t);
    if (t >= end) return actions;
    const took = performance.now() - chunkStart;
    if (took < CHUNK_WALL_MS / 2) stepMs = Math.min(stepMs * 2, end - start);
    else if (took > CHUNK_WALL_MS * 2) stepMs = Math.max(1, Math.floor(stepMs / 2));
    between(t);
    yield;
  }
}
