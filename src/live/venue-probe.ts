// Whether a URL answers as a venue's REST API, asked without keys: a run pointed at the other
// venue's API (an Alpaca scenario at a Binance gateway, or the reverse) fails its first account
// read with an answer that says nothing of the mix-up ("order not found", "keys refused"). The
// venue entries' answersAt probes tell which API the URL answers as, so the message can say so.

/** A keyless GET's answer: its HTTP status and its body as JSON (undefined when not JSON), or
 *  null when nothing answered over HTTP within `timeoutMs` (unreachable, refused, not a URL). */
export async function probeGet(
  url: string,
  path: string,
  timeoutMs = 3_000,
): Promise<{ readonly status: number; readonly body: unknown } | null> {
  let res: Response;
  try {
    res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
  } catch {
    return null;
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  return { status: res.status, body };
}

/** A JSON object's field, or undefined when `body` is not an object. */
export function bodyField(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)[name]
    : undefined;
}
