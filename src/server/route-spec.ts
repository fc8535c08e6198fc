// A route is declared once, as data: method, path, zod schemas for its path parameters, query,
// body and responses, who may call it, and its handler. The same declaration registers the Hono
// route (register-routes.ts), validates each request and generates the OpenAPI document
// (openapi.ts), so the contract cannot drift from the code. Route modules (routes/*.ts) export
// functions returning their declarations; the app concatenates them.
import type { Context } from 'hono';
import type { z } from 'zod';
import type { ProblemType } from './problem.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Methods that change something: they need the bearer token unless a route says otherwise. */
export const MUTATING_METHODS: ReadonlySet<HttpMethod> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Schemas of path parameters and query strings: objects of string-input fields. */
export type RouteParamsSchema = z.ZodObject<Record<string, z.ZodType<unknown, string | undefined>>>;

/** A success response: description and, per media type, the schema of its body. */
export interface ResponseSpec {
  readonly description: string;
  readonly content: Readonly<Record<string, z.ZodType>>;
  /** Response headers worth documenting, by name: their description. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A request header a route reads (documented as an OpenAPI header parameter; the route checks it). */
export interface HeaderParam {
  readonly name: string;
  readonly description: string;
  /** The pattern a value must match. */
  readonly pattern: string;
  /** A header the route's success answers may carry because of it, with what it says. */
  readonly answeredWith?: { readonly name: string; readonly description: string };
}

/** Request bodies by media type. JSON media types are parsed as JSON, the others are text. */
export type BodyContent = Readonly<Record<string, z.ZodType>>;

/** What a handler gets: the validated inputs. */
export interface RouteInput<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  /** The parsed body and the media type it came as; undefined for routes without a body. */
  readonly body: B;
}

type Body<C extends BodyContent | undefined> = C extends BodyContent
  ? { [K in keyof C & string]: { readonly mediaType: K; readonly value: z.output<C[K]> } }[keyof C & string]
  : undefined;

export interface RouteSpec<
  P extends RouteParamsSchema | undefined = RouteParamsSchema | undefined,
  Q extends RouteParamsSchema | undefined = RouteParamsSchema | undefined,
  C extends BodyContent | undefined = BodyContent | undefined,
> {
  readonly method: HttpMethod;
  /** Relative to the API root, Hono syntax: `/runs/:id/orders`. */
  readonly path: string;
  readonly operationId: string;
  /** Groups operations in the document and on the docs page. */
  readonly tag: string;
  readonly summary: string;
  readonly description?: string;
  /** 'token': needs `Authorization: Bearer <token>`. Default: 'token' for mutating methods. */
  readonly auth?: 'token' | 'none';
  readonly params?: P;
  readonly query?: Q;
  /** Optional request headers it reads (an Idempotency-Key, a Last-Event-ID). */
  readonly headers?: readonly HeaderParam[];
  readonly body?: C;
  /** Success responses by status. */
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /** Problems this route answers besides those every route may (bad-request, host-not-allowed,
   *  and the auth and body ones its declaration implies). */
  readonly problems?: readonly ProblemType[];
  readonly handle: (
    input: RouteInput<
      P extends RouteParamsSchema ? z.output<P> : Record<string, never>,
      Q extends RouteParamsSchema ? z.output<Q> : Record<string, never>,
      Body<C>
    >,
    c: Context,
  ) => Response | Promise<Response>;
}

/** A declaration with its types erased, for lists of routes. */
export type AnyRoute = RouteSpec<RouteParamsSchema | undefined, RouteParamsSchema | undefined, BodyContent | undefined>;

/** Declares a route; infers the handler's input types from the schemas. */
export function defineRoute<
  P extends RouteParamsSchema | undefined = undefined,
  Q extends RouteParamsSchema | undefined = undefined,
  C extends BodyContent | undefined = undefined,
>(spec: RouteSpec<P, Q, C>): AnyRoute {
  return spec as unknown as AnyRoute;
}

/** Whether the route needs the bearer token. */
export const needsToken = (r: AnyRoute): boolean =>
  (r.auth ?? (MUTATING_METHODS.has(r.method) ? 'token' : 'none')) === 'token';

/** A JSON response declaration. */
export const json = (description: string, schema: z.ZodType): ResponseSpec => ({
  description,
  content: { 'application/json': schema },
});

/** The media types parsed as JSON. */
export const isJsonMediaType = (mediaType: string): boolean =>
  mediaType === 'application/json' || mediaType.endsWith('+json');
