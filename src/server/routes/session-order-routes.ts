// The service session's order writes: TWAP slicing requests and their slices, single orders and
// cancels (signals are session-signal-routes.ts, the reads session-order-reads.ts). Every write is
// one node command, answered once its unit of work committed (what it did is durable before the
// client hears of it), and decided once under its key (idempotent-command.ts): a slicing request
// or an order by its parent id (given, or the Idempotency-Key header), a cancel by the header.
// The same request again is answered as the first was; another under the same key is a 409.
// Refusals map to statuses (session-commands.ts).
import { createHash, randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import { z } from 'zod';
import type { ParentRequest } from '../../core/engine/engine-types.ts';
import { parentOrderId, type ParentOrderId } from '../../core/model/ids.ts';
import { isTerminal } from '../../core/model/order-status.ts';
import type { Confirmation } from '../../core/model/safety-events.ts';
import type { CommandResult } from '../../node/node-commands.ts';
import type { RequestTag } from '../../node/request-journal.ts';
import { toTrajectory, toTwapParams } from '../../scenario/scenario-requests.ts';
import {
  decide,
  keyHeader,
  keyOf,
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
import { instrumentOfSymbol, type SessionPort } from '../session-port.ts';
import {
  asClientOrderId,
  orderStateSchema,
  orderView,
  parentStateSchema,
  parentView,
  planSchema,
  planView,
  sliceStateSchema,
  slicesView,
} from '../session-views.ts';
import {
  cancelAnswer,
  cancelBody,
  cancelQuery,
  orderBody,
  orderParams,
  parentParams,
  sliceBody,
} from './session-schemas.ts';
import {
  algoRequestField,
  bothPlaced,
  otherSymbol,
  placementField,
  symbolOf,
  twapPlanField,
} from './session-request-fields.ts';

/** What a request's body says, as the parent's source: the same body again is the same parent. */
const sourceOf = (kind: string, body: object): string =>
  `http:${kind}:${createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 16)}`;

/** A parent under this id that no journal entry answers for (made by another route, or by a
 *  session stored before the journal): 409 when another request made it; true when this same
 *  request did (the old answer: 200 with it). */
function madeBefore(port: SessionPort, parentId: ParentOrderId, source: string): boolean {
  const p = port.ledger.parents.get(parentId);
  if (p === undefined) return false;
  if (p.spec.source !== source)
    throw new ProblemError(
      'conflict',
      `parent ${parentId} exists and was made by another request (the same id or Idempotency-Key with another body)`,
    );
  return true;
}

/** A refused parent as its problem: a parent of this id made meanwhile by another request is a 409. */
function parentRefusal(result: Extract<CommandResult, { outcome: 'refused' }>, parentId: string): ProblemError {
  if (result.code === 'duplicate-parent')
    return new ProblemError('conflict', `parent ${parentId} exists and was made by another request`);
  return refusalProblem(result);
}

/** The parent id of a slicing request or an order: its key (the body's parentId or the
 *  Idempotency-Key header), else a new one. */
const parentKey = (c: Context, given: string | undefined): string => keyOf(c, 'parentId', given) ?? `p-${randomUUID()}`;

/** An operator's parent (a slicing request, an order) as a node command under its tag: the kill
 *  switch and breaker are checked before it is made, inside the unit of work. */
const operatorParent = (
  port: SessionPort,
  request: ParentRequest,
  confirmations: readonly Confirmation[],
  confirmedBy: string | undefined,
  tag: RequestTag,
): Promise<Decision> =>
  decide(
    port,
    { kind: 'SubmitParent', request, confirmations, confirmedBy: confirmedBy ?? null, checkGuards: true },
    tag,
  );

/** A cancel's reason: the body's or the query's, else the default. Given in both, they must be
 *  equal: a request that could be read two ways is refused rather than one read silently
 *  (docs/0089-a-request-says-one-thing.md). */
const cancelReason = (
  body: { readonly reason?: string | undefined },
  query: { readonly reason?: string | undefined },
): string => {
  if (body.reason !== undefined && query.reason !== undefined && body.reason !== query.reason) {
    const both = 'a reason is given in the body and in the query, and they differ: give it once';
    throw new ProblemError('bad-request', 'invalid request', [
      { path: 'body.reason', message: both },
      { path: 'query.reason', message: both },
    ]);
  }
  return body.reason ?? query.reason ?? 'cancelled over HTTP';
};

export function sessionOrderRoutes(hosted: SessionPort | null): AnyRoute[] {
  // Declared on every server, so the API document is the same everywhere; without a hosted
  // session each answers 404 saying so.
  const port = hostedSession(hosted);
  const tag = 'session orders';
  return withNotFound([
    defineRoute({
      method: 'POST',
      path: '/orders/slice',
      operationId: 'sliceOrder',
      headers: [IDEMPOTENCY_KEY],
      tag,
      summary: 'Slice a parent order over time (TWAP, VWAP, implementation shortfall, POV): 201 with the plan',
      description:
        'The seeds’ slicing request: symbol, side, qty, duration with slices or interval, type and limitPrice, ' +
        'plus maxSliceQty, minSliceNotional, randomize, limitOffsetTicks, unfilled, the early stops (maxSpread, ' +
        'maxPriceDeviation, minLiquidity) and the restart catch-up; `algo` picks the execution algorithm the ' +
        'slices follow on that grid (TWAP by default), or one that decides its children over the duration: an ' +
        'iceberg, or a user’s module the session file’s algorithms section declares, named by algo.name (a ' +
        'request never names a module by path). Idempotent by parentId or the Idempotency-Key ' +
        'header, for the session’s life: the same request again is answered as the first was (201 with the plan ' +
        'as it stands now, or the same refusal; header Idempotent-Replayed: true), another body under the same id ' +
        'is 409. The kill switch and the breaker are checked before the parent and before every slice.',
      body: { 'application/json': sliceBody },
      problems: ['not-found', 'not-ready', 'conflict', 'safety-blocked', 'order-refused'],
      responses: {
        201: json('the parent and its plan (the same again for the same request)', planSchema),
        200: json('the same request again, for a parent made before requests were remembered', planSchema),
      },
      handle: async ({ body }, c) => {
        const b = body.value;
        const inst = symbolOf(port, b.symbol);
        const parentId = parentOrderId(parentKey(c, b.parentId));
        const { parentId: _p, ...fields } = b;
        const source = sourceOf('slice', fields);
        const tag = requestTag('POST /orders/slice', parentId, fields);
        const answer = (d: Decision): Response =>
          answered(
            c,
            d,
            (r) => parentRefusal(r, parentId),
            () => c.json(planView(inst, port.ledger, port.ledger.parents.get(parentId)!), 201),
          );
        const prior = await priorDecision(port, tag);
        if (prior) return answer(prior);
        if (madeBefore(port, parentId, source))
          return c.json(planView(inst, port.ledger, port.ledger.parents.get(parentId)!), 200);
        const lots = lotsField(inst, b.qty, 'body.qty');
        const limitTicks = b.limitPrice === undefined ? undefined : ticksField(inst, b.limitPrice, 'body.limitPrice');
        if (b.maxSliceQty !== undefined) lotsField(inst, b.maxSliceQty, 'body.maxSliceQty');
        if (b.worstPrice !== undefined) ticksField(inst, b.worstPrice, 'body.worstPrice');
        lotsField(inst, b.minLiquidity, 'body.minLiquidity');
        const {
          symbol: _s,
          side,
          qty: _q,
          type,
          tif,
          limitPrice: _l,
          confirm,
          confirmedBy,
          algo,
          placement: placed,
          ...twap
        } = fields;
        const placement = placementField(placed, type, inst, 'body');
        if (algo?.kind === 'pov' && algo.minChildQty !== undefined)
          lotsField(inst, algo.minChildQty, 'body.algo.minChildQty');
        const trajectory = toTrajectory(algo, inst);
        if (algo?.kind === 'iceberg')
          for (const k of ['display', 'displayMin', 'displayMax'] as const)
            if (algo[k] !== undefined) lotsField(inst, algo[k], `body.algo.${k}`);
        const algoRequest = algoRequestField(port, algo, inst, 'body');
        if (algoRequest !== undefined && placement !== undefined) throw bothPlaced(algoRequest);
        twapPlanField(twap, lots, type, inst, algo, placed);
        const request: ParentRequest = {
          parentId,
          ...otherSymbol(port, inst),
          side,
          qty: lots,
          type,
          tif: tif ?? (type === 'market' ? 'IOC' : 'GTC'),
          ...(limitTicks === undefined ? {} : { limitPrice: limitTicks }),
          route: 'twap',
          twap: toTwapParams(twap, inst),
          ...(trajectory === undefined ? {} : { trajectory }),
          ...(algoRequest === undefined ? {} : { algo: algoRequest }),
          ...(placement === undefined ? {} : { placement }),
          source,
        };
        return answer(await operatorParent(port, request, confirm, confirmedBy, tag));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/orders/:parentId/slices',
      operationId: 'getSlices',
      tag,
      summary: 'A parent’s slices: status, filled quantity, average price, scheduled and sent times, reasons',
      params: parentParams,
      problems: ['not-found'],
      responses: {
        200: json('the parent and its slices', parentStateSchema.extend({ slices: z.array(sliceStateSchema) })),
      },
      handle: ({ params }, c) => {
        const pid = parentOrderId(params.parentId);
        const p = port.ledger.parents.get(pid);
        if (p === undefined) throw new ProblemError('not-found', `no parent ${params.parentId} in this session`);
        const inst = instrumentOfSymbol(port, p.spec.symbol);
        return c.json({
          ...parentView(inst, port.ledger, p),
          slices: slicesView(inst, port.ledger, pid, port.sliceReasons(pid), p.stopReason),
        });
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/orders/:parentId/slices',
      operationId: 'cancelSlices',
      headers: [IDEMPOTENCY_KEY],
      tag,
      summary: 'Cancel a parent’s pending slices and resting children; says which had already gone out',
      description:
        'Slices not yet sent are cancelled and never go out; children working at the venue get a cancel; what had ' +
        'ended is listed as such. The cancel and a slice due at the same moment are serialised: the answer says ' +
        'which one won. The parent completes once every child has ended; it is never left active by mistake.',
      params: parentParams,
      query: cancelQuery,
      body: { 'application/json': cancelBody },
      problems: ['not-found', 'conflict'],
      responses: { 200: json('what the cancel did to each child', cancelAnswer) },
      handle: async ({ params, query, body }, c) => {
        const pid = parentOrderId(params.parentId);
        const reason = cancelReason(body.value, query);
        const key = keyHeader(c);
        const tag = key === undefined ? null : requestTag('DELETE /orders/:parentId/slices', key, { params, reason });
        const answer = (d: Decision, ended: ReadonlySet<string>): Response =>
          answered(
            c,
            d,
            (r) => refusalProblem(r),
            () => {
              const cancelled: string[] = [];
              const cancelling: string[] = [];
              const alreadyDone: string[] = [];
              for (const o of port.ledger.childrenOf(pid)) {
                const id = o.request.clientOrderId as string;
                if (ended.has(id)) alreadyDone.push(id);
                else if (o.attempts === 0) cancelled.push(id);
                else if (isTerminal(o.status)) alreadyDone.push(id);
                else cancelling.push(id);
              }
              const p = port.ledger.parents.get(pid)!;
              return c.json({
                parentId: pid,
                status: parentView(instrumentOfSymbol(port, p.spec.symbol), port.ledger, p).status,
                cancelled,
                cancelling,
                alreadyDone,
              });
            },
          );
        const prior = await priorDecision(port, tag);
        if (prior) return answer(prior, new Set());
        // The children that had ended before the cancel: listed as already done whatever it did.
        const ended = new Set(
          port.ledger
            .childrenOf(pid)
            .filter((o) => isTerminal(o.status))
            .map((o) => o.request.clientOrderId as string),
        );
        return answer(await decide(port, { kind: 'CancelParent', parentId: pid, reason }, tag), ended);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/orders',
      operationId: 'submitOrder',
      headers: [IDEMPOTENCY_KEY],
      tag,
      summary: 'One order through the order manager (pre-trade checks; reduce-only checked server-side)',
      description:
        'A market, limit or stop order sent as one child. reduceOnly: the venue’s position and open orders are read ' +
        'first (the answer waits for them, at most the safety’s exposure age) and the order is refused (422) if it ' +
        'would not reduce; a reduce-only order is an order, not a signal: no signal dedup. Idempotent by parentId ' +
        'or the Idempotency-Key header for the session’s life, as a slicing request is.',
      body: { 'application/json': orderBody },
      problems: ['not-ready', 'conflict', 'safety-blocked', 'order-refused'],
      responses: {
        201: json('the order’s parent', parentStateSchema.extend({ orders: z.array(orderStateSchema) })),
        200: json(
          'the same request again, for a parent made before requests were remembered',
          parentStateSchema.extend({ orders: z.array(orderStateSchema) }),
        ),
      },
      handle: async ({ body }, c) => {
        const b = body.value;
        const inst = symbolOf(port, b.symbol);
        const pid = parentOrderId(parentKey(c, b.parentId));
        const { parentId: _p, ...fields } = b;
        const source = sourceOf('order', fields);
        const tag = requestTag('POST /orders', pid, fields);
        const view = (status: 200 | 201): Response => {
          const p = port.ledger.parents.get(pid)!;
          const orders = port.ledger.childrenOf(pid).map((o) => orderView(inst, o));
          return c.json({ ...parentView(inst, port.ledger, p), orders }, status);
        };
        const answer = (d: Decision): Response =>
          answered(
            c,
            d,
            (r) => parentRefusal(r, pid),
            () => view(201),
          );
        const prior = await priorDecision(port, tag);
        if (prior) return answer(prior);
        if (madeBefore(port, pid, source)) return view(200);
        const lots = lotsField(inst, b.qty, 'body.qty');
        const limitTicks = b.limitPrice === undefined ? undefined : ticksField(inst, b.limitPrice, 'body.limitPrice');
        const stopTicks = b.stopPrice === undefined ? undefined : ticksField(inst, b.stopPrice, 'body.stopPrice');
        if (b.reduceOnly && b.type !== 'market' && b.type !== 'limit')
          throw new ProblemError('bad-request', 'invalid body', [
            { path: 'body.type', message: 'a reduce-only order is a market or limit order' },
          ]);
        const request: ParentRequest = {
          parentId: pid,
          ...otherSymbol(port, inst),
          side: b.side,
          qty: lots,
          type: b.type,
          tif: b.tif ?? (b.type === 'market' ? 'IOC' : 'GTC'),
          ...(limitTicks === undefined ? {} : { limitPrice: limitTicks }),
          ...(stopTicks === undefined ? {} : { stopPrice: stopTicks }),
          ...(b.postOnly ? { postOnly: true } : {}),
          ...(b.reduceOnly ? { reduceOnly: true } : {}),
          route: 'single',
          source,
        };
        return answer(await operatorParent(port, request, b.confirm, b.confirmedBy, tag));
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/orders/:clientOrderId/cancel',
      operationId: 'cancelOrder',
      headers: [IDEMPOTENCY_KEY],
      tag,
      summary:
        'Cancel one order (a single order’s parent with it; a TWAP’s slice is not cancelled alone: 409, cancel its parent)',
      params: orderParams,
      query: cancelQuery,
      body: { 'application/json': cancelBody },
      problems: ['not-found', 'conflict', 'order-refused'],
      responses: { 200: json('the order after the cancel was sent', orderStateSchema) },
      handle: async ({ params, query, body }, c) => {
        const id = asClientOrderId(params.clientOrderId);
        const reason = cancelReason(body.value, query);
        const key = keyHeader(c);
        const tag =
          key === undefined ? null : requestTag('POST /orders/:clientOrderId/cancel', key, { params, reason });
        const answer = (d: Decision): Response =>
          answered(
            c,
            d,
            (r) => refusalProblem(r),
            () => {
              const o = port.ledger.order(id)!;
              return c.json(orderView(instrumentOfSymbol(port, o.request.symbol), o));
            },
          );
        const prior = await priorDecision(port, tag);
        if (prior) return answer(prior);
        return answer(await decide(port, { kind: 'CancelOrder', clientOrderId: id, reason }, tag));
      },
    }),
  ]);
}
