// The service session's operator controls and state: the kill switch, the circuit breaker,
// reconciliation (a pass now, forcing the startup gate open), orphan orders (adopt or cancel),
// the latest quote the session holds (the fallback when the venue's feed is down), and the
// session's status. Every control is a node command audited with its actor and reason as events,
// answered once its unit committed; the actor is the request's `actor` field. Sent with an
// Idempotency-Key header, a control is decided once for the session's life: the same request
// again gets the first answer's status (the state as it is now), another under the key a 409.
import type { Context } from 'hono';
import { z } from 'zod';
import { auditText } from './session-schemas.ts';
import { fractionalTicksToPrice, lotsToQty, ticksToPrice, type Instrument } from '../../core/model/instrument.ts';
import type { Symbol } from '../../core/model/ids.ts';
import { ProblemError } from '../problem.ts';
import { defineRoute, json, type AnyRoute } from '../route-spec.ts';
import { instrumentOfSymbol, sessionInstrument, type SessionOrphan, type SessionPort } from '../session-port.ts';
import { tradedSymbols } from './session-request-fields.ts';
import { asClientOrderId } from '../session-views.ts';
import { hostedSession, refusalProblem, withNotFound } from '../session-commands.ts';
import type { CommandResult, NodeCommand } from '../../node/node-commands.ts';
import type { RequestTag } from '../../node/request-journal.ts';
import {
  decide,
  keyHeader,
  answered,
  priorDecision,
  requestTag,
  type Decision,
  IDEMPOTENCY_KEY,
} from '../idempotent-command.ts';

const audit = {
  actor: auditText(200, 'must name who acts').describe('who acts (an operator, a system)'),
  reason: auditText(500, 'must say why').describe('why: kept in the event log'),
};

const killSwitchBody = z.strictObject({
  state: z
    .enum(['active', 'reducing', 'halted'], { error: 'must be active, reducing or halted' })
    .describe('active: trade; reducing: only orders that reduce the position; halted: nothing goes out'),
  ...audit,
});
const breakerBody = z.strictObject({
  action: z.enum(['trip', 'reset'], { error: 'must be trip or reset' }),
  ...audit,
});
const auditBody = z.strictObject(audit);
const resolveBody = z.strictObject({
  resolution: z.enum(['adopt', 'cancel'], { error: 'must be adopt or cancel' }),
  ...audit,
});

const safetySchema = z.object({
  killSwitch: z.enum(['active', 'reducing', 'halted']),
  breaker: z.object({
    tripped: z.boolean(),
    condition: z.string().nullable(),
    reason: z.string().nullable(),
    resetDueAt: z.string().nullable(),
    lastTrip: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe('the last trip as logged: its condition and the values it observed (observed, limit, reference)'),
  }),
});

const reconciliationSchema = z.object({
  running: z.boolean(),
  gate: z.string().describe('ready, or why new orders wait'),
  ready: z.boolean(),
});

const orphanSchema = z.object({
  clientOrderId: z.string(),
  venueOrderId: z.string(),
  symbol: z.string().nullable(),
  side: z.enum(['buy', 'sell']).nullable(),
  qty: z.string(),
  filledQty: z.string(),
  limitPrice: z.string().nullable(),
  status: z.string(),
  resolved: z.boolean(),
  adopted: z.boolean(),
  cancelRequested: z.boolean(),
});

const quoteSchema = z.object({
  symbol: z.string(),
  bid: z.string().nullable(),
  bidQty: z.string(),
  ask: z.string().nullable(),
  askQty: z.string(),
  at: z.string().describe('when the venue last updated the book (ISO 8601)'),
  ageMs: z.number().int(),
  stale: z.boolean().describe('older than the session’s stale-quote age'),
});

const statusSchema = z.object({
  id: z.string(),
  name: z.string(),
  mode: z.enum(['sim', 'paper']),
  venue: z.string(),
  symbol: z.string().describe('the session’s own symbol: the first of symbols'),
  symbols: z.array(z.string()).describe('every symbol the session trades on its account, its own first'),
  resumed: z.boolean(),
  ready: z.boolean(),
  reasons: z.array(z.string()),
  killSwitch: z.string(),
  breakerTripped: z.boolean(),
  reconciling: z.boolean(),
  connections: z.record(z.string(), z.string()),
  openParents: z.array(z.string()),
  openOrders: z.number().int(),
  lastSeq: z.number().int(),
});

/** The tag of a control request sent with an Idempotency-Key header (none: nothing remembered). */
const tagOf = (c: Context, route: string, says: unknown): RequestTag | null => {
  const key = keyHeader(c);
  return key === undefined ? null : requestTag(route, key, says);
};

/** A refused reconciliation or orphan command: it conflicts with the state (a pass running, the
 *  gate open, the orphan resolved), or another request used its key. */
const conflictOf = (r: Extract<CommandResult, { outcome: 'refused' }>): ProblemError =>
  r.code === 'unknown-orphan'
    ? new ProblemError('not-found', r.reason)
    : r.code === 'stopped' || r.code === 'not-ready'
      ? refusalProblem(r)
      : new ProblemError('conflict', r.reason);

const price = (inst: Instrument, ticks: number | null): string | null =>
  ticks === null ? null : Number.isInteger(ticks) ? ticksToPrice(inst, ticks) : fractionalTicksToPrice(inst, ticks);

export function sessionControlRoutes(hosted: SessionPort | null): AnyRoute[] {
  // Declared on every server, so the API document is the same everywhere; without a hosted
  // session each answers 404 saying so.
  const port = hostedSession(hosted);
  const tag = 'session controls';
  const safety = () => {
    const s = port.status();
    const { trip, lastTrip } = port.breaker();
    return {
      killSwitch: s.killSwitch as 'active' | 'reducing' | 'halted',
      breaker: {
        tripped: trip !== null,
        condition: trip?.condition ?? null,
        reason: trip?.reason ?? null,
        resetDueAt: trip?.resetDueAt == null ? null : new Date(trip.resetDueAt).toISOString(),
        lastTrip,
      },
    };
  };
  const reconciliation = () => {
    const s = port.status();
    return {
      running: port.reconciling,
      gate: s.gate === 'ready' ? 'ready' : s.gate.waiting,
      ready: port.ready,
    };
  };
  return withNotFound([
    defineRoute({
      method: 'GET',
      path: '/session',
      operationId: 'getSession',
      tag,
      summary: 'The session: its run, venue, readiness, safety state and what is open',
      responses: { 200: json('the session', statusSchema) },
      handle: (_, c) => {
        const s = port.status();
        const r = port.readiness();
        return c.json({
          id: port.id,
          name: port.name,
          mode: port.mode,
          venue: port.venue,
          symbol: port.instrument.symbol,
          symbols: port.instruments.map((i) => i.symbol),
          resumed: port.resumed,
          ready: r.ready,
          reasons: [...r.reasons],
          killSwitch: s.killSwitch,
          breakerTripped: s.breaker.tripped,
          reconciling: s.reconciling,
          connections: { ...s.connections },
          openParents: [...s.openParents],
          openOrders: s.openOrders,
          lastSeq: port.lastSeq,
        });
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/kill-switch',
      operationId: 'setKillSwitch',
      headers: [IDEMPOTENCY_KEY],
      tag,
      summary: 'Set the kill switch (active, reducing, halted), audited with actor and reason',
      body: { 'application/json': killSwitchBody },
      responses: { 200: json('the safety state after it', safetySchema) },
      handle: async ({ body }, c) => {
        const b = body.value;
        const answer = (d: Decision): Response =>
          answered(
            c,
            d,
            (r) => refusalProblem(r),
            () => c.json(safety()),
          );
        const tag = tagOf(c, 'POST /kill-switch', b);
        const prior = await priorDecision(port, tag);
        if (prior) return answer(prior);
        return answer(
          await decide(port, { kind: 'SetKillSwitch', state: b.state, actor: b.actor, reason: b.reason }, tag),
        );
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/breaker',
      operationId: 'setBreaker',
      headers: [IDEMPOTENCY_KEY],
      tag,
      summary: 'Trip or reset the circuit breaker, audited with actor and reason',
      body: { 'application/json': breakerBody },
      responses: { 200: json('the safety state after it', safetySchema) },
      handle: async ({ body }, c) => {
        const b = body.value;
        const answer = (d: Decision): Response =>
          answered(
            c,
            d,
            (r) => refusalProblem(r),
            () => c.json(safety()),
          );
        const tag = tagOf(c, 'POST /breaker', b);
        const prior = await priorDecision(port, tag);
        if (prior) return answer(prior);
        const command: NodeCommand =
          b.action === 'trip'
            ? { kind: 'TripBreaker', actor: b.actor, reason: b.reason }
            : { kind: 'ResetBreaker', actor: b.actor, reason: b.reason };
        return answer(await decide(port, command, tag));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/safety',
      operationId: 'getSafety',
      tag,
      summary: 'The kill switch and the breaker, with the values the breaker last observed',
      responses: { 200: json('the safety state', safetySchema) },
      handle: (_, c) => c.json(safety()),
    }),
    defineRoute({
      method: 'GET',
      path: '/reconciliation',
      operationId: 'getReconciliation',
      tag,
      summary: 'Whether a reconciliation pass runs and the startup gate',
      responses: { 200: json('reconciliation', reconciliationSchema) },
      handle: (_, c) => c.json(reconciliation()),
    }),
    defineRoute({
      method: 'POST',
      path: '/reconciliation/run',
      operationId: 'runReconciliation',
      headers: [IDEMPOTENCY_KEY],
      tag,
      summary: 'Run a reconciliation pass now (409 while one runs)',
      body: { 'application/json': auditBody },
      problems: ['conflict'],
      responses: { 202: json('the pass started', reconciliationSchema) },
      handle: async ({ body }, c) => {
        const b = body.value;
        const answer = (d: Decision): Response =>
          answered(
            c,
            d,
            (r) => conflictOf(r),
            () => c.json(reconciliation(), 202),
          );
        const tag = tagOf(c, 'POST /reconciliation/run', b);
        const prior = await priorDecision(port, tag);
        if (prior) return answer(prior);
        return answer(await decide(port, { kind: 'Reconcile', actor: b.actor, reason: b.reason }, tag));
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/reconciliation/force-complete',
      operationId: 'forceReconciliationComplete',
      headers: [IDEMPOTENCY_KEY],
      tag,
      summary: 'Open the startup gate without waiting for startup reconciliation (409 when it is open)',
      body: { 'application/json': auditBody },
      problems: ['conflict'],
      responses: { 200: json('the gate after it', reconciliationSchema) },
      handle: async ({ body }, c) => {
        const b = body.value;
        const answer = (d: Decision): Response =>
          answered(
            c,
            d,
            (r) => conflictOf(r),
            () => c.json(reconciliation()),
          );
        const tag = tagOf(c, 'POST /reconciliation/force-complete', b);
        const prior = await priorDecision(port, tag);
        if (prior) return answer(prior);
        return answer(await decide(port, { kind: 'ForceReady', actor: b.actor, reason: b.reason }, tag));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/orphans',
      operationId: 'listOrphans',
      tag,
      summary: 'Orders at the venue that no process of ours created, and how each was resolved',
      responses: { 200: json('the orphans', z.object({ items: z.array(orphanSchema) })) },
      handle: (_, c) =>
        c.json({
          items: port.orphans().map((o) => orphanView(instrumentOfSymbol(port, o.info.symbol ?? ''), o)),
        }),
    }),
    defineRoute({
      method: 'POST',
      path: '/orphans/:clientOrderId/resolve',
      operationId: 'resolveOrphan',
      headers: [IDEMPOTENCY_KEY],
      tag,
      summary: 'Resolve an orphan: adopt it as ours, or cancel it at the venue',
      params: z.object({
        clientOrderId: z
          .string()
          .regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be a client order id (letters, digits, _ . : -, at most 128)'),
      }),
      body: { 'application/json': resolveBody },
      problems: ['not-found', 'conflict'],
      responses: { 200: json('the orphan after it', orphanSchema.pick({ clientOrderId: true, resolved: true })) },
      handle: async ({ params, body }, c) => {
        const b = body.value;
        const answer = (d: Decision): Response =>
          answered(
            c,
            d,
            (r) => conflictOf(r),
            () => {
              const o = port.orphans().find((x) => x.info.clientOrderId === params.clientOrderId);
              return c.json({ clientOrderId: params.clientOrderId, resolved: o?.resolved ?? false });
            },
          );
        const tag = tagOf(c, 'POST /orphans/:clientOrderId/resolve', { params, body: b });
        const prior = await priorDecision(port, tag);
        if (prior) return answer(prior);
        const command: NodeCommand = {
          kind: 'ResolveOrphan',
          clientOrderId: asClientOrderId(params.clientOrderId),
          resolution: b.resolution,
          actor: b.actor,
          reason: b.reason,
        };
        return answer(await decide(port, command, tag));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/quotes/:symbol/latest',
      operationId: 'getLatestQuote',
      tag,
      summary: 'The latest quote the session holds and its age; stale beyond the configured age',
      description:
        'Answered from the session’s ring of recent quotes, so it answers while the venue’s feed is down: the ' +
        'age then grows and `stale` turns true.',
      params: z.object({ symbol: z.string().regex(/^[A-Z0-9./-]{1,20}$/, 'must be an upper-case symbol') }),
      problems: ['not-found'],
      responses: { 200: json('the quote', quoteSchema) },
      handle: ({ params }, c) => {
        const inst = sessionInstrument(port, params.symbol);
        if (inst === undefined)
          throw new ProblemError('not-found', `this session trades ${tradedSymbols(port)}, not ${params.symbol}`);
        const q = port.latestQuote(params.symbol as Symbol);
        if (q === null) throw new ProblemError('not-found', `no quote of ${params.symbol} yet`);
        return c.json({
          symbol: q.symbol,
          bid: price(inst, q.top.bid),
          bidQty: lotsToQty(inst, q.top.bidQty),
          ask: price(inst, q.top.ask),
          askQty: lotsToQty(inst, q.top.askQty),
          at: new Date(q.at).toISOString(),
          ageMs: Math.round(q.ageMs),
          stale: q.stale,
        });
      },
    }),
  ]);
}

/** An orphan as GET /orphans lists it, in its symbol's units. */
function orphanView(inst: Instrument, o: SessionOrphan): Record<string, unknown> {
  return {
    clientOrderId: o.info.clientOrderId,
    venueOrderId: o.info.venueOrderId,
    symbol: o.info.symbol ?? null,
    side: o.info.side,
    qty: lotsToQty(inst, o.info.qty),
    filledQty: lotsToQty(inst, o.filled),
    limitPrice: price(inst, o.info.limitPrice),
    status: o.info.status,
    resolved: o.resolved,
    adopted: o.adopted,
    cancelRequested: o.cancelRequested,
  };
}
