/** @jsxImportSource hono/jsx */
// The frame of every page: title, the stylesheet, the navigation (runs, sweeps, compare, the
// session when the server hosts one, API). Pages are server-rendered (hono/jsx escapes every text
// and attribute value); charts load their data from the API.
import { createContext, useContext, type Child } from 'hono/jsx';
import { assetUrl } from './static-assets.ts';

/** What the navigation links besides the run pages: the session page, when the server hosts a
 *  session. Provided around a page as it is rendered (pageRoutes does), so no page passes it on. */
export interface Nav {
  readonly session: boolean;
}
export const NavContext = createContext<Nav>({ session: false });

export function Layout(props: {
  title: string;
  children?: Child;
  scripts?: readonly string[];
  /** Reload the page every this many seconds (a run still running: its table, events and
   *  chart follow it as it is stored), without script. */
  refreshSeconds?: number;
}) {
  const scripts = props.scripts ?? [];
  const nav = useContext(NavContext);
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {/* No icon: without this line browsers ask for /favicon.ico, a 404 in their console. */}
        <link rel="icon" href="data:," />
        {props.refreshSeconds ? <meta http-equiv="refresh" content={String(props.refreshSeconds)} /> : null}
        <title>{`${props.title} · execsim`}</title>
        <link rel="stylesheet" href={assetUrl('pages.css')} />
        {scripts.includes('uPlot.iife.min.js') ? <link rel="stylesheet" href={assetUrl('uPlot.min.css')} /> : null}
        {/* Without scripts, what a script would replace (a chart's "loading…") is not shown. */}
        {scripts.length > 0 ? (
          <noscript>
            <style>{'.needs-script { display: none; }'}</style>
          </noscript>
        ) : null}
      </head>
      <body>
        <nav>
          <a href="/">runs</a> <a href="/sweeps">sweeps</a> <a href="/compare">compare</a>{' '}
          {nav.session ? (
            <>
              <a href="/session">session</a>{' '}
            </>
          ) : null}
          <a href="/api/v1/docs">API</a>
        </nav>
        <main>
          <h1>{props.title}</h1>
          {props.children}
        </main>
        {scripts.map((s) => (
          <script src={assetUrl(s)} defer></script>
        ))}
      </body>
    </html>
  );
}

/** A page for a request that cannot be answered (bad filter, unknown run): status and message. */
export function ProblemPage(props: { title: string; detail: string }) {
  return (
    <Layout title={props.title}>
      <p class="problem">{props.detail}</p>
      <p>
        <a href="/">all runs</a>
      </p>
    </Layout>
  );
}
