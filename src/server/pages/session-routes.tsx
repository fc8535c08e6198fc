/** @jsxImportSource hono/jsx */
// The session page's routes: GET /session (the page) and GET /session/state (its state part
// alone, which the page's script re-reads), over the running session's port. Mounted by
// pageRoutes when the server hosts a session; the page follows the API's session stream
// (GET {apiBase}/session/stream) for its events.
import { Hono } from 'hono';
import type { SessionPort } from '../session-port.ts';
import { NavContext } from './layout.tsx';
import { htmlFragment, htmlPage } from './page-response.ts';
import { SessionPage, SessionState } from './session-page.tsx';
import { latestAccountOf } from './session-account.ts';
import { lastEntries, sessionView, workingSymbols } from './session-page-view.ts';

export interface SessionPageOptions {
  /** Where the JSON API is mounted (the page's script follows its session stream). */
  readonly apiBase?: string;
  /** Entries the events list shows; default 50. */
  readonly maxEvents?: number;
}

export const SESSION_PAGE_EVENTS = 50;

export function sessionPageRoutes(port: SessionPort, options: SessionPageOptions = {}): Hono {
  const apiBase = options.apiBase ?? '/api/v1';
  const maxEvents = options.maxEvents ?? SESSION_PAGE_EVENTS;
  const app = new Hono();
  // The venue's balance as its latest account answer said, followed for the server's life.
  const latest = latestAccountOf(port);
  app.get('/session', (c) => {
    const view = sessionView(port, undefined, latest);
    // Read in the same turn as the view: the stream resumes after view.lastSeq, and these are
    // the entries up to it.
    const entries = lastEntries(port, maxEvents);
    return htmlPage(
      c,
      <NavContext.Provider value={{ session: true }}>
        <SessionPage
          view={view}
          entries={entries}
          instruments={port.instruments}
          known={workingSymbols(port, true)}
          working={workingSymbols(port)}
          maxEvents={maxEvents}
          streamUrl={`${apiBase}/session/stream`}
          stateUrl="/session/state"
        />
      </NavContext.Provider>,
    );
  });
  app.get('/session/state', (c) => htmlFragment(c, <SessionState view={sessionView(port, undefined, latest)} />));
  return app;
}
