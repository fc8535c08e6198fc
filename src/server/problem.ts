// Every error the server answers is an RFC 9457 problem document (application/problem+json):
// type, title, status, detail, instance, and for bad input `errors: [{ path, message }]`, one per
// field. Handlers and middleware throw a ProblemError; the app's error handler turns it into the
// response. Problem types are relative URIs into the docs page (`/api/v1/docs#problem-...`),
// which lists them, so a client can look one up without the internet.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The problem types this server answers with, their status and title. */
export const PROBLEM_TYPES = {
  'bad-request': { status: 400, title: 'Bad request' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  'mutations-disabled': { status: 403, title: 'Changes are disabled on this server' },
  'host-not-allowed': { status: 403, title: 'Host not allowed' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict' },
  'safety-blocked': { status: 409, title: 'Blocked by the kill switch or the circuit breaker' },
  'payload-too-large': { status: 413, title: 'Payload too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'invalid-scenario': { status: 422, title: 'Invalid scenario' },
  'order-refused': { status: 422, title: 'Refused by a pre-trade check' },
  'too-many-jobs': { status: 429, title: 'Too many runs waiting' },
  'headers-too-large': { status: 431, title: 'Request headers too large' },
  'internal-error': { status: 500, title: 'Internal server error' },
  'stored-data-unreadable': { status: 500, title: 'Stored data cannot be read' },
  'not-ready': { status: 503, title: 'Not ready' },
  'store-unavailable': { status: 503, title: 'Store not available' },
} as const satisfies Record<string, { status: ContentfulStatusCode; title: string }>;

export type ProblemType = keyof typeof PROBLEM_TYPES;

export const fieldErrorSchema = z.object({
  path: z.string().describe('where: `query.limit`, `params.id`, `body.yaml`, or a scenario field path'),
  message: z.string(),
});
export type FieldError = z.infer<typeof fieldErrorSchema>;

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
    errors: z.array(fieldErrorSchema).optional(),
  })
  .describe('RFC 9457 problem details');
export type Problem = z.infer<typeof problemSchema>;

/** The URI of a problem type, relative to the API root. */
export const problemTypeUri = (type: ProblemType, apiBase: string): string => `${apiBase}/docs#problem-${type}`;

/** Thrown anywhere below a route; becomes the problem response. */
export class ProblemError extends Error {
  constructor(
    readonly type: ProblemType,
    readonly detail: string,
    readonly errors?: readonly FieldError[],
    /** Extra response headers (Allow, WWW-Authenticate). */
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(detail);
    this.name = 'ProblemError';
  }

  get status(): ContentfulStatusCode {
    return PROBLEM_TYPES[this.type].status;
  }
}

/** The problem document of `err` for the request in `c`. */
export function problemBody(err: ProblemError, c: Context, apiBase: string): Problem {
  const { title, status } = PROBLEM_TYPES[err.type];
  return {
    type: problemTypeUri(err.type, apiBase),
    title,
    status,
    detail: err.detail,
    instance: c.req.path,
    ...(err.errors && err.errors.length > 0 ? { errors: [...err.errors] } : {}),
  };
}

export function problemResponse(err: ProblemError, c: Context, apiBase: string): Response {
  const headers = new Headers({ 'content-type': PROBLEM_CONTENT_TYPE });
  for (const [k, v] of Object.entries(err.headers ?? {})) headers.set(k, v);
  return new Response(JSON.stringify(problemBody(err, c, apiBase)), { status: err.status, headers });
}
