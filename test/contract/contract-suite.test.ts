// The broker contract suite checked on itself: a simulated backend broken on purpose (a tap that
// drops or rewrites its messages) must fail the cases that speak to what is broken, on each
// venue's rules; an adapter whose runs share one client id namespace must fail the case about
// another run's orders; and the cases must branch on rules, not on which venue runs them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BackendOptions, CaseName } from '../support/broker-contract/backend.ts';
import { CASES, opener } from '../support/broker-contract/run-broker-contract.ts';
import { simBackend } from '../support/broker-contract/sim-backend.ts';
import { AAPL_BOOK } from './alpaca/aapl-book.ts';
import { alpacaBackend } from './alpaca/alpaca-backend.ts';
import { binanceBackend } from './binance/binance-backend.ts';
import { BTCUSDT_BOOK } from './binance/btcusdt-book.ts';

const mutants: Array<{
  what: string;
  tap: () => NonNullable<BackendOptions['tap']>;
  cases: CaseName[];
  /** What the failure says, where the case must fail for that reason and no other. */
  shows?: RegExp;
}> = [
  {
    what: 'every second FillReport dropped',
    tap: () => {
      let n = 0;
      return (m) => (m.kind === 'FillReport' && n++ % 2 === 1 ? null : m);
    },
    cases: [
      'an order larger than the top level fills in several executions',
      'lookup by client id states the fills consistently',
    ],
  },
  {
    what: "a refused submit labelled transient (RetryableRejectReport) instead of 'reject'",
    tap: () => (m) => (m.kind === 'RejectReport' ? { ...m, kind: 'RetryableRejectReport' } : m),
    cases: [
      'a duplicate client id is refused',
      'an order below the minimum notional is refused with its code',
      'a post-only order: refused where the venue has none, else refused only when it would take',
    ],
  },
  {
    what: 'lookups answered without their stamp',
    tap: () => (m) => {
      if (m.kind !== 'OrderNotFoundReport' || m.askedAfterSeq === undefined) return m;
      const { askedAfterSeq: _dropped, ...rest } = m;
      return rest;
    },
    cases: ['lookup of an unknown client id is not found'],
  },
  {
    what: 'listings that never say there is a next page',
    tap: () => (m) => (m.kind === 'OrdersPageReport' ? { ...m, next: null } : m),
    cases: ['orders since: pages list every order exactly once'],
  },
  {
    what: 'snapshot answers that echo no request id',
    tap: () => (m) => {
      if (m.kind !== 'AccountReport') return m;
      const { requestId: _dropped, ...rest } = m;
      return rest;
    },
    cases: ['account: the position after fills'],
  },
  {
    // Where the venue answers a finished order as an unknown one, not_cancelable is right too (an
    // adapter that looked it up): the wrong class there is "ask again".
    what: 'a cancel of a finished order answered with a class not its own',
    tap: () => (m) =>
      m.kind === 'CancelRejectReport' && m.clientOrderId !== 'ghost'
        ? { ...m, failure: m.failure === 'not_found' ? 'transient' : 'not_found' }
        : m,
    cases: ['a cancel of a finished or unknown order is refused with its class', 'cancel versus fill: the fill wins'],
  },
  {
    // An adapter that looks an order up where it is not (another namespace, a window that misses
    // it): core, told "not found" after a lost answer, sends the order again, which a venue that
    // reuses a finished order's id takes as a second order.
    what: 'lookups that never find the order',
    tap: () => (m) =>
      m.kind === 'OrderStatusReport' && m.source !== 'stream'
        ? {
            kind: 'OrderNotFoundReport',
            clientOrderId: m.clientOrderId,
            ...(m.askedAfterSeq === undefined ? {} : { askedAfterSeq: m.askedAfterSeq }),
          }
        : m,
    cases: ['a filled IOC whose answer was lost: core looks it up and never sends it again'],
    shows: /sent once, never again/,
  },
];

describe.each([
  ['alpaca-equities', AAPL_BOOK],
  ['binance-spot', BTCUSDT_BOOK],
] as const)('the contract suite on %s rules', (_id, venue) => {
  for (const m of mutants)
    for (const name of m.cases)
      it(`sim with ${m.what} fails "${name}"`, async () => {
        await expect(CASES[name].run(opener(simBackend(venue), m.tap()))).rejects.toThrow(m.shows ?? /./);
      });
});

// Runs that share a venue account are told apart by their client id namespace; two runs given
// the same one (a namespace derived from the scenario's name, say) find each other's orders.
describe.each([
  ['the Binance adapter', () => binanceBackend(BTCUSDT_BOOK, { runId: () => 'one-run-for-all' })],
  ['the Alpaca adapter', () => alpacaBackend(AAPL_BOOK, { namespace: () => 'one-run-for-all' })],
] as const)('%s with one client id namespace for every run', (_what, factory) => {
  it(`fails "a lookup never finds another run's order under the same local id"`, async () => {
    await expect(
      CASES["a lookup never finds another run's order under the same local id"].run(opener(factory())),
    ).rejects.toThrow(/the other run's lookup/);
  });
});

describe('the contract suite', () => {
  it('names no venue in its cases: they branch on the rules', () => {
    for (const file of [
      'order-cases.ts',
      'rule-cases.ts',
      'read-cases.ts',
      'client-id-cases.ts',
      'contract-steps.ts',
      'run-broker-contract.ts',
    ]) {
      const code = readFileSync(`test/support/broker-contract/${file}`, 'utf8')
        .split('\n')
        .filter((line) => !line.trimStart().startsWith('//'))
        .join('\n');
      expect(code, file).not.toMatch(/alpaca-equities|binance-spot|'alpaca'|'binance'|AAPL|BTCUSDT/i);
    }
  });
});
