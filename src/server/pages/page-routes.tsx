/** @jsxImportSource hono/jsx */
// The web pages, server-rendered over a RunReader: the runs list at `/`, a run at `/runs/{id}`,
// the sweeps list at `/sweeps`, a sweep at `/sweeps/{id}`, runs side by side at `/compare`, and
// their static files under `/static/`. Mounted beside the JSON API (whose series route the run
// page's chart script fetches, and whose re-run route the sweep page's buttons post to). Bad input
// is a 400 page naming the parameter; an unknown run or sweep a 404 page; what the handlers throw
// (stored data that cannot be read, a fault) reaches the app's error handler, which answers a
// page request with problemPage, the same detail the API would give.
// Every page forbids inline scripts (Content-Security-Policy): all script is in static/ (the run
// page's charts, the sweep page's re-run buttons, the session page's live parts). When the server
// hosts a service session its page is at `/session` (session-routes.tsx) and every page's
// navigation links it.
import { Hono, type Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { unknownEventKind } from '../../core/model/event-kinds.ts';
import type { RunQuery, RunReader } from '../../store/read-model-port.ts';
import { readableRun } from '../../store/readable-events.ts';
import { UnknownParentError } from '../../store/sweep-histogram.ts';
import { InvalidCursorError, MAX_SWEEP_PAGE } from '../../store/sweep-read.ts';
import { idParam } from '../query-params.ts';
import { MAX_SERIES_POINTS } from '../routes/run-record-routes.ts';
import { waitsForWorker, type RunJobState } from '../routes/reader-access.ts';
import { runQuerySchema } from '../routes/run-routes.ts';
import type { SessionPort } from '../session-port.ts';
import { ComparePage } from './compare-page.tsx';
import { NavContext, ProblemPage, type Nav } from './layout.tsx';
import { htmlPage } from './page-response.ts';
import { RunPage } from './run-page.tsx';
import { FILTER_FIELDS, RunsPage } from './runs-page.tsx';
import { sessionPageRoutes } from './session-routes.tsx';
import { registerStatic } from './static-assets.ts';
import { SweepPage } from './sweep-page.tsx';
import { SweepsPage } from './sweeps-page.tsx';

export interface PageOptions {
  /** Where the JSON API is mounted (the chart script fetches the series from it). */
  readonly apiBase?: string;
  /** Points per series the run page's chart asks for unless `?maxPoints=` says otherwise. */
  readonly maxPoints?: number;
  /** The service session the server hosts: its page is at /session and the navigation links it. */
  readonly session?: SessionPort | null;
  /** Where the run pool has a run: a run it has yet to start is a 202 page saying so. */
  readonly runState?: RunJobState | undefined;
}

export const DEFAULT_CHART_POINTS = 2_000;
export const EVENTS_PER_PAGE = 100;
export const PATHS_PER_PAGE = 50;
export const SWEEPS_PER_PAGE = 50;
const MAX_COMPARED = 20;

/** A problem as a page: its title and detail, with its status. */
export const problemPage = (c: Context, title: string, detail: string, status: ContentfulStatusCode): Response =>
  htmlPage(c, <ProblemPage title={title} detail={detail} />, status);

/** The reader refused a cursor it did not give out (BadCursorError for runs, InvalidCursorError
 *  for a sweep's paths): bad input, not a fault. */
const isBadCursor = (err: unknown): err is Error =>
  err instanceof InvalidCursorError || (err instanceof Error && err.name === 'BadCursorError');

/** A whole number parameter within bounds, its default when absent; a message when it is bad. */
function wholeParam(raw: string | undefined, name: string, min: number, max: number, dflt: number): number | string {
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max)
    return `${name}: must be a whole number from ${min} to ${max}`;
  return n;
}

export function pageRoutes(reader: RunReader, options: PageOptions = {}): Hono {
  const apiBase = options.apiBase ?? '/api/v1';
  const session = options.session ?? null;
  const nav: Nav = { session: session !== null };
  /** A rendered page with its status, its navigation told what the server hosts. */
  const page = (c: Context, element: Child, status: ContentfulStatusCode = 200): Response =>
    htmlPage(c, <NavContext.Provider value={nav}>{element}</NavContext.Provider>, status);
  const bad = (c: Context, detail: string): Response =>
    page(c, <ProblemPage title="Bad request" detail={detail} />, 400);
  const app = new Hono();
  registerStatic(app);
  if (session !== null) app.route('/', sessionPageRoutes(session, { apiBase }));

  app.get('/', (c) => {
    const values: Record<string, string> = {};
    for (const k of [...FILTER_FIELDS, 'cursor']) {
      const v = c.req.query(k);
      if (v !== undefined && v.trim() !== '') values[k] = v.trim();
    }
    const parsed = runQuerySchema.safeParse(values);
    if (!parsed.success) {
      return bad(c, parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; '));
    }
    const query: RunQuery = { limit: 50, ...parsed.data };
    try {
      return page(c, <RunsPage page={reader.listRuns(query)} values={values} query={query} />);
    } catch (err) {
      if (isBadCursor(err)) return bad(c, err.message);
      throw err;
    }
  });

  app.get('/runs/:id', (c) => {
    const id = c.req.param('id');
    const run = reader.getRun(id);
    if (run === null && waitsForWorker(options.runState, id))
      return page(
        c,
        <ProblemPage
          title="Run queued"
          detail={`Run ${id} is waiting for a worker and has not started: nothing of it is stored yet. Reload this page once it has started (its progress: ${apiBase}/runs/${id}/progress).`}
        />,
        202,
      );
    if (run === null)
      return page(c, <ProblemPage title="No such run" detail={`No stored run has the id ${id}.`} />, 404);
    const maxPoints = wholeParam(
      c.req.query('maxPoints'),
      'maxPoints',
      2,
      MAX_SERIES_POINTS,
      options.maxPoints ?? DEFAULT_CHART_POINTS,
    );
    if (typeof maxPoints === 'string') return bad(c, maxPoints);
    const fromSeq = wholeParam(c.req.query('fromSeq'), 'fromSeq', 1, Number.MAX_SAFE_INTEGER, 1);
    if (typeof fromSeq === 'string') return bad(c, fromSeq);
    const kindsText = (c.req.query('kinds') ?? '').trim();
    const kinds = kindsText === '' ? [] : kindsText.split(',').map((k) => k.trim());
    const badKind = kinds.find((k) => !/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(k));
    if (badKind !== undefined) return bad(c, `kinds: "${badKind}" is not an event kind (e.g. FillReport)`);
    // A misspelt kind is named with the kind it most likely meant, not shown as an empty log.
    const unknown = kinds.map(unknownEventKind).find((why) => why !== null);
    if (unknown !== undefined) return bad(c, `kinds: ${unknown}`);
    const stored = reader.events(id, {
      fromSeq,
      limit: EVENTS_PER_PAGE,
      ...(kinds.length > 0 ? { kinds } : {}),
    }) ?? { items: [], nextCursor: null };
    // Read by a person: the instrument's decimals and ISO times (the API keeps the stored units).
    // Filtered by kind, the orders an event is about may not be among those shown: learnt first.
    const learnTo = kinds.length > 0 ? (stored.items.at(-1)?.seq ?? fromSeq) + 1 : fromSeq;
    const readable = readableRun(reader, id, learnTo);
    const events = {
      ...stored,
      items: stored.items.map((e) => ({ ...e, payload: readable.payload(e.kind, e.payload) })),
    };
    const seriesUrl = `${apiBase}/runs/${encodeURIComponent(id)}/series?maxPoints=${maxPoints}`;
    return page(
      c,
      <RunPage
        run={run}
        events={events}
        fromSeq={fromSeq}
        kinds={kinds.join(',')}
        seriesUrl={seriesUrl}
        maxPoints={maxPoints}
      />,
    );
  });

  app.get('/sweeps', (c) => {
    const values: Record<string, string> = {};
    for (const k of ['cursor', 'limit']) {
      const v = c.req.query(k);
      if (v !== undefined && v.trim() !== '') values[k] = v.trim();
    }
    const limit = wholeParam(values['limit'], 'limit', 1, MAX_SWEEP_PAGE, SWEEPS_PER_PAGE);
    if (typeof limit === 'string') return bad(c, limit);
    try {
      return page(c, <SweepsPage page={reader.listSweeps({ cursor: values['cursor'], limit })} values={values} />);
    } catch (err) {
      if (isBadCursor(err)) return bad(c, `cursor: ${err.message}`);
      throw err;
    }
  });

  app.get('/sweeps/:id', (c) => {
    const id = c.req.param('id');
    const sweep = reader.getSweep(id);
    if (sweep === null)
      return page(c, <ProblemPage title="No such sweep" detail={`No stored sweep has the id ${id}.`} />, 404);
    const values: Record<string, string> = {};
    for (const k of ['parent', 'sort', 'cursor']) {
      const v = c.req.query(k);
      if (v !== undefined && v.trim() !== '') values[k] = v.trim();
    }
    const sort = values['sort'];
    if (sort !== undefined && sort !== 'seed' && sort !== 'shortfall' && sort !== 'fillRatio')
      return bad(c, 'sort: must be seed, shortfall or fillRatio');
    try {
      const histogram = reader.sweepHistogram(id, { bins: 20, parent: values['parent'] });
      const paths = reader.sweepPaths(id, { cursor: values['cursor'], limit: PATHS_PER_PAGE, sort }) ?? {
        items: [],
        nextCursor: null,
      };
      return page(c, <SweepPage sweep={sweep} histogram={histogram} paths={paths} values={values} apiBase={apiBase} />);
    } catch (err) {
      if (isBadCursor(err)) return bad(c, err.message);
      if (err instanceof UnknownParentError) return bad(c, `parent: ${err.message}`);
      throw err;
    }
  });

  app.get('/compare', (c) => {
    const ids = [
      ...new Set(
        c.req
          .queries('runs')
          ?.flatMap((v) => v.split(','))
          .map((v) => v.trim())
          .filter((v) => v !== ''),
      ),
    ];
    if (ids.length > MAX_COMPARED) return bad(c, `runs: at most ${MAX_COMPARED} runs can be compared`);
    const bogus = ids.find((v) => !idParam.safeParse(v).success);
    if (bogus !== undefined) return bad(c, `runs: "${bogus}" is not a run id`);
    const comparison = ids.length >= 2 ? reader.compare(ids) : null;
    // A run id no run has is a 404, as on the API and the run page; the runs that are stored are
    // still shown beside the form, to correct the ids.
    const status = comparison !== null && comparison.unknown.length > 0 ? 404 : 200;
    return page(c, <ComparePage ids={ids} comparison={comparison} />, status);
  });

  return app;
}
