// Which clock a run's times are on, by its mode, so that every page labels them alike: a backtest
// runs the simulated venue on a virtual clock (its times are simulated instants), a paper run
// trades at a real venue on the wall clock. A mode the pages do not know (a later store's) gets no
// claim about its clock, only the time zone every stored time has (UTC).
import type { Scenario } from '../../scenario/schema.ts';

export interface RunClock {
  /** How its times read: "simulated" or "wall clock". */
  readonly name: string;
  /** The title of the run's first to last instant: "simulated time". */
  readonly spanTitle: string;
}

// Keyed by the scenario schema's modes: a new mode there does not compile until it is named here.
const CLOCKS: Readonly<Record<Scenario['mode'], RunClock>> = {
  backtest: { name: 'simulated', spanTitle: 'simulated time' },
  paper: { name: 'wall clock', spanTitle: 'wall-clock time' },
};

/** The modes a run can be made in, as the runs list's filter offers them. */
export const RUN_MODES: readonly string[] = Object.keys(CLOCKS);

/** The clock of a run made in `mode`; null for a mode not known here. */
export const clockOf = (mode: unknown): RunClock | null =>
  typeof mode === 'string' && Object.hasOwn(CLOCKS, mode) ? CLOCKS[mode as Scenario['mode']] : null;

/** The title of a column or axis of the times of a run made in `mode`: "time (UTC, simulated)". */
export function timeTitle(mode: unknown): string {
  const clock = clockOf(mode);
  return clock === null ? 'time (UTC)' : `time (UTC, ${clock.name})`;
}
