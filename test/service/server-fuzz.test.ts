// Fuzzing every route of the API (fast-check, seeded like every property test here) over a real
// store with stored runs and a real run pool: path parameters, query strings, bodies, media types,
// methods and tokens drawn from good, nearly good and hostile values. Whatever is sent, the
// server answers below 500, every error is a problem document, and a refused request (4xx)
// changes nothing: the store's tables keep their row counts and no run is queued.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunPool } from '../../src/sweep/run-pool.ts';
import { createApp, type ExecsimApp } from '../../src/server/app.ts';
import type { AnyRoute } from '../../src/server/route-spec.ts';
import { countingJobs, storeFixture, type StoreFixture } from '../support/server-fixture.ts';

const TOKEN = 'fuzz-token-0123456789abcdef';
const WAIT_MS = 60_000;
let fixture: StoreFixture;
let pool: RunPool;
let server: ExecsimApp;
let jobs: ReturnType<typeof countingJobs>;

beforeAll(() => {
  fixture = storeFixture();
  pool = new RunPool({ dbPath: fixture.dbPath, size: 1 });
  server = createApp({
    reader: fixture.reader,
    deleteRun: fixture.deleteRun,
    jobs: (jobs = countingJobs(pool)),
    sweepJobs: pool,
    scenariosDir: fixture.scenariosDir,
    version: 'fuzz',
    token: TOKEN,
    maxBodyBytes: 64_000,
    checkResponses: true,
  });
}, 120_000);

afterAll(async () => {
  await pool.close();
  fixture.close();
});

async function idle(): Promise<void> {
  const until = performance.now() + WAIT_MS;
  while (pool.load.queued + pool.load.running > 0) {
    if (performance.now() > until) throw new Error('pool did not become idle');
    // A few ms between looks: a turn of the event loop each time would spin this thread while
    // the pool's worker runs the scenario.
    await new Promise((r) => setTimeout(r, 2));
  }
}

const hostile = fc.oneof(
  fc.string({ maxLength: 40, size: 'max' }),
  fc.string({ unit: 'grapheme', maxLength: 20, size: 'max' }),
  fc.constantFrom('', '0', '-1', '1e9', '9'.repeat(40), 'null', 'true', '%00', '../..', '<script>', 'NaN', ' '),
  fc.integer().map(String),
  fc.string({ maxLength: 3000, size: 'max' }),
);

function paramValue(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...fixture.runIds, ...fixture.sweepIds),
    fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,20}$/),
    hostile,
  );
}

function queryFor(route: AnyRoute): fc.Arbitrary<Record<string, string>> {
  const known = route.query ? Object.keys(route.query.shape) : [];
  const key = fc.oneof(known.length > 0 ? fc.constantFrom(...known) : fc.constant('x'), fc.string({ maxLength: 10 }));
  const value = fc.oneof(
    fc.constantFrom('1', '50', '500', '501', 'true', 'false', 'asc', 'desc', 'started', 'shortfall', 'fillRatio'),
    fc.constantFrom('2024-08-09T00:00:00Z', 'finished', 'crashed', ...fixture.runIds.slice(0, 2)),
    fc.constant(fixture.runIds.join(',')),
    hostile,
  );
  return fc.dictionary(key, value, { maxKeys: 4 });
}

const jsonBody = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record(
    {
      scenario: fc.oneof(fc.constantFrom('twap-calm', 'thin-book', 'nope', '../x'), hostile),
      yaml: fc.oneof(fc.constantFrom('name: x', 'market:\n  model: replay\n  files: [/etc/passwd]\n'), hostile),
      seed: fc.oneof(fc.integer(), fc.double(), fc.string()),
      paths: fc.oneof(fc.integer({ min: -5, max: 20 }), fc.string()),
    },
    { requiredKeys: [] },
  ),
);

interface Request {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

function requestFor(route: AnyRoute): fc.Arbitrary<Request> {
  const names = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1] as string);
  const params = fc.tuple(...names.map(() => paramValue()));
  const media = fc.oneof(
    fc.constantFrom(...Object.keys(route.body ?? { 'application/json': null })),
    fc.constantFrom('text/plain', 'application/json; charset=latin1', 'multipart/form-data', ''),
  );
  const body = fc.oneof(
    jsonBody.map((v) => JSON.stringify(v)),
    hostile,
  );
  const auth = fc.constantFrom(`Bearer ${TOKEN}`, `Bearer ${TOKEN}`, 'Bearer wrong-token-wrong-token', 'Basic abc', '');
  const method = fc.oneof(
    { weight: 5, arbitrary: fc.constant(route.method) },
    { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH') },
  );
  return fc.record({ params, query: queryFor(route), media, body, auth, method }).map((r) => {
    let p = route.path;
    names.forEach((n, i) => (p = p.replace(`:${n}`, encodeURIComponent(r.params[i] as string))));
    const qs = new URLSearchParams(r.query).toString();
    const headers: Record<string, string> = {};
    if (r.auth !== '') headers['authorization'] = r.auth;
    if (r.media !== '') headers['content-type'] = r.media;
    const hasBody = r.method !== 'GET';
    return {
      method: r.method,
      url: `http://127.0.0.1/api/v1${p}${qs ? `?${qs}` : ''}`,
      headers,
      ...(hasBody ? { body: r.body } : {}),
    };
  });
}

describe('every route, fuzzed', () => {
  it('answers below 500 with problems for errors, and a refused request changes nothing', async () => {
    for (const route of server.routes) {
      await fc.assert(
        fc.asyncProperty(requestFor(route), async (req) => {
          const before = fixture.counts();
          const submittedBefore = jobs.submitted;
          const res = await server.app.request(req.url, {
            method: req.method,
            headers: req.headers,
            ...(req.body !== undefined ? { body: req.body } : {}),
          });
          // Streams end on their own (stored runs: one event; pool runs: at their end).
          const text = await res.text();
          expect(res.status, `${req.method} ${req.url} -> ${text.slice(0, 300)}`).toBeLessThan(500);
          if (res.status >= 400) {
            expect(res.headers.get('content-type')).toContain('application/problem+json');
            expect(fixture.counts(), `${req.method} ${req.url} wrote on ${res.status}`).toEqual(before);
            expect(jobs.submitted).toBe(submittedBefore);
          } else if (req.method !== 'GET') {
            await idle();
          }
        }),
        { numRuns: 100 },
      );
    }
  }, 600_000);
});
