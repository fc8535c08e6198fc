// The sequencer's list of slow files names files that exist: a renamed or moved file would
// silently drop back to vitest's order.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LONG_FIRST } from '../support/long-first-sequencer.ts';

describe('the files started first', () => {
  it('are test files of this repository, each named once', () => {
    expect(LONG_FIRST.filter((f) => !fs.existsSync(f) || !f.endsWith('.test.ts'))).toEqual([]);
    expect(new Set(LONG_FIRST).size).toBe(LONG_FIRST.length);
  });
});
