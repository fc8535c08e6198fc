// A session's swap requests made into the slot's (the module inside the session file's folder,
// loaded as the live strategy was, on the same feed), and a restarted session finding the module
// an accepted swap put live: only the logged code with the logged parameters.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadStrategy } from '../strategy/load-strategy.ts';
import { sessionCandidate, sessionSwapRequest } from './session-swap.ts';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'strategies');
const base = loadStrategy({
  module: 'quote-score.ts',
  path: join(DIR, 'quote-score.ts'),
  params: {},
  warmupTimeoutMs: 12_000,
  onFailure: { killSwitch: 'reducing', cancelParents: false },
});
const fields = {
  module: 'quote-score.ts',
  params: { scale: 2 },
  samples: 50,
  timeoutMs: 60_000,
  minCorrelation: 0.7,
  maxMeanDifference: 0.2,
  override: false,
  actor: 'ops',
  reason: 'r',
};

describe('sessionSwapRequest', () => {
  it("loads the candidate with the live strategy's warm-up timeout and failure policy, and the request's thresholds", () => {
    const req = sessionSwapRequest(fields, DIR, base);
    if (!('candidate' in req)) throw new Error(req.message);
    expect(req.candidate.paramsJson).toBe('{"invert":false,"scale":2}');
    expect(req.candidate.warmupTimeoutMs).toBe(12_000);
    expect(req.candidate.onFailure).toEqual({ killSwitch: 'reducing', cancelParents: false });
    expect(req).toMatchObject({
      samples: 50,
      timeoutMs: 60_000,
      thresholds: { minCorrelation: 0.7, maxMeanDifference: 0.2 },
    });
  });

  it('refuses a module outside the folder before loading it, naming the field', () => {
    for (const module of ['../x.ts', '/etc/x.ts', '.'])
      expect(sessionSwapRequest({ ...fields, module }, DIR, base)).toMatchObject({ field: 'module' });
  });
});

describe('sessionCandidate', () => {
  const find = sessionCandidate(DIR, base);
  const loaded = sessionSwapRequest(fields, DIR, base);
  if (!('candidate' in loaded)) throw new Error(loaded.message);
  const ref = { module: 'quote-score.ts', codeHash: loaded.candidate.codeHash, params: loaded.candidate.paramsJson };

  it('loads the logged module again with the logged parameters', () => {
    expect(find(ref)?.paramsJson).toBe('{"invert":false,"scale":2}');
  });

  it('finds nothing when the code changed, the module is gone or outside, or the parameters are unreadable', () => {
    expect(find({ ...ref, codeHash: '0000000000000000' })).toBeNull();
    expect(find({ ...ref, module: 'gone.ts' })).toBeNull();
    expect(find({ ...ref, module: '../x.ts' })).toBeNull();
    expect(find({ ...ref, params: 'not json' })).toBeNull();
    expect(find({ ...ref, params: '{"scale":"x"}' })).toBeNull();
  });
});
