// Mounts route declarations on a Hono app. Each route's one handler: records its pattern (the
// metrics label), checks the token where the route needs it (before reading any body), validates
// path parameters, query and body, runs the route's handler, and with `checkResponses` (tests)
// checks what the handler answered against the declaration: a declared status and media type,
// and a JSON body its schema accepts. A mismatch there is a bug in the server, so it throws.
import type { Hono } from 'hono';
import { requireToken } from './auth.ts';
import { PROBLEM_CONTENT_TYPE, problemSchema } from './problem.ts';
import { parseBody, parseParams, parseQuery } from './request-input.ts';
import { isJsonMediaType, needsToken, type AnyRoute } from './route-spec.ts';

export interface RegisterOptions {
  /** The API root, e.g. `/api/v1`: every route path is under it. */
  readonly apiBase: string;
  readonly token: string | null;
  readonly maxBodyBytes: number;
  readonly checkResponses: boolean;
}

/** Hono's `:name` parameters as OpenAPI's `{name}`. */
export const openApiPath = (honoPath: string): string => honoPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

export function registerRoutes(
  app: Hono<{ Variables: { routePattern?: string } }>,
  routes: readonly AnyRoute[],
  options: RegisterOptions,
): void {
  const seen = new Set<string>();
  for (const route of routes) {
    const path = options.apiBase + route.path;
    const key = `${route.method} ${path}`;
    if (seen.has(key)) throw new Error(`route declared twice: ${key}`);
    seen.add(key);
    app.on(route.method, path, async (c) => {
      c.set('routePattern', path);
      if (needsToken(route)) requireToken(options.token, c.req.header('authorization'));
      const params = parseParams(route.params, c.req.param() as Record<string, string>);
      const query = parseQuery(route.query, c.req.url);
      const body = await parseBody(route, c, options.maxBodyBytes);
      const res = await route.handle({ params, query, body } as Parameters<AnyRoute['handle']>[0], c);
      if (options.checkResponses) await checkResponse(route, key, res);
      return res;
    });
  }
}

/** Throws when `res` is not what `route` declares. */
async function checkResponse(route: AnyRoute, key: string, res: Response): Promise<void> {
  const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (res.status >= 400) {
    if (mediaType !== PROBLEM_CONTENT_TYPE)
      throw new Error(`${key}: answered ${res.status} as ${mediaType}, not a problem`);
    problemSchema.parse(await res.clone().json());
    return;
  }
  const spec = route.responses[res.status];
  if (spec === undefined) throw new Error(`${key}: answered status ${res.status}, which it does not declare`);
  if (Object.keys(spec.content).length === 0) {
    if (res.body !== null) throw new Error(`${key}: answered ${res.status} with a body, which it declares without one`);
    return;
  }
  const schema = spec.content[mediaType];
  if (schema === undefined)
    throw new Error(`${key}: answered ${res.status} as ${mediaType}, which it does not declare`);
  if (isJsonMediaType(mediaType)) {
    const result = schema.safeParse(await res.clone().json());
    if (!result.success)
      throw new Error(`${key}: ${res.status} body does not match its schema: ${result.error.message}`);
  } else if (mediaType === 'text/plain' || mediaType === 'text/html') {
    schema.parse(await res.clone().text());
  }
}
