// A stored run's event log. As JSON, one page of at most `limit` events; with
// `Accept: application/x-ndjson`, every event of the range (fromSeq..toSeq, kinds) as one stream,
// one JSON event per line, read from the store a page at a time (continuing after the last seq
// read), so a long log streams in bounded memory, as `execsim events --json` prints it. A run
// deleted while its stream is read ends the response abruptly, never as a complete log.
import type { Context } from 'hono';
import { z } from 'zod';
import { unknownEventKind } from '../../core/model/event-kinds.ts';
import type { EventQuery, EventRow, Page, RunReader } from '../../store/read-model-port.ts';
import { csvList, idParams, limitParam, wholeNumber } from '../query-params.ts';
import { ProblemError } from '../problem.ts';
import { defineRoute, type AnyRoute } from '../route-spec.ts';
import { requireReader, storedRun, type RunJobState } from './reader-access.ts';
import { eventRowSchema, pageSchema } from './store-schemas.ts';

export const MAX_EVENT_PAGE = 500;
export const NDJSON = 'application/x-ndjson';

/** An event kind: a name of one (a misspelt one is refused with the kind it most likely meant,
 *  not answered with an empty log). */
const eventKind = z.string().superRefine((kind, ctx) => {
  const why = /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(kind)
    ? unknownEventKind(kind)
    : 'must be an event kind such as FillReport (a letter, then letters, digits or _)';
  if (why !== null) ctx.addIssue({ code: 'custom', message: why });
});

const eventQuery = z.object({
  fromSeq: wholeNumber(0, Number.MAX_SAFE_INTEGER).optional().describe('first seq (inclusive)'),
  cursor: wholeNumber(0, Number.MAX_SAFE_INTEGER)
    .optional()
    .describe("a page's nextCursor: the next page (the seq it starts at, as fromSeq), as the other lists page"),
  toSeq: wholeNumber(0, Number.MAX_SAFE_INTEGER).optional().describe('last seq (inclusive)'),
  kinds: csvList(eventKind, 1, 50, 'kinds')
    .optional()
    .describe(
      'only these event kinds, comma-separated (FillReport, SliceSkipped, ...): one that names no kind is a 400',
    ),
  limit: limitParam(MAX_EVENT_PAGE)
    .optional()
    .describe(`events per page, 1 to ${MAX_EVENT_PAGE} (NDJSON: per read; the stream has them all)`),
});

/** Whether the client asked for NDJSON (Accept lists it, with a non-zero q). */
function wantsNdjson(c: Context): boolean {
  const accept = c.req.header('accept') ?? '';
  return accept.split(',').some((part) => {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return type === NDJSON && (q === undefined || Number(q.slice(2)) > 0);
  });
}

/** The events of `first` and of every page after it, one JSON line each. */
function ndjsonStream(reader: RunReader, id: string, query: EventQuery, first: Page<EventRow>): ReadableStream {
  const encoder = new TextEncoder();
  let page: Page<EventRow> | null = first;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (page === null) {
        controller.close();
        return;
      }
      const { items, nextCursor } = page;
      if (items.length > 0) controller.enqueue(encoder.encode(items.map((e) => JSON.stringify(e)).join('\n') + '\n'));
      const last = items.at(-1)?.seq;
      // Continue after the last seq read, while the reader says there is more and we move on.
      const more =
        nextCursor !== null && typeof last === 'number' && (query.fromSeq === undefined || last >= query.fromSeq);
      if (!more) {
        page = null;
        return;
      }
      query = { ...query, fromSeq: last + 1 };
      page = reader.events(id, query);
      // The page before said more events follow, and the log only grows: none now means the run
      // was deleted while it was read. The stream fails, so that the response ends without its
      // last chunk and the client sees the log cut short rather than a complete one.
      if (page === null || page.items.length === 0) {
        page = null;
        controller.error(new Error(`run ${id} was deleted while its events were read`));
      }
    },
  });
}

/** `jobState`: where the run pool has a run: one still queued is a 409, not a 404. */
export function runEventRoutes(reader: RunReader | null, jobState?: RunJobState): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/runs/:id/events',
      operationId: 'listRunEvents',
      tag: 'runs',
      summary: "A stored run's event log: a JSON page, or with Accept: application/x-ndjson the whole range",
      description:
        'JSON: one page; while nextCursor is not null, ask again with cursor = nextCursor (or fromSeq = the ' +
        'last seq + 1: the same). ' +
        'NDJSON: every event from fromSeq to toSeq, one JSON object per line.',
      params: idParams,
      query: eventQuery,
      problems: ['not-found', 'conflict', 'store-unavailable', 'stored-data-unreadable'],
      responses: {
        200: {
          description: 'the events',
          content: {
            'application/json': pageSchema(eventRowSchema),
            [NDJSON]: eventRowSchema.describe('each line is one event (a JSON object)'),
          },
        },
      },
      handle: ({ params, query: asked }, c) => {
        const r = requireReader(reader);
        if (asked.cursor !== undefined && asked.fromSeq !== undefined)
          throw new ProblemError('bad-request', 'invalid query', [
            { path: 'query.cursor', message: 'give fromSeq or cursor (the seq a page starts at), not both' },
          ]);
        const { cursor, ...rest } = asked;
        const query: EventQuery = cursor === undefined ? rest : { ...rest, fromSeq: cursor };
        const first = storedRun(r.events(params.id, query), params.id, jobState);
        if (!wantsNdjson(c)) return c.json(first, 200, { vary: 'accept' });
        return new Response(ndjsonStream(r, params.id, query, first), {
          status: 200,
          headers: { 'content-type': NDJSON, vary: 'accept', 'cache-control': 'no-store' },
        });
      },
    }),
  ];
}
