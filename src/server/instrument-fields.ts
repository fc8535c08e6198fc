// A request's decimals on the session instrument's grid: a quantity in whole lots, a price in
// whole ticks, each within what the engine's integers hold. A value off the grid, below one
// step or beyond 2^53 - 1 steps is one 400 naming the field and the instrument's step, in the
// wording a scenario file gets for the same mistake (magnitude-limits.ts gridProblem).
import { toSteps } from '../core/model/decimal.ts';
import type { Instrument } from '../core/model/instrument.ts';
import { gridProblem } from '../scenario/magnitude-limits.ts';
import { ProblemError } from './problem.ts';

/** `value` in whole steps of `step`, or a 400 at `path`. */
function steps(value: string, step: string, what: string, path: string): number {
  const problem = gridProblem(value, step, what);
  if (problem !== null) throw new ProblemError('bad-request', 'invalid body', [{ path, message: problem }]);
  return toSteps(value, step);
}

/** A quantity (`body.qty`...) in lots of the instrument. */
export const lotsField = (inst: Instrument, value: string, path: string): number =>
  steps(value, inst.lotSize, 'lots', path);

/** A price (`body.limitPrice`...) in ticks of the instrument. */
export const ticksField = (inst: Instrument, value: string, path: string): number =>
  steps(value, inst.tickSize, 'ticks', path);
