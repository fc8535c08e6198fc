import { describe, expect, it } from 'vitest';
import { answerControl, type Subscriptions } from './stream-control.ts';
import type { StreamSpec } from './stream-names.ts';

/** A connection's subscriptions that record what the control messages did to them. */
function connection(): Subscriptions & { readonly log: string[]; readonly replies: unknown[] } {
  const log: string[] = [];
  return {
    combined: false,
    subs: new Map<string, StreamSpec>(),
    forget: (name) => log.push(`forget ${name}`),
    started: (name, spec) => log.push(`started ${name} ${spec.kind}`),
    log,
    replies: [],
  };
}

const send = (c: ReturnType<typeof connection>, msg: unknown): void =>
  answerControl(c, Buffer.from(JSON.stringify(msg)), false, (body) => c.replies.push(body));

describe('control messages of the market streams', () => {
  it('start each stream a SUBSCRIBE names (a kline stream counts from then), and forget each one an UNSUBSCRIBE names', () => {
    const c = connection();
    send(c, { method: 'SUBSCRIBE', params: ['btcusdt@kline_1m', 'btcusdt@depth5'], id: 1 });
    send(c, { method: 'UNSUBSCRIBE', params: ['btcusdt@kline_1m'], id: 2 });
    expect(c.log).toEqual([
      'started btcusdt@kline_1m kline',
      'started btcusdt@depth5 partialDepth',
      'forget btcusdt@kline_1m',
    ]);
    expect([...c.subs.keys()]).toEqual(['btcusdt@depth5']);
    expect(c.replies).toEqual([
      { result: null, id: 1 },
      { result: null, id: 2 },
    ]);
  });

  it('start nothing when one stream of a SUBSCRIBE is not a stream: the whole request is refused', () => {
    const c = connection();
    send(c, { method: 'SUBSCRIBE', params: ['btcusdt@kline_1m', 'btcusdt@nothing'], id: 3 });
    expect(c.log).toEqual([]);
    expect(c.subs.size).toBe(0);
    expect(c.replies).toEqual([{ error: { code: 2, msg: 'Invalid request: invalid stream' }, id: 3 }]);
  });
});
