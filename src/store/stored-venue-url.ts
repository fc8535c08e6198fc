// A paper run's venue URL as the store keeps it: without the user:password@ part a URL may carry,
// so no credential reaches the database (the keys never do: they come from the environment and go
// to the adapter only). Otherwise the text is kept as given, not normalized, so that the resume
// command the run list prints names the URL the run traded on.

/** `url` without its user:password@ part; null when it is not an absolute URL, or when what is
 *  left would still carry a user or password (nothing is stored then, rather than a secret). */
export function storedVenueUrl(url: string): string | null {
  // The authority ends at the first /, ?, # or \ (a separator in http(s) URLs); its user
  // information is everything up to the last @ in it.
  const stripped = url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#\\]*@/, '$1');
  let parsed: URL;
  try {
    parsed = new URL(stripped);
  } catch {
    return null;
  }
  return parsed.username === '' && parsed.password === '' ? stripped : null;
}
