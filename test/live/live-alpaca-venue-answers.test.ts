// The Alpaca adapter (real SDK v4) against a venue on 127.0.0.1 that answers 2xx with a body that
// is not an order: `null`, a number, an order list holding `null`. Each command and query still
// gets its one answer (an unknown outcome for a submit, a failed read for a lookup), and nothing
// is thrown out of the adapter (an unhandled rejection would end a paper run's process). Every
// wait is for a report, bounded.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { AlpacaAdapter } from '../../src/live/alpaca/alpaca-adapter.ts';
import { WallClock } from '../../src/live/wall-clock.ts';
import { clientOrderId, parentOrderId, symbol, venueOrderId } from '../../src/core/model/ids.ts';
import { makeInstrument } from '../../src/core/model/instrument.ts';
import type { VenueMessage } from '../../src/core/model/reports.ts';
import { onCleanup, waitFor } from '../support/gateway-harness.ts';

const AAPL = makeInstrument({ symbol: 'AAPL', tickSize: '0.01', lotSize: '1', minNotional: '1' });
const ORDER_ID = '0b7e5f2a-7d4e-4c1b-9a55-3f0c2d7e9b11';

/** A venue answering every request with `answer(method, path)`: [status, body text]. */
async function venue(answer: (method: string, path: string) => [number, string]): Promise<string> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const [status, body] = answer(req.method ?? '', (req.url ?? '').split('?')[0] ?? '');
      res.writeHead(status, body === '' ? {} : { 'content-type': 'application/json' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function adapter(baseUrl: string, namespace?: string) {
  const a = new AlpacaAdapter({
    instrument: AAPL,
    keyId: 'venue-answers-key',
    secret: 'venue-answers-secret',
    baseUrl,
    clock: new WallClock(),
    requestTimeoutMs: 2000,
    cancelConfirm: { lookups: 2, firstDelayMs: 5 },
    marketData: { stream: false },
    ...(namespace === undefined ? {} : { clientIdNamespace: namespace }),
  });
  const reports: VenueMessage[] = [];
  a.setReportHandler((r) => reports.push(r));
  onCleanup(() => a.stop());
  return { a, reports };
}

describe.each([undefined, 'run1'])('2xx answers that are not orders (client id namespace %s)', (ns) => {
  it.each(['null', '42'])('body %s: submit, lookup, cancel and order lists each get one answer', async (body) => {
    const base = await venue((method, path) => {
      if (method === 'DELETE') return [204, ''];
      if (path === '/v2/orders' && method === 'GET') return [200, `[${body}]`];
      return [200, body];
    });
    const { a, reports } = adapter(base, ns);
    const cid = clientOrderId('c-1');
    a.submit({
      clientOrderId: cid,
      parentId: parentOrderId('p'),
      sliceNum: 1,
      totalSlices: 1,
      scheduledTime: 0,
      symbol: symbol('AAPL'),
      side: 'buy',
      type: 'market',
      tif: 'DAY',
      qty: 1,
    });
    const submitted = await waitFor(() => reports.find((r) => r.kind === 'OutcomeUnknownReport'));
    expect(submitted).toMatchObject({ clientOrderId: cid, request: 'submit' });

    a.queryOrder(cid, 7);
    const looked = await waitFor(() => reports.find((r) => r.kind === 'QueryFailedReport'));
    expect(looked).toMatchObject({ clientOrderId: cid, query: 'order', askedAfterSeq: 7 });

    a.cancel(cid, venueOrderId(ORDER_ID));
    const cancelled = await waitFor(() =>
      reports.find((r) => r.kind === 'OutcomeUnknownReport' && r.request === 'cancel'),
    );
    expect(cancelled).toMatchObject({ clientOrderId: cid });

    a.queryOrdersSince(0, 10, undefined, 'since');
    expect(await waitFor(() => reports.find((r) => r.kind === 'OrdersPageReport'))).toMatchObject({
      orders: [],
      requestId: 'since',
    });
    a.queryOpenOrders('open');
    expect(await waitFor(() => reports.find((r) => r.kind === 'OpenOrdersReport'))).toMatchObject({
      orders: [],
      requestId: 'open',
    });
    expect(reports.map((r) => r.kind)).toEqual([
      'OutcomeUnknownReport',
      'QueryFailedReport',
      'OutcomeUnknownReport',
      'OrdersPageReport',
      'OpenOrdersReport',
    ]);
  });
});
