// The request and response schemas of the service session's order routes: a slicing request
// (the seeds' fields and execsim's TWAP extras), a single order, a signal, a cancel, their path
// parameters and the answers that are not views of the ledger (session-views.ts has those).
import { z } from 'zod';
import { ORDER_TYPES, SIDES, TIMES_IN_FORCE } from '../../core/model/order.ts';
import { CONFIRMATIONS } from '../../core/model/safety-events.ts';
import { id as idField, positiveDecimal } from '../../scenario/common-schema.ts';
import { algoSchema, twapSchema } from '../../scenario/execution-schema.ts';
import { placementSchema } from '../../scenario/placement-schema.ts';
import { cursorParam, limitParam } from '../query-params.ts';
import { parentStateSchema } from '../session-views.ts';

const confirmations = z
  .array(z.enum(CONFIRMATIONS, { error: `must be one of ${CONFIRMATIONS.join(', ')}` }))
  .max(CONFIRMATIONS.length)
  .default([])
  .describe('large-order confirmations present on the request (the fat-finger limits)');

const orderFields = {
  symbol: z.string().regex(/^[A-Z0-9./-]{1,20}$/, 'must be an upper-case symbol like BTCUSDT'),
  side: z.enum(SIDES, { error: `must be one of ${SIDES.join(', ')}` }),
  qty: positiveDecimal.describe('in the instrument’s units, as a decimal string ("0.5")'),
  type: z.enum(ORDER_TYPES, { error: `must be one of ${ORDER_TYPES.join(', ')}` }).default('market'),
  tif: z
    .enum(TIMES_IN_FORCE, { error: `must be one of ${TIMES_IN_FORCE.join(', ')}` })
    .optional()
    .describe(
      'default IOC for a market order, GTC otherwise. GTC and DAY limits rest until filled or cancelled: fill detection watches them without a deadline (the session’s fillDetection.restingTimeoutMs gives one); IOC and FOK orders keep its deadline',
    ),
  limitPrice: positiveDecimal.optional(),
  confirm: confirmations,
  confirmedBy: z.string().min(1).max(200).optional(),
};

const parentIdField = idField.describe(
  'the parent’s id and the request’s idempotency key: the same request again is answered as the first was, another under the same id is a 409. Default: the Idempotency-Key header, else a new id',
);

/** An algo block a request may name: a built-in, or a user's module by the name the session
 *  file's `algorithms` section declares it under (code is loaded from the session file when the
 *  session starts, never from a path in a request's body). */
const requestAlgo = algoSchema.refine((a) => a.kind !== 'module' || a.path === undefined, {
  error:
    'a module algorithm comes from the session file (its algorithms section, loaded when the session starts), not from a path in a request: name it with algo.name',
  path: ['path'],
});

/** An audit field (who acts, why), kept in the event log and printed on its lines: words, so
 *  neither blank (only spaces) nor holding a control character (a line break, a NUL). */
export const auditText = (max: number, missing: string) =>
  z
    .string()
    .max(max)
    .regex(/\S/, missing)
    .regex(/^\P{Cc}*$/u, 'must not hold control characters (line breaks, tabs, NUL)');

export const sliceBody = z
  .strictObject({
    parentId: parentIdField.optional(),
    ...orderFields,
    ...twapSchema.shape,
    algo: requestAlgo
      .optional()
      .describe(
        'the execution algorithm the slices follow on this grid: { kind: twap } (the default), { kind: vwap, profile?, days? } (profile: a list of weights, or history with days 1-20), { kind: is, urgency, volatility, impact } or { kind: pov, rate, maxRate?, minChildQty?, end? }; or one deciding its children over the duration (no grid): an iceberg { kind: iceberg, display | displayMin and displayMax, peg?, offsetTicks?, repegTicks?, checkEvery?, end? }, or a user’s module { kind: module, name, params? } naming one the session file’s algorithms section declares (params replace its declared params key by key)',
      ),
    placement: placementSchema
      .optional()
      .describe(
        'how the slices’ children are placed, whatever the algorithm: { kind: passive-then-cross, offsetTicks?, crossWhenBehind | crossWhenBehindQty, everyMs? } (passive at the near touch plus the offset, crossing the spread when the parent is behind its trajectory by more than that share of the order or quantity; a resting child checked every everyMs and re-priced to cross once behind) or { kind: chaser, offsetTicks?, thresholdTicks?, everyMs?, maxChases? } (re-priced at the touch when more than thresholdTicks off it, checked every everyMs, at most maxChases times per slice); { kind: market } or absent: the children the order’s type makes',
      ),
  })
  .refine((t) => (t.interval === undefined) !== (t.slices === undefined), {
    message: 'give exactly one of interval and slices',
    path: ['interval'],
  })
  .refine((t) => (t.type === 'limit') === (t.limitPrice !== undefined) || t.type !== 'limit', {
    message: 'a limit TWAP needs limitPrice',
    path: ['limitPrice'],
  });

/** A single order's prices and post-only as its type allows them, as a scenario's orders are
 *  checked: a price the type has no use for would be sent on to the venue (which refuses the
 *  order after its parent was made) or dropped without a word, so it is a 400 naming it. */
function orderPriceChecks(
  o: { type: string; limitPrice?: string | undefined; stopPrice?: string | undefined; postOnly: boolean },
  ctx: z.RefinementCtx,
): void {
  const needsLimit = o.type === 'limit' || o.type === 'stop_limit';
  const needsStop = o.type === 'stop' || o.type === 'stop_limit';
  const issue = (field: string, message: string): void => ctx.addIssue({ code: 'custom', path: [field], message });
  if (needsLimit && o.limitPrice === undefined) issue('limitPrice', `a ${o.type} order needs limitPrice`);
  if (!needsLimit && o.limitPrice !== undefined) issue('limitPrice', `a ${o.type} order takes no limitPrice`);
  if (needsStop && o.stopPrice === undefined) issue('stopPrice', `a ${o.type} order needs stopPrice`);
  if (!needsStop && o.stopPrice !== undefined) issue('stopPrice', `a ${o.type} order takes no stopPrice`);
  if (o.postOnly && o.type !== 'limit') issue('postOnly', `only a limit order can be post-only, not a ${o.type} order`);
}

export const orderBody = z
  .strictObject({
    parentId: parentIdField.optional(),
    ...orderFields,
    limitPrice: orderFields.limitPrice.describe('for a limit or stop_limit order: required there, refused on others'),
    stopPrice: positiveDecimal.optional().describe('for a stop or stop_limit order: required there, refused on others'),
    postOnly: z.boolean().default(false).describe('a limit order only'),
    reduceOnly: z
      .boolean()
      .default(false)
      .describe('only reduce the position: checked against the venue’s position and open orders, server-side'),
  })
  .superRefine(orderPriceChecks);

export const signalBody = z.strictObject({
  signalId: idField.describe(
    'the signal’s id, and its idempotency key without an Idempotency-Key header: the same signal again is answered as the first was; another signal under the same id is a 409',
  ),
  symbol: orderFields.symbol,
  side: orderFields.side,
  qty: orderFields.qty,
  price: positiveDecimal.optional().describe('entry price: a limit order there; absent: a market order'),
  route: z.enum(['auto', 'single', 'twap']).default('auto'),
  algo: requestAlgo
    .optional()
    .describe(
      'the execution algorithm its parent follows, as on /orders/slice; a signal with one is sliced on the session’s routing.defaultTwap grid (an iceberg or a declared module, { kind: module, name, params? }, runs over its duration)',
    ),
  placement: placementSchema
    .optional()
    .describe('how its parent’s children are placed, as on /orders/slice; a signal with a policy is sliced'),
  reduceOnly: z.boolean().default(false),
  confirm: confirmations,
  confirmedBy: orderFields.confirmedBy,
});

/** A cancel's body: optional, as its reason is (the body's, else the query's, else a default). */
export const cancelBody = z
  .strictObject({ reason: z.string().min(1).max(500).optional().describe('why: kept in the event log') })
  .default({});
export const cancelQuery = z.object({
  reason: auditText(500, 'must say why')
    .optional()
    .describe('why, when the body gives no reason (given in both, they must be equal: else a 400 naming both)'),
});

export const parentParams = z.object({ parentId: idField.describe('the parent order’s id') });
export const orderParams = z.object({
  clientOrderId: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be a client order id (letters, digits, _ . : -, at most 128)')
    .describe('the order’s client order id'),
});

export const commandAnswer = z.object({
  outcome: z.enum(['accepted', 'pending']),
  ids: z.array(z.string()),
  reason: z.string().nullable(),
});

export const cancelAnswer = z.object({
  parentId: z.string(),
  status: parentStateSchema.shape.status,
  cancelled: z.array(z.string()).describe('slices that had not gone out: they never will'),
  cancelling: z.array(z.string()).describe('children working at the venue: their cancel was sent'),
  alreadyDone: z.array(z.string()).describe('children that had ended (filled, cancelled, rejected) before'),
});

export const orderStatusQuery = z.object({
  status: z
    .enum(['open', 'done'], { error: 'must be open or done' })
    .optional()
    .describe('open: not in a final status; done: final'),
  parentId: idField.optional(),
  limit: limitParam(500).optional(),
  cursor: cursorParam.optional(),
});
