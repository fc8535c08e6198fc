// What the session's write routes read from a request body beyond its decimals
// (../instrument-fields.ts): the symbol, which must be the session's, and the child placement
// block as its parent's policy, refused beside an iceberg or a module (each places its own
// children). Used by the order routes (session-order-routes.ts) and the signal route
// (session-signal-routes.ts).
import type { AlgoRequest } from '../../core/algo/intent-algorithm.ts';
import type { Placement } from '../../core/algo/placement.ts';
import type { Symbol } from '../../core/model/ids.ts';
import type { Instrument } from '../../core/model/instrument.ts';
import type { OrderType } from '../../core/model/order.ts';
import type { AlgoEntry, TwapEntry } from '../../scenario/execution-schema.ts';
import { checkQuoteAmount } from '../../scenario/magnitude-limits.ts';
import { checkTwapPlan } from '../../scenario/twap-check.ts';
import { placementProblem, toPlacement, type PlacementEntry } from '../../scenario/placement-schema.ts';
import { moduleRequest, toAlgoRequest, toTrajectory, undeclared } from '../../scenario/scenario-requests.ts';
import { lotsField } from '../instrument-fields.ts';
import { ProblemError, type FieldError } from '../problem.ts';
import { fieldPath } from '../request-input.ts';
import { sessionInstrument, type SessionPort } from '../session-port.ts';

/** The symbol must be one the session trades: its instrument, or one problem naming the field. */
export function symbolOf(port: SessionPort, symbol: string): Instrument {
  const inst = sessionInstrument(port, symbol);
  if (inst === undefined)
    throw new ProblemError('bad-request', 'invalid body', [
      { path: 'body.symbol', message: `this session trades ${tradedSymbols(port)}, not ${symbol}` },
    ]);
  return inst;
}

/** A request's symbol as the node takes it: named when it is not the session's own (absent: the
 *  node's first), so a session of one symbol logs its requests as before. */
export function otherSymbol(port: SessionPort, inst: Instrument): { symbol?: Symbol } {
  return inst.symbol === port.instrument.symbol ? {} : { symbol: inst.symbol };
}

/** The session's symbols in words: `BTCUSDT`, or `BTCUSDT and ETHUSDT`, or `A, B and C`. */
export function tradedSymbols(port: Pick<SessionPort, 'instruments'>): string {
  const symbols = port.instruments.map((i) => i.symbol);
  return symbols.length === 1 ? (symbols[0] as string) : `${symbols.slice(0, -1).join(', ')} and ${symbols.at(-1)}`;
}

/** An iceberg or a user's module prices and sizes its own children: a placement policy beside it
 *  is refused, in words naming which. */
export const bothPlaced = (algo: AlgoRequest): ProblemError =>
  new ProblemError('bad-request', 'invalid body', [
    {
      path: 'body.placement',
      message:
        algo.algo === 'module'
          ? `body.algo names the module ${algo.module ?? ''}, which places its children itself: leave out body.placement`
          : 'an iceberg places its children itself: leave out placement',
    },
  ]);

/** A request's placement block as its parent's policy: a 400 at `<base>.placement...` when it
 *  does not fit the order (placementProblem) or its quantity is off the lot grid. */
export function placementField(
  p: PlacementEntry | undefined,
  type: string,
  inst: Instrument,
  base: string,
): Placement | undefined {
  if (p === undefined) return undefined;
  const problem = placementProblem(p, type);
  if (problem !== null)
    throw new ProblemError('bad-request', 'invalid body', [{ path: `${base}.placement.kind`, message: problem }]);
  if (p.kind === 'passive-then-cross' && p.crossWhenBehindQty !== undefined)
    lotsField(inst, p.crossWhenBehindQty, `${base}.placement.crossWhenBehindQty`);
  return toPlacement(p, inst);
}

/** A request's algo block as the engine's request when it decides its children as it runs (an
 *  iceberg, a module the session file declares; else undefined): a module's name the file does
 *  not declare is a 400 at `<base>.algo.name`. The request's schema refused a module by path. */
export function algoRequestField(
  port: SessionPort,
  a: AlgoEntry | undefined,
  inst: Instrument,
  base: string,
): AlgoRequest | undefined {
  if (a?.kind !== 'module') return toAlgoRequest(a, inst);
  const name = a.name ?? '';
  if (!Object.hasOwn(port.algorithms, name))
    throw new ProblemError('bad-request', 'invalid body', [
      { path: `${base}.algo.name`, message: undeclared(name, port.algorithms, 'the session file') },
    ]);
  return moduleRequest(name, a.params, port.algorithms);
}

/** A slicing request's plan checked as a scenario's TWAP is at validation (checkTwapPlan: the
 *  planner itself, at the price that gives the most slices), and its minimum slice notional as a
 *  scenario's: what the planner refuses is a 400 at the body field it comes from (body.duration,
 *  body.interval, body.minSliceNotional, body.algo...), before anything is decided, so the key
 *  stays free for the corrected request. */
export function twapPlanField(
  twap: TwapEntry,
  lots: number,
  type: OrderType,
  inst: Instrument,
  algo: AlgoEntry | undefined,
  placement: PlacementEntry | undefined,
): void {
  const errors: FieldError[] = [];
  const issue = (path: readonly (string | number)[], message: string): void => {
    errors.push({ path: fieldPath('', path), message });
  };
  checkQuoteAmount(['body', 'minSliceNotional'], twap.minSliceNotional, inst, issue);
  if (errors.length === 0)
    checkTwapPlan(
      {
        twapPath: ['body'],
        ownerPath: ['body'],
        owner: null,
        twap,
        qty: lots,
        type,
        // The plan does not depend on when it starts, only on its own times.
        startTime: 0,
        ...(algo === undefined ? {} : { algoPath: ['body', 'algo'], trajectory: toTrajectory(algo, inst) }),
        ...(placement !== undefined && placement.kind !== 'market'
          ? { placementOffsetTicks: placement.offsetTicks }
          : {}),
      },
      inst,
      issue,
    );
  if (errors.length > 0) throw new ProblemError('bad-request', 'the slicing request cannot be planned', errors);
}
