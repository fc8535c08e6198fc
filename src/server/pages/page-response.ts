// A rendered page as a response: the document type, the status, and the headers every page
// carries (a Content-Security-Policy that allows only the pages' own static scripts, so text from
// a run or a session can never run as script; no content-type sniffing). Shared by the run pages
// and the session page.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/** A whole page (`element` rendered with hono/jsx) with its status. */
export function htmlPage(c: Context, element: unknown, status: ContentfulStatusCode = 200): Response {
  c.header('content-security-policy', CSP);
  c.header('x-content-type-options', 'nosniff');
  return c.html(`<!DOCTYPE html>${String(element)}`, status);
}

/** A fragment of a page (what a page's script puts in place of a part of it), with the same headers. */
export function htmlFragment(c: Context, element: unknown): Response {
  c.header('content-security-policy', CSP);
  c.header('x-content-type-options', 'nosniff');
  c.header('cache-control', 'no-store');
  return c.html(String(element), 200);
}
