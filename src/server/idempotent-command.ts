// How a mutating session route runs its command so that a request can be sent again safely: a
// keyed request is tagged with its route and a hash of its content, and the node's request journal
// decides it once; the same request again gets the first decision back, another under the same key
// is a 409. What counts as a key, and why a request refused before the node is decided afresh:
// docs/0070-store-service-and-cli-notes.md#srcserveridempotent-commandts.
import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { canonicalJson } from '../core/log/canonical-json.ts';
import type { CommandResult, NodeCommand } from '../node/node-commands.ts';
import type { RequestTag } from '../node/request-journal.ts';
import { ProblemError } from './problem.ts';
import type { HeaderParam } from './route-spec.ts';
import type { SessionPort } from './session-port.ts';

/** The header a replayed answer carries. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';

const KEY = /^[A-Za-z0-9_-]{1,64}$/;

/** The Idempotency-Key header as the routes that take it declare it. */
export const IDEMPOTENCY_KEY: HeaderParam = {
  name: 'Idempotency-Key',
  description:
    'the request’s key: the session decides a keyed request once, for its life (restarts included); the same ' +
    'request again is answered as the first was (header Idempotent-Replayed: true), another under the key is a 409',
  pattern: KEY.source,
  answeredWith: { name: REPLAYED_HEADER, description: 'true: the answer to the same request sent before, replayed' },
};

/** The Idempotency-Key header, checked (1 to 64 letters, digits, _ or -), or undefined. */
export function keyHeader(c: Context): string | undefined {
  const key = c.req.header('idempotency-key');
  if (key !== undefined && !KEY.test(key))
    throw new ProblemError('bad-request', 'invalid header', [
      { path: 'header.Idempotency-Key', message: 'must be 1 to 64 letters, digits, _ or -' },
    ]);
  return key;
}

/**
 * The key of a request whose body may name its own id (`field`: parentId, signalId): the header
 * and the body must agree when both are given.
 */
export function keyOf(c: Context, field: string, given: string | undefined): string | undefined {
  const header = keyHeader(c);
  if (given !== undefined && header !== undefined && given !== header)
    throw new ProblemError('bad-request', 'invalid body', [
      {
        path: `body.${field}`,
        message: `differs from the Idempotency-Key header (${header}); give one or make them equal`,
      },
    ]);
  return given ?? header;
}

/** The tag of a request under `key`: its route (method and path template) and a hash of what it
 *  says (path parameters and body, as parsed). */
export function requestTag(route: string, key: string, says: unknown): RequestTag {
  const hash = createHash('sha256')
    .update(canonicalJson(says ?? null))
    .digest('hex')
    .slice(0, 32);
  return { route, key, hash };
}

/** A command's decision, and whether it was answered from the journal without reaching the node. */
export interface Decision {
  readonly result: Exclude<CommandResult, { outcome: 'pending' }>;
  readonly replayed: boolean;
}

/**
 * What the journal decided before for `tag`, without running anything: null for a new request
 * (the route then checks and runs it: `decide`), a 409 for another request under its key, else
 * the decision (a pending one waited for).
 */
export async function priorDecision(port: SessionPort, tag: RequestTag | null): Promise<Decision | null> {
  if (tag === null) return null;
  const known = port.requestDecision(tag);
  if (known.kind === 'new') return null;
  if (known.kind === 'conflict') throw new ProblemError('conflict', known.reason);
  const result = known.result.outcome === 'pending' ? await port.decisionOf(tag) : known.result;
  return { result: settled(result), replayed: true };
}

/**
 * Runs `command` under `tag` (none: no key, nothing remembered) as one unit of work, and waits
 * for the decision of a reduce-only order or signal that waits for the venue's position. The
 * node answers a request it decided meanwhile (a race) from its journal.
 */
export async function decide(port: SessionPort, command: NodeCommand, tag: RequestTag | null): Promise<Decision> {
  const first = await port.submit(command, tag ?? undefined);
  if (first.outcome === 'refused' && first.code === 'key-reused') throw new ProblemError('conflict', first.reason);
  if (first.outcome !== 'pending') return { result: first, replayed: false };
  const result =
    tag === null
      ? ({ outcome: 'refused', check: 'request', code: 'untracked', reason: first.reason } as const)
      : await port.decisionOf(tag);
  return { result: settled(result), replayed: false };
}

const settled = (r: CommandResult): Decision['result'] =>
  r.outcome === 'pending' ? { outcome: 'refused', check: 'node', code: 'stopped', reason: r.reason } : r;

type Refused = Extract<CommandResult, { outcome: 'refused' }>;
type Accepted = Extract<CommandResult, { outcome: 'accepted' }>;

/**
 * A decision's answer: a refusal thrown as the problem `refusal` makes of it, an acceptance as
 * `ok` answers it; either carries `Idempotent-Replayed: true` when it came from the journal.
 */
export function answered(
  c: Context,
  d: Decision,
  refusal: (r: Refused) => ProblemError,
  ok: (r: Accepted) => Response,
): Response {
  if (d.result.outcome === 'refused') {
    const p = refusal(d.result);
    if (!d.replayed) throw p;
    throw new ProblemError(p.type, p.detail, p.errors, { ...p.headers, [REPLAYED_HEADER]: 'true' });
  }
  if (d.replayed) c.header(REPLAYED_HEADER, 'true');
  return ok(d.result);
}
