// The service session's signal route: POST /signals, a trading signal as one node command
// (EmitSignal): signal dedup, the guards, pre-trade and reduce-only checks, then routed as one
// order or sliced. Answered once its unit of work committed, and decided once under its key (the
// Idempotency-Key header, else its signal id: idempotent-command.ts); refusals map to statuses
// (session-commands.ts). The order routes beside it are session-order-routes.ts.
import { toTrajectory } from '../../scenario/scenario-requests.ts';
import {
  decide,
  keyHeader,
  answered,
  priorDecision,
  requestTag,
  type Decision,
  IDEMPOTENCY_KEY,
} from '../idempotent-command.ts';
import { lotsField, ticksField } from '../instrument-fields.ts';
import { ProblemError } from '../problem.ts';
import { defineRoute, json, type AnyRoute } from '../route-spec.ts';
import { hostedSession, refusalProblem, withNotFound } from '../session-commands.ts';
import type { SessionPort } from '../session-port.ts';
import { commandAnswer, signalBody } from './session-schemas.ts';
import { algoRequestField, bothPlaced, otherSymbol, placementField, symbolOf } from './session-request-fields.ts';

export function sessionSignalRoutes(hosted: SessionPort | null): AnyRoute[] {
  // Declared on every server, so the API document is the same everywhere; without a hosted
  // session it answers 404 saying so.
  const port = hostedSession(hosted);
  const tag = 'session orders';
  return withNotFound([
    defineRoute({
      method: 'POST',
      path: '/signals',
      operationId: 'emitSignal',
      headers: [IDEMPOTENCY_KEY],
      tag,
      summary: 'A trading signal: dedup, guards, pre-trade and reduce-only checks, then routed (one order or TWAP)',
      description:
        'Answered 201 with the parent the signal made. A signal accepted whose parent is rejected as it is made ' +
        '(its slicing plan impossible) made nothing: 422 with the rejection (the signal still holds its dedup ' +
        'window). Idempotent by the Idempotency-Key header, else its signalId.',
      body: { 'application/json': signalBody },
      problems: ['not-ready', 'conflict', 'safety-blocked', 'order-refused'],
      responses: { 201: json('accepted: the parent it made', commandAnswer) },
      handle: async ({ body }, c) => {
        const b = body.value;
        const inst = symbolOf(port, b.symbol);
        const tag = requestTag('POST /signals', keyHeader(c) ?? b.signalId, b);
        const answer = (d: Decision): Response =>
          answered(
            c,
            d,
            (r) => refusalProblem(r),
            (accepted) => c.json({ outcome: 'accepted' as const, ids: [...accepted.ids], reason: null }, 201),
          );
        const prior = await priorDecision(port, tag);
        if (prior) return answer(prior);
        const qty = lotsField(inst, b.qty, 'body.qty');
        const price = b.price === undefined ? null : ticksField(inst, b.price, 'body.price');
        if (b.algo?.kind === 'pov' && b.algo.minChildQty !== undefined)
          lotsField(inst, b.algo.minChildQty, 'body.algo.minChildQty');
        const trajectory = toTrajectory(b.algo, inst);
        if (b.algo?.kind === 'iceberg')
          for (const k of ['display', 'displayMin', 'displayMax'] as const)
            if (b.algo[k] !== undefined) lotsField(inst, b.algo[k], `body.algo.${k}`);
        const algoRequest = algoRequestField(port, b.algo, inst, 'body');
        if (b.placement !== undefined && b.route === 'single')
          throw new ProblemError('bad-request', 'invalid body', [
            { path: 'body.placement', message: 'a single-routed signal places no slices: leave out route' },
          ]);
        const placement = placementField(b.placement, price === null ? 'market' : 'limit', inst, 'body');
        if (algoRequest !== undefined && placement !== undefined) throw bothPlaced(algoRequest);
        const signal = {
          signalId: b.signalId,
          ...otherSymbol(port, inst),
          side: b.side,
          qty,
          price,
          route: b.route,
          ...(trajectory === undefined ? {} : { trajectory }),
          ...(algoRequest === undefined ? {} : { algo: algoRequest }),
          ...(placement === undefined ? {} : { placement }),
          reduceOnly: b.reduceOnly,
          confirmations: b.confirm,
          confirmedBy: b.confirmedBy ?? null,
        };
        return answer(await decide(port, { kind: 'EmitSignal', signal }, tag));
      },
    }),
  ]);
}
