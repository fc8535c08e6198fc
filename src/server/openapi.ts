// The OpenAPI 3.1 document, generated from the route declarations (the same zod schemas that
// validate requests, as JSON Schema 2020-12 through z.toJSONSchema): parameters and bodies as
// their input side (what a client sends), responses as their output side. Every operation lists
// its success responses, the problems it may answer (application/problem+json, one shared
// Problem schema) and a default problem response.
import { z } from 'zod';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPES, problemSchema, problemTypeUri, type ProblemType } from './problem.ts';
import { openApiPath } from './register-routes.ts';
import { needsToken, type AnyRoute, type RouteParamsSchema } from './route-spec.ts';

export interface OpenApiInfo {
  readonly apiBase: string;
  readonly version: string;
}

type JsonSchema = Record<string, unknown>;
export type OpenApiDocument = Record<string, unknown> & { readonly paths: Record<string, Record<string, Operation>> };

export interface Operation {
  readonly operationId: string;
  readonly summary: string;
  readonly tags: readonly string[];
  readonly responses: Record<string, { description: string; content?: Record<string, { schema: JsonSchema }> }>;
  readonly [key: string]: unknown;
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

/** The problems a route may answer: its own, plus those its declaration implies. */
export function routeProblems(route: AnyRoute): ProblemType[] {
  const out = new Set<ProblemType>(['bad-request', 'host-not-allowed']);
  if (needsToken(route)) {
    out.add('unauthorized');
    out.add('mutations-disabled');
  }
  if (route.body !== undefined) {
    out.add('payload-too-large');
    out.add('unsupported-media-type');
  }
  for (const p of route.problems ?? []) out.add(p);
  return [...out];
}

function parameters(schema: RouteParamsSchema | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (schema === undefined) return [];
  return Object.entries(schema.shape).map(([name, field]) => {
    const s = jsonSchema(field, 'input');
    const { description, ...rest } = s;
    return {
      name,
      in: where,
      required: where === 'path' || !field.safeParse(undefined).success,
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

/** The route's request headers as header parameters. */
const headerParameters = (route: AnyRoute): JsonSchema[] =>
  (route.headers ?? []).map((h) => ({
    name: h.name,
    in: 'header',
    required: false,
    description: h.description,
    schema: { type: 'string', pattern: h.pattern },
  }));

function operation(route: AnyRoute, apiBase: string): Operation {
  const responses: Operation['responses'] = {};
  // Headers a success answer may carry because of a request header (Idempotent-Replayed).
  const replayHeaders = (route.headers ?? []).flatMap((h) =>
    h.answeredWith ? [[h.answeredWith.name, h.answeredWith.description] as const] : [],
  );
  for (const [status, spec] of Object.entries(route.responses)) {
    const media = Object.entries(spec.content);
    responses[status] = {
      description: spec.description,
      // A response without a body (204) has no content.
      ...(media.length > 0
        ? { content: Object.fromEntries(media.map(([m, schema]) => [m, { schema: jsonSchema(schema, 'output') }])) }
        : {}),
      ...(spec.headers || replayHeaders.length > 0
        ? {
            headers: Object.fromEntries(
              [...Object.entries(spec.headers ?? {}), ...replayHeaders].map(([h, description]) => [
                h,
                { description, schema: { type: 'string' } },
              ]),
            ),
          }
        : {}),
    };
  }
  const byStatus = new Map<number, ProblemType[]>();
  for (const p of routeProblems(route)) {
    const status = PROBLEM_TYPES[p].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), p]);
  }
  for (const [status, types] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    responses[String(status)] = {
      description: types.map((t) => `${PROBLEM_TYPES[t].title} (${problemTypeUri(t, apiBase)})`).join('; '),
      content: { [PROBLEM_CONTENT_TYPE]: { schema: PROBLEM_REF } },
    };
  }
  responses['default'] = {
    description: 'Any other problem (method not allowed, internal error)',
    content: { [PROBLEM_CONTENT_TYPE]: { schema: PROBLEM_REF } },
  };
  const params = [...parameters(route.params, 'path'), ...parameters(route.query, 'query'), ...headerParameters(route)];
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description !== undefined ? { description: route.description } : {}),
    tags: [route.tag],
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(route.body !== undefined
      ? {
          requestBody: {
            // Optional where the body has a default: the request may leave it out.
            required: !Object.values(route.body).some((schema) => schema.safeParse(undefined).success),
            content: Object.fromEntries(
              Object.entries(route.body).map(([media, schema]) => [media, { schema: jsonSchema(schema, 'input') }]),
            ),
          },
        }
      : {}),
    ...(needsToken(route) ? { security: [{ bearer: [] }] } : { security: [] }),
    responses,
  };
}

export function buildOpenApi(routes: readonly AnyRoute[], info: OpenApiInfo): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const path = openApiPath(info.apiBase + route.path);
    (paths[path] ??= {})[route.method.toLowerCase()] = operation(route, info.apiBase);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'execsim',
      version: info.version,
      description:
        'Stored backtest runs and sweeps of execsim. Errors are RFC 9457 problem documents. Operations that ' +
        'change stored data need `Authorization: Bearer <token>` (the server is started with EXECSIM_TOKEN).',
    },
    paths,
    components: {
      schemas: { Problem: jsonSchema(problemSchema, 'output') },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'the EXECSIM_TOKEN of the server' } },
    },
  };
}
