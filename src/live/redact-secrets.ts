// Secrets kept out of what an adapter reports: a venue or a transport message can echo what it
// was sent (a key in a header, a signature in a query string), and every report's text goes to
// the log, the store and the pages.

/** Secrets shorter than this are not masked: a one-letter key given to a local gateway would
 *  otherwise mask that letter in every line, and text that short protects nothing. */
export const MIN_SECRET_LENGTH = 4;

/**
 * Removes secrets from text bound for a report: every occurrence of the key id and the secret,
 * and every match of `patterns` (global regular expressions for what differs per request, such
 * as a request's signature).
 */
export function redactor(secrets: readonly string[], patterns: readonly RegExp[] = []): (text: string) => string {
  const present = secrets.filter((s) => s.length >= MIN_SECRET_LENGTH);
  for (const p of patterns) if (!p.global) throw new Error(`redactor: pattern ${p.source} must be global`);
  return (text) => {
    let out = text;
    for (const s of present) out = out.split(s).join('[redacted]');
    for (const p of patterns) out = out.replace(p, '[redacted]');
    return out;
  };
}
