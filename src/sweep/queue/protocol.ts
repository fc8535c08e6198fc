// What a queued sweep puts on Redis: one chunk queue every worker listens on (a job: the sweep
// definition, the coordinator's code version and a list of unit indices, nothing else: a path's
// seed is a pure function of the sweep seed and its index), and one results queue per sweep that
// workers add each chunk's results to and only that sweep's coordinator reads. Also the --queue
// URL's validation and a Redis connection whose first connect is bounded in time.
import type * as IoRedis from 'ioredis';
import type { Redis } from 'ioredis';
import { createRequire } from 'node:module';
import type { ParentReport } from '../../core/report/run-report.ts';
import type { ExpectationOutcome, SweepPath } from '../sweep.ts';
import type { SweepDefinition } from '../sweep-units.ts';

/** The queue of chunks every `execsim worker` takes jobs from. */
export const CHUNK_QUEUE = 'execsim-sweep-chunks';

/** The queue one sweep's results come back on. */
export const resultsQueueName = (sweepId: string): string => `execsim-sweep-results-${sweepId}`;

/** One chunk of a sweep: what a worker needs to run its units, and nothing else. */
export interface ChunkJob {
  readonly sweepId: string;
  /** The coordinator's code version: a worker on other code refuses the chunk. */
  readonly codeVersion: string;
  readonly def: SweepDefinition;
  readonly units: readonly number[];
}

/** One unit's result as it travels back. */
export interface WireUnit {
  readonly unit: number;
  readonly point: number;
  readonly path: SweepPath;
  readonly parents: readonly ParentReport[];
  readonly expectations: readonly ExpectationOutcome[];
}

/** A chunk's results, added to the sweep's results queue by the worker that ran it. */
export interface ResultsJob {
  readonly sweepId: string;
  readonly chunkJobId: string;
  readonly worker: string;
  readonly results: readonly WireUnit[];
}

/** The chunk job's id: the sweep id first, so a coordinator can tell its own jobs' events. */
export const chunkJobId = (sweepId: string, session: string, index: number): string => `${sweepId}.${session}.${index}`;

/** A --queue value that is not a usable Redis URL, or a Redis that cannot be reached. */
export class QueueUrlError extends Error {}
export class QueueUnreachableError extends Error {}

/** Checks a --queue value: redis://[user:password@]host[:port][/db] or rediss://...; returns it.
 *  Each way it can be wrong has its own message naming the problem: not a URL at all, another
 *  scheme, no host, a port that is not a number from 1 to 65535 (named as written), a path that is
 *  not a database number, a query or fragment. The scheme, host and port are read off the text
 *  before the URL parser sees it: the parser throws on a bad port without saying which part was
 *  wrong, and takes port 0, which no server listens on. */
export function parseQueueUrl(text: string): string {
  // The value as written, but with a password as *** (messages must not print secrets).
  const shown = text.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#@:]*:)[^/?#]*@/, '$1***@');
  const bad = (problem: string): QueueUrlError => new QueueUrlError(`--queue: "${shown}" ${problem}`);
  // "localhost:6379" or "redis:host" would parse as URLs of scheme "localhost" or "redis" with
  // no host: without "://" the value is not the URL asked for.
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(text);
  if (!scheme) throw bad('is not a URL (expected redis://host:port)');
  const name = (scheme[1] as string).toLowerCase();
  if (name !== 'redis' && name !== 'rediss') throw bad(`has scheme ${name}, expected redis or rediss`);
  // The authority: up to the path, query or fragment, without user:password@.
  const authority = (/^[^/?#]*/.exec(text.slice(scheme[0].length)) as RegExpExecArray)[0];
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  // An IPv6 host is bracketed ([::1]:6379), and only a port may follow the bracket; any other
  // host has no colon.
  const split = hostPort.startsWith('[')
    ? /^(\[[^\]]*\])(?::(.*))?$/.exec(hostPort)
    : (/^([^:]*)(?::(.*))?$/.exec(hostPort) as RegExpExecArray);
  if (!split)
    throw bad(`has host:port "${hostPort}", which is not an IPv6 address in brackets followed by an optional :port`);
  const host = split[1] as string;
  const port = split[2];
  if (host === '') throw bad('names no host (expected redis://host:port)');
  // An empty port ("redis://host:") is the default port, as the URL parser takes it.
  if (port !== undefined && port !== '' && (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535))
    throw bad(`has port "${port}", which is not a number from 1 to 65535`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw bad('is not a valid URL (expected redis://host:port)');
  }
  if (!/^(\/\d{0,2})?$/.test(url.pathname) || (url.pathname.length > 1 && Number(url.pathname.slice(1)) > 15))
    throw bad('has a path that is not a database number 0..15');
  if (url.search !== '' || url.hash !== '') throw bad('has a query or fragment; none is expected');
  return text;
}

/** How long the first connection to Redis may take before the command gives up. */
export const CONNECT_TIMEOUT_MS = 5_000;
const DISCONNECT_TIMEOUT_MS = 200;

/** Connects to Redis within `timeoutMs` (else QueueUnreachableError, the client closed; also
 *  for a replica or a Sentinel, which answer but take no queue writes). Once
 *  connected, a dropped connection is retried with backoff (BullMQ needs maxRetriesPerRequest
 *  null: its commands wait for the connection to come back); `onError` hears of the first error
 *  of each outage (not of every retry, one every 2 s for as long as it lasts), `onBack` of the
 *  connection's return. */
export async function connectRedis(
  url: string,
  onError: (err: Error) => void,
  timeoutMs = CONNECT_TIMEOUT_MS,
  onBack: () => void = () => {},
): Promise<Redis> {
  let connected = false;
  let lastError: Error | null = null;
  // ioredis is loaded here, not with this module: a command refused for its input never pays for it.
  const { Redis } = createRequire(import.meta.url)('ioredis') as typeof IoRedis;
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    // Closing ends the socket and waits for the server's side to close, up to this long, before
    // destroying it: a port that accepts but never answers never closes its side, and the
    // process waited 4 s after its message (two of ioredis' default 2 s waits). Redis itself
    // closes at once.
    disconnectTimeout: DISCONNECT_TIMEOUT_MS,
    retryStrategy: (times) => (connected ? Math.min(times * 200, 2_000) : null),
  });
  let refuse: (err: Error) => void = () => {};
  let down = false;
  redis.on('error', (err: Error) => {
    lastError = err;
    if (!connected) refuse(err);
    else if (!down) {
      down = true;
      onError(err);
    }
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    onBack();
  });
  let timer: NodeJS.Timeout | undefined;
  let role: unknown;
  try {
    await Promise.race([
      redis.connect(),
      new Promise<never>((_, reject) => {
        refuse = reject;
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]);
    await redis.ping();
    // A Redis that ACLs forbid ROLE on is taken as it is: only a role that says it is not the
    // primary is refused.
    role = await redis.call('ROLE').catch(() => null);
  } catch (err) {
    redis.disconnect();
    const why = (lastError ?? (err as Error)).message || String(err);
    throw new QueueUnreachableError(`--queue ${redact(url)}: cannot connect to Redis (${why})`);
  } finally {
    clearTimeout(timer);
  }
  // A replica answers but refuses every write the queue makes (a coordinator would fail after
  // storing its sweep, a worker would log the refusal in a loop): the queue needs the primary.
  if (Array.isArray(role) && role[0] !== 'master') {
    redis.disconnect();
    const what = role[0] === 'sentinel' ? 'a Sentinel, which holds no queues' : 'a read-only replica';
    throw new QueueUnreachableError(
      `--queue ${redact(url)}: this Redis is ${what}: name the primary, which sweeps and workers write to`,
    );
  }
  connected = true;
  return redis;
}

/** How long stopping waits for Redis to answer before it leaves the queue as it is. */
export const STOP_WAIT_MS = 5_000;

/** Whether `p` settles (either way) within `ms`. */
export async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p.then(
        () => true,
        () => true,
      ),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The URL without its password (messages must not print secrets). */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
