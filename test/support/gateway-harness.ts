// Shared pieces of the gateway tests: a gateway per test on a loopback port (closed after the
// test), bounded waits for a condition (never a sleep of a fixed length), and the Alpaca error a
// refused SDK call carries.
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  startAlpacaGateway,
  type AlpacaGateway,
  type AlpacaGatewayOptions,
} from '../../src/gateway/alpaca/alpaca-gateway.ts';
import { afterEveryTest } from './file-hooks.ts';

export const FIXTURE = 'test/fixtures/gateway/alpaca-aapl.yaml';
export const KEY = 'gateway-test-key';
export const SECRET = 'gateway-test-secret';

type Close = () => Promise<void> | void;

const open: Close[] = [];
afterEveryTest(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

/** The cleanups of the test `scoped` runs, for tests that run concurrently in a file: an
 *  afterEach closes what every test opened, also what a test still running needs. */
const scope = new AsyncLocalStorage<Close[]>();

/** Runs `close` after the current test. */
export function onCleanup(close: Close): void {
  (scope.getStore() ?? open).push(close);
}

/** A test body whose `onCleanup`s run when it ends (in reverse order), not in the file's
 *  afterEach: for `it.concurrent`, where the other tests of the file are still running. */
export function scoped<A extends unknown[]>(body: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args) => {
    const mine: Close[] = [];
    try {
      await scope.run(mine, () => body(...args));
    } finally {
      for (const close of mine.splice(0).reverse()) await close();
    }
  };
}

export async function gateway(
  file = FIXTURE,
  options: Partial<Omit<AlpacaGatewayOptions, 'scenarioFile' | 'keyId' | 'secretKey'>> = {},
): Promise<AlpacaGateway> {
  const gw = await startAlpacaGateway({ scenarioFile: file, keyId: KEY, secretKey: SECRET, ...options });
  onCleanup(() => gw.close());
  return gw;
}

/** Waits for `check` to return a value other than undefined/false, polling every few ms, for at
 *  most `ms`: a bound for a loaded machine (5 s was missed at load 13 on two cores), not a wait,
 *  since it returns as soon as the condition holds. */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The Alpaca error a promise rejects with: status and body code. */
export async function refusal(p: Promise<unknown>): Promise<{ status: number; code: unknown; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { status?: number; code?: unknown; message: string };
    return { status: e.status ?? -1, code: e.code, message: e.message };
  }
  throw new Error('expected the request to be refused');
}
