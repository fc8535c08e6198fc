// GET /session/stream: the running service session's committed log as Server-Sent Events (orders,
// fills, slices, safety, reconciliation: every entry), resumable after Last-Event-ID, for the
// session page and any client that follows the session. session-stream.ts streams it. Declared on
// every server, like the other session routes, so the API document is one; a server that hosts no
// session answers 404.
import { z } from 'zod';
import { defineRoute, type AnyRoute } from '../route-spec.ts';
import type { SessionPort } from '../session-port.ts';
import { streamSessionEntries, type SessionStreamOptions } from '../session-stream.ts';
import { resumeAfter, LAST_EVENT_ID } from '../sse.ts';
import { progressQuery } from './run-job-routes.ts';
import { hostedSession, withNotFound } from '../session-commands.ts';

const sseSchema = z
  .string()
  .describe(
    'text/event-stream: one event per committed log entry; id: the entry seq, event: its kind, ' +
      'data: {"seq", "time" (epoch ms), "kind", "event" (the entry as logged)}',
  );

export function sessionStreamRoutes(hosted: SessionPort | null, options: SessionStreamOptions = {}): AnyRoute[] {
  const port = hostedSession(hosted);
  return withNotFound([
    defineRoute({
      method: 'GET',
      path: '/session/stream',
      operationId: 'followSession',
      headers: [LAST_EVENT_ID],
      tag: 'session controls',
      summary: "The session's committed log entries as Server-Sent Events, resuming after Last-Event-ID",
      description:
        'Replays the entries after Last-Event-ID (header, or the lastEventId query parameter; the header wins), ' +
        'then follows each entry as the session commits it, with a keep-alive comment every 15 s while it is ' +
        'quiet. An id past the last entry waits for the next entry past it. A client that falls far behind ' +
        'the live entries is dropped; its reconnect with Last-Event-ID resumes where it was. Market samples ' +
        'are not log entries and are not sent.',
      query: progressQuery,
      responses: {
        200: { description: 'the event stream', content: { 'text/event-stream': sseSchema } },
        204: {
          description: 'the client left, or the server stopped, before an entry past Last-Event-ID was committed',
          content: {},
        },
      },
      handle: (_input, c) => {
        const afterSeq = resumeAfter(c);
        return streamSessionEntries(c, port, afterSeq, options);
      },
    }),
  ]);
}
