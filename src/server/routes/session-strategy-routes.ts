// The service session's strategy routes: which strategy is live (and a swap in shadow, with its
// samples so far), and a swap asked for by an operator, audited and recorded in the session's log
// before anything else happens. Status codes, and a swap sent with an Idempotency-Key:
// docs/0070-store-service-and-cli-notes.md#srcserverroutessession-strategy-routests.
import { z } from 'zod';
import { auditText } from './session-schemas.ts';
import { parseDurationMs } from '../../core/model/time-fields.ts';
import { duration } from '../../scenario/common-schema.ts';
import { ProblemError } from '../problem.ts';
import { defineRoute, json, type AnyRoute } from '../route-spec.ts';
import type { SessionPort } from '../session-port.ts';
import type { SwapAskAnswer } from '../../node/swap-decision.ts';
import { swapDecision } from '../../node/swap-decision.ts';
import { keyHeader, REPLAYED_HEADER, requestTag, IDEMPOTENCY_KEY } from '../idempotent-command.ts';
import { hostedSession, withNotFound } from '../session-commands.ts';

const swapBody = z.strictObject({
  module: z
    .string()
    .min(1)
    .max(300)
    .regex(/\.(ts|mts|cts|js|mjs|cjs)$/, { error: 'must name a .ts or .js file' })
    .describe("the candidate module, relative to the session file's folder and inside it"),
  params: z.record(z.string(), z.unknown()).default({}).describe("the candidate's parameters (its schema checks them)"),
  samples: z.number().int().min(2).max(100_000).default(100).describe('samples of both outputs compared'),
  timeout: duration.default('PT1H').describe('how long the shadow may take to collect them (ISO 8601)'),
  minCorrelation: z.number().min(-1).max(1).default(0.5).describe('reject below this correlation'),
  maxMeanDifference: z
    .number()
    .min(0)
    .max(1_000_000)
    .default(0.5)
    .describe("reject above this mean difference, relative to the live outputs' mean magnitude"),
  override: z.boolean().default(false).describe('skip the shadow validation: swap at once'),
  actor: auditText(200, 'must name who acts').describe('who asks (an operator)'),
  reason: auditText(500, 'must say why').describe('why: kept in the event log'),
});

const statusSchema = z.object({
  live: z.object({
    name: z.string(),
    module: z.string(),
    codeHash: z.string(),
    params: z.string().describe('canonical JSON'),
    running: z.boolean().describe('false once it failed'),
  }),
  shadow: z
    .object({
      swap: z.number().int(),
      candidate: z.string(),
      samples: z.number().int().describe('collected so far'),
      of: z.number().int().describe('needed for the decision'),
    })
    .nullable()
    .describe('the swap in shadow, or null'),
});

const answerSchema = z.object({
  swap: z.number().int().describe("the swap's number: its StrategySwapDecided event names the same"),
  outcome: z.enum(['shadow', 'accepted', 'rejected']),
  reason: z.string().nullable(),
  strategy: statusSchema,
});

const NO_STRATEGY = 'this session runs no strategy (name one in the session file: strategy:)';

export function sessionStrategyRoutes(hosted: SessionPort | null): AnyRoute[] {
  const port = hostedSession(hosted);
  const tag = 'session strategy';
  /** The answer's strategy (statusSchema): what readiness reads of it (stopped, not hydrated)
   *  is /readyz's. */
  const status = (): z.input<typeof statusSchema> => {
    const s = port.strategyStatus?.() ?? null;
    if (s === null) throw new ProblemError('conflict', NO_STRATEGY);
    const { name, module, codeHash, params, running } = s.live;
    return { live: { name, module, codeHash, params, running }, shadow: s.shadow };
  };
  return withNotFound([
    defineRoute({
      method: 'GET',
      path: '/session/strategy',
      operationId: 'getSessionStrategy',
      tag,
      summary: 'The live strategy, and a swap in shadow with its samples so far (409 without a strategy)',
      problems: ['conflict'],
      responses: { 200: json('the strategy', statusSchema) },
      handle: (_, c) => c.json(status()),
    }),
    defineRoute({
      method: 'POST',
      path: '/session/strategy/swap',
      operationId: 'swapSessionStrategy',
      headers: [IDEMPOTENCY_KEY],
      tag,
      summary:
        'Swap the strategy after shadow validation (202; decided later, as events) or at once on an override (200), audited',
      body: { 'application/json': swapBody },
      problems: ['conflict'],
      responses: {
        200: json('decided at once: an override swapped, or the candidate failed as it started', answerSchema),
        202: json('the candidate runs in shadow; StrategySwapDecided will say how it ended', answerSchema),
      },
      handle: async ({ body }, c) => {
        status();
        const b = body.value;
        const key = keyHeader(c);
        const tag = key === undefined ? null : requestTag('POST /session/strategy/swap', key, b);
        const answered = (answer: SwapAskAnswer, replayed: boolean): Response => {
          const extra = replayed ? { [REPLAYED_HEADER]: 'true' } : undefined;
          if (answer.outcome === 'invalid')
            throw new ProblemError('bad-request', `body.${answer.field}: ${answer.message}`, [
              { path: `body.${answer.field}`, message: answer.message },
            ]);
          if (answer.outcome === 'refused')
            throw new ProblemError('conflict', `swap ${answer.swap}: ${answer.reason}`, undefined, extra);
          if (replayed) c.header(REPLAYED_HEADER, 'true');
          const out = {
            swap: answer.swap,
            outcome: answer.outcome,
            reason: answer.outcome === 'rejected' ? answer.reason : null,
            strategy: status(),
          };
          return c.json(out, answer.outcome === 'shadow' ? 202 : 200);
        };
        if (tag !== null) {
          const known = port.requestDecision(tag);
          if (known.kind === 'conflict') throw new ProblemError('conflict', known.reason);
          if (known.kind === 'decided') return answered(swapDecision(known.result), true);
        }
        const fields = {
          module: b.module,
          params: b.params,
          samples: b.samples,
          timeoutMs: parseDurationMs(b.timeout),
          minCorrelation: b.minCorrelation,
          maxMeanDifference: b.maxMeanDifference,
          override: b.override,
          actor: b.actor,
          reason: b.reason,
        };
        const answer = await (port.swapStrategy as NonNullable<SessionPort['swapStrategy']>)(fields, tag ?? undefined);
        if (answer.outcome === 'refused' && answer.reason.startsWith('the key '))
          throw new ProblemError('conflict', answer.reason);
        return answered(answer, false);
      },
    }),
  ]);
}
