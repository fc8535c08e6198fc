// Turns a request into a route's validated inputs, or a ProblemError naming what is wrong:
// path parameters and query strings against the route's zod schemas (an unknown or repeated query
// parameter is a 400 naming it), and the body: bounded in size (413, checked on Content-Length and
// while reading), of a declared media type (415) and not compressed (415: Content-Encoding), whole
// (400 when the connection closes in the middle of it), UTF-8, JSON where the media type says so
// (400) naming each key of an object once (400: JSON.parse would keep the last silently,
// json-duplicate-keys.ts), without a `__proto__` key anywhere (400: JSON.parse keeps it as a key,
// but a record schema drops it silently, so `{"grid": {"__proto__": [1]}}` would otherwise pass as
// an empty grid), then its schema (400).
import type { Context } from 'hono';
import type { z } from 'zod';
import { duplicateKeyPath } from './json-duplicate-keys.ts';
import { ProblemError, type FieldError } from './problem.ts';
import { isJsonMediaType, type AnyRoute, type BodyContent, type RouteParamsSchema } from './route-spec.ts';

/** A zod error's issues as field errors, each path under `prefix` (`query`, `params`, `body`), a
 *  field left out said to be required.
 *  One field's checks may fail together (1e300 is neither whole, nor a safe integer, nor below the
 *  maximum): the field gets one error, the first check's, in the order the schema states them. */
export function fieldErrors(prefix: string, error: z.ZodError): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const e = { path: fieldPath(prefix, issue.path), message: plainMessage(issue.message) };
    if (seen.has(e.path)) continue;
    seen.add(e.path);
    out.push(e);
  }
  return out;
}

/** zod's words for a field left out ("Invalid input: expected string, received undefined") as
 *  what they mean to a client; every other message as it is. */
function plainMessage(message: string): string {
  const missing = /^Invalid input: expected (\w+), received undefined$/.exec(message);
  if (missing === null) return message;
  const type = missing[1] as string;
  return `is required (${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type})`;
}

/** `prefix` and a zod-style path as a field path: `body.orders[0].qty`. */
export function fieldPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  return out;
}

export function parseParams(schema: RouteParamsSchema | undefined, raw: Record<string, string>): unknown {
  if (schema === undefined) return {};
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new ProblemError('bad-request', 'invalid path parameter', fieldErrors('params', parsed.error));
  return parsed.data;
}

/** The query string against the route's schema: every parameter known, each given once. */
export function parseQuery(schema: RouteParamsSchema | undefined, url: string): unknown {
  const search = new URL(url).searchParams;
  const known = schema === undefined ? [] : Object.keys(schema.shape);
  const values: Record<string, string> = {};
  const unknown = new Set<string>();
  const repeated = new Set<string>();
  for (const [name, value] of search) {
    if (!known.includes(name)) unknown.add(name);
    else if (name in values) repeated.add(name);
    else values[name] = value;
  }
  if (unknown.size > 0) {
    const names = [...unknown];
    const takes = known.length === 0 ? 'this operation takes no query parameters' : `it takes ${known.join(', ')}`;
    throw new ProblemError(
      'bad-request',
      `unknown query parameter${names.length > 1 ? 's' : ''} ${names.map((n) => JSON.stringify(n)).join(', ')}: ${takes}`,
      names.map((n) => ({ path: `query.${n}`, message: 'unknown parameter' })),
    );
  }
  if (repeated.size > 0) {
    const names = [...repeated];
    throw new ProblemError(
      'bad-request',
      `query parameter${names.length > 1 ? 's' : ''} ${names.join(', ')} given more than once`,
      names.map((n) => ({ path: `query.${n}`, message: 'given more than once; give it once' })),
    );
  }
  if (schema === undefined) return {};
  const parsed = schema.safeParse(values);
  if (!parsed.success)
    throw new ProblemError('bad-request', 'invalid query parameter', fieldErrors('query', parsed.error));
  return parsed.data;
}

/** The request's media type (lower case, no parameters), or null without a Content-Type. */
function mediaTypeOf(header: string | undefined): { type: string; charset: string | null } | null {
  if (header === undefined || header.trim() === '') return null;
  const [type = '', ...params] = header.split(';');
  let charset: string | null = null;
  for (const p of params) {
    const m = /^\s*charset\s*=\s*"?([^";\s]*)"?\s*$/i.exec(p);
    if (m) charset = (m[1] ?? '').toLowerCase();
  }
  return { type: type.trim().toLowerCase(), charset };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body's bytes, at most `maxBytes` (else a 413, without reading the rest). */
async function readBounded(c: Context, maxBytes: number): Promise<Uint8Array> {
  const tooLarge = () =>
    new ProblemError('payload-too-large', `the request body is larger than ${maxBytes} bytes (the limit)`);
  const declared = c.req.header('content-length');
  if (declared !== undefined && /^\d+$/.test(declared.trim()) && Number(declared) > maxBytes) throw tooLarge();
  const stream = c.req.raw.body;
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let chunk: Awaited<ReturnType<typeof reader.read>>;
    try {
      chunk = await reader.read();
    } catch {
      // The stream errors when the client closes the connection before the body it announced has
      // arrived: bad input, not a fault of the server (no one may be left to read the answer).
      throw new ProblemError('bad-request', 'the request body ended before all of it arrived', [
        { path: 'body', message: 'incomplete: the connection closed in the middle of the body' },
      ]);
    }
    const { done, value } = chunk;
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/** Whether the request carries no body: no length or a length of 0, and no chunked body. */
function bodyless(c: Context): boolean {
  const length = c.req.header('content-length');
  return (length === undefined || length.trim() === '0') && c.req.header('transfer-encoding') === undefined;
}

/** The body as the route declares it: `{ mediaType, value }`. */
export async function parseBody(route: AnyRoute, c: Context, maxBytes: number): Promise<unknown> {
  const content: BodyContent | undefined = route.body;
  if (content === undefined) return undefined;
  const accepted = Object.keys(content);
  const media = mediaTypeOf(c.req.header('content-type'));
  // No body at all, where the route's body has a default (a cancel's optional reason): the default.
  if (media === null && bodyless(c)) {
    const [mediaType, first] = Object.entries(content)[0] ?? [];
    const parsed = first?.safeParse(undefined);
    if (mediaType !== undefined && parsed?.success) return { mediaType, value: parsed.data };
  }
  const schema = media === null ? undefined : content[media.type];
  if (media === null || schema === undefined) {
    throw new ProblemError(
      'unsupported-media-type',
      `${media === null ? 'no Content-Type' : `Content-Type ${media.type}`}: this operation takes ${accepted.join(', ')}`,
      undefined,
      { 'accept-post': accepted.join(', ') },
    );
  }
  if (media.charset !== null && media.charset !== 'utf-8' && media.charset !== 'utf8') {
    throw new ProblemError('unsupported-media-type', `charset ${media.charset}: bodies must be UTF-8`);
  }
  // A compressed body read as it came would be refused as "not valid UTF-8", which tells the
  // client nothing about what to change.
  const coding = c.req.header('content-encoding')?.trim().toLowerCase();
  if (coding !== undefined && coding !== '' && coding !== 'identity') {
    throw new ProblemError(
      'unsupported-media-type',
      `Content-Encoding ${coding}: this server takes request bodies as they are; send it without a Content-Encoding`,
      undefined,
      { 'accept-encoding': 'identity' },
    );
  }
  const bytes = await readBounded(c, maxBytes);
  // An empty body is none, whatever Content-Type came with it (client libraries that always send
  // one): the default where the body is optional.
  const none = bytes.byteLength === 0 ? schema.safeParse(undefined) : null;
  if (none?.success) return { mediaType: media.type, value: none.data };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new ProblemError('bad-request', 'the request body is not valid UTF-8', [
      { path: 'body', message: 'not valid UTF-8' },
    ]);
  }
  let raw: unknown = text;
  if (isJsonMediaType(media.type)) {
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new ProblemError('bad-request', `the request body is not valid JSON: ${(err as Error).message}`, [
        { path: 'body', message: 'not valid JSON' },
      ]);
    }
    const repeated = duplicateKeyPath(text);
    if (repeated !== null)
      throw new ProblemError('bad-request', 'the request body gives a field more than once', [
        { path: fieldPath('body', repeated), message: 'given more than once; give it once' },
      ]);
  }
  const proto = protoKeyPath(raw);
  if (proto !== null)
    throw new ProblemError('bad-request', 'invalid request body', [
      { path: fieldPath('body', proto), message: 'the key "__proto__" is not a field of any request; leave it out' },
    ]);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ProblemError('bad-request', 'invalid request body', fieldErrors('body', parsed.error));
  return { mediaType: media.type, value: parsed.data };
}

/** The path of the first `__proto__` key in a parsed JSON value (its own key, as JSON.parse makes
 *  it), or null. Walked with a stack of its own and each item linked to its parent (the path is
 *  built only when found): a body nested deeper than the call stack is still answered, in time
 *  linear in its size. */
export function protoKeyPath(value: unknown): PropertyKey[] | null {
  interface Item {
    readonly value: unknown;
    readonly key: PropertyKey;
    readonly parent: Item | null;
  }
  const pathOf = (item: Item | null, last: PropertyKey): PropertyKey[] => {
    const path = [last];
    for (let at = item; at !== null && at.parent !== null; at = at.parent) path.push(at.key);
    return path.reverse();
  };
  const stack: Item[] = [{ value, key: '', parent: null }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const v = item.value;
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], key: i, parent: item });
      continue;
    }
    if (Object.hasOwn(v, '__proto__')) return pathOf(item, '__proto__');
    const entries = Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i] as [string, unknown];
      stack.push({ value: child, key, parent: item });
    }
  }
  return null;
}
