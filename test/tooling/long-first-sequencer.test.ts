// The sequencer's list of slow files names files that exist: a renamed or moved file would
// silently drop back to vitest's order.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import recorded from '../support/recorded-durations.json' with { type: 'json' };
import { LONG_FIRST } from '../support/long-first-sequencer.ts';

describe('the files started first', () => {
  it('are test files of this repository, each named once', () => {
    expect(LONG_FIRST.filter((f) => !fs.existsSync(f) || !f.endsWith('.test.ts'))).toEqual([]);
    expect(new Set(LONG_FIRST).size).toBe(LONG_FIRST.length);
  });

  it('and the recorded durations name files of this repository under a project, each a whole ms', () => {
    const entries = Object.entries(recorded as Record<string, number>);
    expect(entries.length).toBeGreaterThan(400);
    const bad = entries.filter(([key, ms]) => {
      const [project, file] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
      return (
        !/^[a-z-]+$/.test(project) || !file.endsWith('.test.ts') || !fs.existsSync(file) || !Number.isSafeInteger(ms)
      );
    });
    expect(bad).toEqual([]);
  });
});
