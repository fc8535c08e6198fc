// The API's contract: the OpenAPI document lists exactly the operations the app serves (every
// Hono route under the API root, not only the declared ones, so a route added beside the
// declarations is caught), every path parameter is declared, operation ids are unique, and the
// document equals the committed snapshot docs/api/openapi.json. A renamed or removed endpoint,
// parameter or response therefore fails this test until the snapshot is rewritten on purpose
// (`npm run openapi:write`), which shows the change in review.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_BASE, createApp, documentedOperations, registeredOperations } from '../../src/server/app.ts';
import { openApiPath } from '../../src/server/register-routes.ts';
import { serverAppForContract } from '../support/server-fixture.ts';

const SNAPSHOT = path.resolve('docs/api/openapi.json');

describe('OpenAPI document', () => {
  const { app, routes, document } = serverAppForContract();
  const doc = document();

  it('lists exactly the operations the app serves', () => {
    const served = new Set(
      app.routes
        .filter((r) => r.path.startsWith(API_BASE) && r.method !== 'ALL')
        .map((r) => `${r.method} ${openApiPath(r.path)}`),
    );
    const documented = new Set(documentedOperations(doc));
    expect([...served].sort()).toEqual([...documented].sort());
    expect(new Set(registeredOperations(routes))).toEqual(documented);
  });

  it('declares every path parameter and has unique operation ids', () => {
    const ids = new Set<string>();
    for (const [p, ops] of Object.entries(doc.paths)) {
      const names = [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(ops)) {
        const declared = ((op['parameters'] ?? []) as { name: string; in: string }[])
          .filter((x) => x.in === 'path')
          .map((x) => x.name);
        expect(declared.sort(), `${method} ${p}`).toEqual([...names].sort());
        expect(ids.has(op.operationId), op.operationId).toBe(false);
        ids.add(op.operationId);
        expect(
          Object.keys(op.responses).some((s) => /^2\d\d$/.test(s)),
          `${method} ${p}`,
        ).toBe(true);
      }
    }
  });

  it('is served at /api/v1/openapi.json, and the docs page names every operation', async () => {
    const served = await (await app.request('http://127.0.0.1/api/v1/openapi.json')).json();
    expect(served).toEqual(doc);
    const page = await (await app.request('http://127.0.0.1/api/v1/docs')).text();
    for (const op of Object.values(doc.paths).flatMap((ops) => Object.values(ops)))
      expect(page).toContain(op.operationId);
  });

  it('equals the committed snapshot (npm run openapi:write rewrites it on purpose)', () => {
    expect(fs.existsSync(SNAPSHOT), `${SNAPSHOT} is missing: run npm run openapi:write`).toBe(true);
    const committed = JSON.parse(fs.readFileSync(SNAPSHOT, 'utf8')) as unknown;
    expect(JSON.parse(JSON.stringify(doc))).toEqual(committed);
  });

  it("is listed whole in the HTTP API page's table", () => {
    const page = fs.readFileSync(path.resolve('docs/reference/http-api.md'), 'utf8');
    const from = page.indexOf('## The API');
    const section = page.slice(from, page.indexOf('\n## ', from + 1));
    const listed = [...section.matchAll(/^\| `([A-Z]+) (\/[^`]*)` \|/gm)].map((m) => `${m[1]} ${API_BASE}${m[2]}`);
    expect(listed.sort()).toEqual(documentedOperations(doc).sort());
  });

  it('offers the job routes only on a server with a run pool', () => {
    const other = createApp({
      reader: null,
      deleteRun: null,
      jobs: null,
      scenariosDir: 'scenarios',
      version: 'snapshot',
      token: null,
    });
    const ops = new Set(documentedOperations(other.document()));
    expect(ops.has(`POST ${API_BASE}/runs`)).toBe(false);
  });
});
