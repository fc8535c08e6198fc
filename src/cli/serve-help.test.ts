// The default number of `execsim serve` workers, and its help, which once said "cores - 1, at
// least 1" of a default that is also capped (a 64-core machine got 8, not 63).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVE_WORKERS_CAP, defaultServeWorkers, MAX_SERVE_WORKERS, SERVE_HELP } from './serve-help.ts';

describe('serve --workers default', () => {
  it('property: cores - 1, at least 1 and at most the cap, never above what --workers takes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4096 }), (cores) => {
        const n = defaultServeWorkers(cores);
        expect(n).toBe(Math.min(Math.max(cores - 1, 1), DEFAULT_SERVE_WORKERS_CAP));
        expect(n).toBeLessThanOrEqual(MAX_SERVE_WORKERS);
      }),
    );
    expect(defaultServeWorkers(64)).toBe(DEFAULT_SERVE_WORKERS_CAP);
  });

  it('the help states the range --workers takes and the cap of the default', () => {
    const line = SERVE_HELP.replace(/\s+/g, ' ');
    expect(line).toContain(
      `--workers N worker threads running the runs started over HTTP, 1 to ${MAX_SERVE_WORKERS} (default: cores - 1, from 1 to ${DEFAULT_SERVE_WORKERS_CAP})`,
    );
  });
});
