// The API describing itself: the OpenAPI document generated from the route declarations, and the
// docs page rendered from that document. Both are built once, on first request, from every route
// the app has (these two included).
import { z } from 'zod';
import { renderDocsPage } from '../docs-page.ts';
import type { OpenApiDocument } from '../openapi.ts';
import { defineRoute, json, type AnyRoute } from '../route-spec.ts';

export interface MetaDeps {
  readonly apiBase: string;
  /** The document of the whole app (built when first asked for). */
  readonly document: () => OpenApiDocument;
}

export function metaRoutes(deps: MetaDeps): AnyRoute[] {
  let page: string | null = null;
  return [
    defineRoute({
      method: 'GET',
      path: '/openapi.json',
      operationId: 'getOpenApi',
      tag: 'server',
      summary: 'This API as an OpenAPI 3.1 document',
      responses: {
        200: json(
          'the document',
          z.looseObject({ openapi: z.literal('3.1.0'), paths: z.record(z.string(), z.unknown()) }),
        ),
      },
      handle: (_, c) => c.json(deps.document()),
    }),
    defineRoute({
      method: 'GET',
      path: '/docs',
      operationId: 'getDocs',
      tag: 'server',
      summary: 'This API as an HTML page: operations, parameters, responses, problem types',
      responses: { 200: { description: 'the page', content: { 'text/html': z.string() } } },
      handle: (_, c) => c.html((page ??= renderDocsPage(deps.document(), `${deps.apiBase}/openapi.json`))),
    }),
  ];
}
