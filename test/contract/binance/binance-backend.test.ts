// The Binance contract backend itself: what it promises the suite beyond the cases. Its close
// leaves no socket, server or timer behind (the gateway's, ccxt's and the adapter's), and a
// fixture's fault windows are served shifted past the adapter's start, by the same amount.
import { createHook } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { order, submitted } from '../../support/broker-contract/contract-steps.ts';
import { binanceBackend, shiftedFault } from './binance-backend.ts';
import { BTCUSDT_BOOK } from './btcusdt-book.ts';

/** Sockets, servers, connects and timers created from now on and still alive (unref'd timers do
 *  not hold the process and are left out), by async_hooks. */
function tracked(): { alive: () => string[]; stop: () => void } {
  const types = new Set(['TCPWRAP', 'TCPSERVERWRAP', 'TCPCONNECTWRAP', 'Timeout']);
  const live = new Map<number, { type: string; resource: object }>();
  const hook = createHook({
    init: (id, type, _trigger, resource: object) => void (types.has(type) && live.set(id, { type, resource })),
    destroy: (id) => void live.delete(id),
  }).enable();
  return {
    alive: () =>
      [...live.values()]
        .filter(({ resource }) => (resource as { hasRef?: () => boolean }).hasRef?.() ?? true)
        .map(({ type }) => type),
    stop: () => void hook.disable(),
  };
}

describe('the Binance contract backend', () => {
  it('closes without leaving a socket, a server or a timer', async () => {
    const resources = tracked();
    try {
      const b = await binanceBackend(BTCUSDT_BOOK).create();
      const answer = await submitted(b, order(b, 'close-1', 'buy', 'limit', 1, { limitPrice: b.venue.prices.rest[0] }));
      expect(answer.kind).toBe('AckReport');
      await b.settle();
      expect(resources.alive()).toContain('TCPSERVERWRAP');
      await b.close();
      // Sockets end a few turns of the event loop after close() resolves: a bounded wait until
      // nothing is left, on several turns in a row (an adapter still reconnecting would hold a
      // timer or a connect on most of them).
      const deadline = Date.now() + 2_000;
      let quiet = 0;
      while (quiet < 20 && Date.now() < deadline) {
        await new Promise((r) => setImmediate(r));
        quiet = resources.alive().length === 0 ? quiet + 1 : 0;
      }
      expect(resources.alive()).toEqual([]);
    } finally {
      resources.stop();
    }
  });

  it("shifts a fault's window and keeps its other fields", () => {
    expect(
      JSON.parse(shiftedFault('{ kind: outage, from: PT2S, until: PT4S, mode: timeout_after, timeoutMs: 300 }', 1_000)),
    ).toEqual({
      kind: 'outage',
      from: 'PT3S',
      until: 'PT5S',
      mode: 'timeout_after',
      timeoutMs: 300,
    });
    expect(
      JSON.parse(shiftedFault('{ kind: lost_reports, from: PT0S, until: PT1H, probability: 1 }', 1_000)),
    ).toMatchObject({
      from: 'PT1S',
      until: 'PT3601S',
    });
  });
});
