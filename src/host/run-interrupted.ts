// A run stopped before its end: asked to stop inside the run (a signal, a session's stop), then
// stored as interrupted and told to its caller. A backtest and a live process stop alike.
import type { RunId } from '../core/model/ids.ts';

/** A stop asked of a running run, with why (a signal's name, say): it stops at its next chance. */
export class StopRequested extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** A run stopped by a StopRequested and stored as interrupted. `resumable`: a live run, which
 *  `execsim resume` continues from the store (a backtest is run again instead). */
export class RunInterrupted extends Error {
  override readonly name = 'RunInterrupted';
  constructor(
    readonly runId: RunId,
    readonly reason: string,
    readonly resumable: boolean,
  ) {
    super(
      resumable
        ? `paper run ${runId} interrupted: ${reason}; continue it with execsim resume ${runId}`
        : `run ${runId} interrupted: ${reason}`,
    );
  }
}
