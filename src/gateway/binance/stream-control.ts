// The market streams' control messages, answered as Binance answers them: SUBSCRIBE and
// UNSUBSCRIBE (a list of stream names: one that is not a stream refuses the whole request,
// "invalid stream"), LIST_SUBSCRIPTIONS, SET_PROPERTY and GET_PROPERTY (`combined`), and the
// errors {error: {code, msg}, id} for bad JSON, ids and methods.
import { validId } from './socket-life.ts';
import { parseStream, type StreamSpec } from './stream-names.ts';

/** A connection's subscriptions as the control messages change them. */
export interface Subscriptions {
  combined: boolean;
  readonly subs: Map<string, StreamSpec>;
  /** Forgets what an unsubscribed stream kept (pending diffs, what it last sent). */
  forget(name: string): void;
  /** Notes a stream subscribed now (a kline stream counts from its interval of now). */
  started(name: string, spec: StreamSpec): void;
}

/** Answers one control message of a connection through `reply`. */
export function answerControl(
  c: Subscriptions,
  data: Buffer | Buffer[] | ArrayBuffer,
  isBinary: boolean,
  reply: (body: unknown) => void,
): void {
  const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
  const error = (code: number, msg: string, id: unknown = null) => reply({ error: { code, msg }, id });
  let msg: unknown;
  try {
    if (isBinary) throw new Error('binary');
    msg = JSON.parse(bytes.toString('utf8'));
  } catch {
    error(3, 'Invalid JSON: expected value at line 1 column 1');
    return;
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
    error(2, 'Invalid request: expected an object');
    return;
  }
  const m = msg as Record<string, unknown>;
  const id = m['id'];
  if (!validId(id)) {
    error(2, 'Invalid request: request ID must be an unsigned integer');
    return;
  }
  const method = m['method'];
  if (method === undefined) {
    error(2, 'Invalid request: missing field `method`', id);
    return;
  }
  const params = m['params'];
  switch (method) {
    case 'SUBSCRIBE':
    case 'UNSUBSCRIBE': {
      if (!Array.isArray(params) || params.some((p) => typeof p !== 'string')) {
        error(2, 'Invalid request: invalid stream', id);
        return;
      }
      const specs = (params as string[]).map((name) => [name, parseStream(name)] as const);
      if (specs.some(([, s]) => s === null)) {
        error(2, 'Invalid request: invalid stream', id);
        return;
      }
      for (const [name, spec] of specs) {
        if (method === 'SUBSCRIBE') {
          c.subs.set(name, spec as StreamSpec);
          c.started(name, spec as StreamSpec);
        } else {
          c.subs.delete(name);
          c.forget(name);
        }
      }
      reply({ result: null, id });
      return;
    }
    case 'LIST_SUBSCRIPTIONS':
      reply({ result: [...c.subs.keys()], id });
      return;
    case 'SET_PROPERTY':
    case 'GET_PROPERTY': {
      const p = Array.isArray(params) ? (params as unknown[]) : [];
      if (typeof p[0] !== 'string') {
        error(2, 'Invalid request: property name must be a string', id);
        return;
      }
      if (p[0] !== 'combined') {
        error(0, 'Unknown property', id);
        return;
      }
      if (method === 'GET_PROPERTY') {
        reply({ result: c.combined, id });
        return;
      }
      if (typeof p[1] !== 'boolean') {
        error(1, 'Invalid value type: expected Boolean', id);
        return;
      }
      c.combined = p[1];
      reply({ result: null, id });
      return;
    }
    default:
      error(
        2,
        `Invalid request: unknown variant \`${String(method).slice(0, 40)}\`, expected one of \`SUBSCRIBE\`, \`UNSUBSCRIBE\`, \`LIST_SUBSCRIPTIONS\`, \`SET_PROPERTY\`, \`GET_PROPERTY\``,
        id,
      );
  }
}
