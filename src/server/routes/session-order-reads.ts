// The service session's order reads: its orders (newest first, filtered and paged), one order
// with its fills and what fill detection did, and its positions with the quote its fills moved.
// Answered between units of work from the node's ledger and the session's log.
import { z } from 'zod';
import {
  fractionalTicksToPrice,
  lotsToQty,
  ticksToPrice,
  unitsToQuote,
  type Instrument,
} from '../../core/model/instrument.ts';
import { parentOrderId } from '../../core/model/ids.ts';
import { isTerminal } from '../../core/model/order-status.ts';
import type { LogEntry } from '../../core/model/events.ts';
import { ProblemError } from '../problem.ts';
import { defineRoute, json, type AnyRoute } from '../route-spec.ts';
import { hostedSession, withNotFound } from '../session-commands.ts';
import { instrumentOfSymbol, type SessionPort } from '../session-port.ts';
import { asClientOrderId, orderStateSchema, orderView } from '../session-views.ts';
import { orderParams, orderStatusQuery } from './session-schemas.ts';

export function sessionOrderReads(hosted: SessionPort | null): AnyRoute[] {
  // Declared on every server, so the API document is the same everywhere; without a hosted
  // session each answers 404 saying so.
  const port = hostedSession(hosted);
  const tag = 'session orders';
  return withNotFound([
    defineRoute({
      method: 'GET',
      path: '/orders',
      operationId: 'listOrders',
      tag,
      summary: 'The session’s orders, newest first, filtered by status and parent, paged',
      query: orderStatusQuery,
      responses: {
        200: json(
          'a page of orders',
          z.object({ items: z.array(orderStateSchema), nextCursor: z.string().nullable() }),
        ),
      },
      handle: ({ query }, c) => {
        const limit = query.limit ?? 100;
        const all = query.parentId
          ? port.ledger.childrenOf(parentOrderId(query.parentId))
          : [...port.ledger.parents.values()].flatMap((p) => port.ledger.childrenOf(p.spec.parentId));
        const after = query.cursor === undefined ? null : orderCursorKey(query.cursor);
        const rows = all
          .filter((o) => query.status === undefined || (query.status === 'done') === isTerminal(o.status))
          .filter((o) => after === null || newestFirst(keyOf(o), after) > 0)
          .sort((a, b) => newestFirst(keyOf(a), keyOf(b)));
        const page = rows.slice(0, limit);
        const last = page[page.length - 1];
        return c.json({
          items: page.map((o) => orderView(instrumentOfSymbol(port, o.request.symbol), o)),
          nextCursor: rows.length > limit && last !== undefined ? orderCursor(keyOf(last)) : null,
        });
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/orders/:clientOrderId',
      operationId: 'getOrder',
      tag,
      summary: 'One order with its fills and what fill detection did about it',
      params: orderParams,
      problems: ['not-found'],
      responses: {
        200: json(
          'the order',
          orderStateSchema.extend({
            fills: z.array(
              z.object({ time: z.string(), qty: z.string(), price: z.string(), tradeId: z.string().nullable() }),
            ),
            history: z.array(z.object({ seq: z.number().int(), time: z.string(), kind: z.string() })),
          }),
        ),
      },
      handle: ({ params }, c) => {
        const o = port.ledger.order(asClientOrderId(params.clientOrderId));
        if (o === undefined) throw new ProblemError('not-found', `no order ${params.clientOrderId} in this session`);
        const inst = instrumentOfSymbol(port, o.request.symbol);
        const history = port.orderHistory(params.clientOrderId);
        const fills = history.flatMap((e) => fillOf(inst, e));
        return c.json({
          ...orderView(inst, o),
          fills,
          history: history.map((e) => ({ seq: e.seq, time: new Date(e.time).toISOString(), kind: e.event.kind })),
        });
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/positions',
      operationId: 'getPositions',
      tag,
      summary:
        'The session’s position in each symbol it trades (its own first) and the quote its fills moved, as the ledger holds them, with the account’s baseline',
      responses: {
        200: json(
          'positions by symbol',
          z.object({
            items: z.array(
              z.object({
                symbol: z.string(),
                position: z.string().describe('ours: the baseline plus our fills'),
                baseline: z.string().nullable().describe('what the account held when the session began'),
                cashFlow: z
                  .string()
                  .describe(
                    'the quote our fills moved: spent (-) and received (+), fees included; a flow since the session began, not the account’s balance',
                  ),
                openOrders: z.number().int().describe('our orders in this symbol not ended'),
              }),
            ),
          }),
        ),
      },
      handle: (_, c) => {
        const open = new Map<string, number>();
        for (const o of port.ledger.openOrders()) open.set(o.request.symbol, (open.get(o.request.symbol) ?? 0) + 1);
        return c.json({
          items: port.instruments.map((inst) => {
            const s = inst.symbol;
            const baseline = port.ledger.baselineOf(s);
            return {
              symbol: s,
              position: signedQty(inst, port.ledger.accountPositionOf(s)),
              baseline: baseline === null ? null : signedQty(inst, baseline),
              cashFlow: signedQuote(inst, port.ledger.cashOf(s)),
              openOrders: open.get(s) ?? 0,
            };
          }),
        });
      },
    }),
  ]);
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Where an order sits in the list: newest first, then by client order id (descending). */
type OrderKey = readonly [createdAt: number, clientOrderId: string];
const keyOf = (o: { readonly createdAt: number; readonly request: { readonly clientOrderId: string } }): OrderKey => [
  o.createdAt,
  o.request.clientOrderId,
];
/** Negative when `a` comes before `b` in the list. */
const newestFirst = (a: OrderKey, b: OrderKey): number => b[0] - a[0] || cmp(b[1], a[1]);

/** A page's cursor names its last order, so the next page starts after it whatever was added
 *  meanwhile (new orders come first, not in the middle) or left the filter (an order that ended
 *  leaves the open ones without shifting the rest): no order is listed twice or skipped. */
const orderCursor = (key: OrderKey): string => Buffer.from(JSON.stringify(key)).toString('base64url');

function orderCursorKey(cursor: string): OrderKey {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = null;
  }
  if (
    Array.isArray(key) &&
    key.length === 2 &&
    typeof key[0] === 'number' &&
    Number.isFinite(key[0]) &&
    typeof key[1] === 'string'
  )
    return [key[0], key[1]];
  throw new ProblemError('bad-request', 'invalid query', [
    { path: 'query.cursor', message: 'must be the nextCursor of the previous page' },
  ]);
}

const signedQty = (inst: Instrument, lots: number): string =>
  lots < 0 ? `-${lotsToQty(inst, -lots)}` : lotsToQty(inst, lots);
const signedQuote = (inst: Instrument, units: number): string =>
  units < 0 ? `-${unitsToQuote(inst, -units)}` : unitsToQuote(inst, units);

/** The fill an entry states, when it is an execution report of the order. */
function fillOf(
  inst: Instrument,
  { event: e }: LogEntry,
): Array<{ time: string; qty: string; price: string; tradeId: string | null }> {
  if (e.kind !== 'FillReport') return [];
  const price = Number.isInteger(e.price) ? ticksToPrice(inst, e.price) : fractionalTicksToPrice(inst, e.price);
  return [{ time: new Date(e.venueTime).toISOString(), qty: lotsToQty(inst, e.qty), price, tradeId: e.tradeId }];
}
