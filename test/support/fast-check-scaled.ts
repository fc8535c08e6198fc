// Under vitest, `import fc from 'fast-check'` resolves here (the alias in vitest.config.ts): the
// real library, except that fc.assert and fc.check run FC_RUNS_SCALE times as many cases as the
// property asks for. fast-check lets a property's own numRuns override the global one, and most
// properties in this repository state theirs, so scaling has to happen per call; the library's
// module object is frozen, hence a module of our own in its place. Outside vitest (scripts,
// benchmarks) `fast-check` is the library itself.
import * as real from '../../node_modules/fast-check/lib/fast-check.js';
import { scaledRuns } from './fast-check-env.ts';

export * from '../../node_modules/fast-check/lib/fast-check.js';

function scaled<P extends { numRuns?: number } | undefined>(params: P): P {
  const numRuns = scaledRuns(params?.numRuns, real.readConfigureGlobal()?.numRuns, process.env);
  return { ...params, numRuns } as P;
}

export const assert: typeof real.assert = ((
  property: Parameters<typeof real.assert>[0],
  params?: Parameters<typeof real.assert>[1],
) => real.assert(property, scaled(params))) as typeof real.assert;

export const check: typeof real.check = ((
  property: Parameters<typeof real.check>[0],
  params?: Parameters<typeof real.check>[1],
) => real.check(property, scaled(params))) as typeof real.check;

const fc: typeof real.default = { ...real.default, assert, check };
export default fc;
