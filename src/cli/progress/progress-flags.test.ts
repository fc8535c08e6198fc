import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../io.ts';
import { RESUME_HELP } from '../resume-help.ts';
import { RUN_HELP } from '../run-command.ts';
import { SERVE_HELP } from '../serve-help.ts';
import { parseStatusEvery } from './progress-flags.ts';

describe('the progress flags', () => {
  it('--quiet is in the help of every command that prints progress; --status-every in the paper runs’', () => {
    for (const help of [RUN_HELP, RESUME_HELP, SERVE_HELP]) expect(help).toMatch(/--quiet/);
    for (const help of [RUN_HELP, RESUME_HELP]) expect(help).toMatch(/--status-every S/);
  });

  it('--status-every takes whole seconds from 0 to a day, as wall ms; anything else names the flag', () => {
    expect(parseStatusEvery(undefined, 'u')).toBeUndefined();
    expect(parseStatusEvery('0', 'u')).toBe(0);
    expect(parseStatusEvery('30', 'u')).toBe(30_000);
    for (const bad of ['', 'x', '1.5', '-1', '86401'])
      expect(() => parseStatusEvery(bad, 'u'), bad).toThrow(UsageError);
    expect(() => parseStatusEvery('x', 'u')).toThrow(/^--status-every: "x" is not a whole number/);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 86_400 }), (s) => {
        expect(parseStatusEvery(String(s), 'u')).toBe(s * 1000);
      }),
    );
  });
});
