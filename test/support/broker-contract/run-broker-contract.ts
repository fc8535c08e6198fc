// The broker contract (src/core/ports/broker.ts, src/core/model/reports.ts), written once and run
// by each venue's contract test against each of its backends: runBrokerContract(backend). Every
// case runs on a fresh backend serving the venue's static-book fixture, so where the market
// decides an outcome (which levels a market order takes) every backend of a venue must give the
// same answer. A case the venue's rules rule out, or a backend cannot run, is reported as skipped
// with its reason; a case a backend fails because it breaks the contract is an expected failure
// there, with the violation in its name. Every wait is for a condition, bounded (10 s of the
// backend's time at most), and every request count is bounded.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { afterEveryTest } from '../file-hooks.ts';
import { CASE_NAMES, type Backend, type BackendFactory, type BackendOptions, type CaseName } from './backend.ts';
import { CLIENT_ID_CASES } from './client-id-cases.ts';
import type { ContractCase, Open } from './contract-case.ts';
import { fixtureMismatches, venueDifferences } from './contract-venue.ts';
import { ORDER_CASES } from './order-cases.ts';
import { READ_CASES } from './read-cases.ts';
import { RULE_CASES } from './rule-cases.ts';

export const CASES: Readonly<Record<CaseName, ContractCase>> = {
  ...ORDER_CASES,
  ...RULE_CASES,
  ...READ_CASES,
  ...CLIENT_ID_CASES,
};

const opened: Backend[] = [];
afterEveryTest(async () => {
  for (const b of opened.splice(0).reverse()) await b.close();
});

/** Opens backends of `factory` for one case into `into`, whose owner closes them. */
function openInto(factory: BackendFactory, into: Backend[], tap?: BackendOptions['tap']): Open {
  return async (options = {}) => {
    const b = await factory.create({ ...options, ...(tap ? { tap } : {}) });
    into.push(b);
    return b;
  };
}

/** Opens backends of `factory` for one case, each closed after the case. */
export function opener(factory: BackendFactory, tap?: BackendOptions['tap']): Open {
  return openInto(factory, opened, tap);
}

/** Runs case `name` on backends of its own, closed when it ends, so that the cases of a backend
 *  may run at once (the file's after-test hook would close those of cases still running). */
async function runCase(factory: BackendFactory, name: CaseName): Promise<void> {
  const mine: Backend[] = [];
  try {
    await CASES[name].run(openInto(factory, mine));
  } finally {
    for (const b of mine.splice(0).reverse()) await b.close();
  }
}

/** Why the venue's rules rule the case out (an order shape it does not take), or null. */
export function ruledOut(factory: BackendFactory, name: CaseName): string | null {
  const d = venueDifferences(factory.venue.rules);
  const missing = (CASES[name].needs ?? []).filter(([type, tif]) => !d.takes(type, tif));
  if (missing.length === 0) return null;
  const shapes = missing.map(([type, tif]) => (tif ? `${type} ${tif}` : type)).join(', ');
  return `${factory.venue.rules.id}'s rules take no ${shapes} orders`;
}

/** An assertion failure as text: its message and the actual value it was given. */
function failureText(err: unknown): string {
  const e = err as { message?: unknown; actual?: unknown };
  return `${String(e.message)}\n${JSON.stringify(e.actual) ?? ''}`;
}

/** Every case of the contract against one backend, in a describe block named after it. */
export function runBrokerContract(factory: BackendFactory): void {
  // A wall-clock backend's cases run at once (up to vitest's maxConcurrency), each on its own
  // gateway and adapter: one after another they took 25 s of waiting on Binance's rules.
  describe(`broker contract: ${factory.name}`, { concurrent: factory.wallClock === true }, () => {
    it('the backend names a reason for every case it does not run, and the venue its fixture', () => {
      const reasons = [
        ...Object.entries(factory.unsupported),
        ...Object.entries(factory.knownViolations).map(([name, v]) => [name, v?.violation] as const),
      ];
      for (const [name, reason] of reasons) {
        expect(CASE_NAMES as readonly string[]).toContain(name);
        expect(reason?.length ?? 0).toBeGreaterThan(20);
      }
      for (const name of Object.keys(factory.unsupported)) expect(factory.knownViolations).not.toHaveProperty(name);
      const venue = factory.venue;
      expect(fixtureMismatches(venue, readFileSync(venue.fixture, 'utf8')), `${venue.fixture}`).toEqual([]);
    });

    for (const name of CASE_NAMES) {
      const unsupported = ruledOut(factory, name) ?? factory.unsupported[name];
      const violation = factory.knownViolations[name];
      const run = () => runCase(factory, name);
      if (unsupported !== undefined) it.skip(`${name} [unsupported: ${unsupported}]`, run);
      else if (violation !== undefined)
        it(`${name} [fails: known contract violation: ${violation.violation}]`, async () => {
          const err = await run().then(
            () => null,
            (e: unknown) => e,
          );
          expect(err, 'the violation is fixed: remove its knownViolations entry').not.toBeNull();
          expect(failureText(err)).toMatch(violation.shows);
        });
      else it(name, run);
    }
  });
}
