// The sequencer's list of slow files names files that exist: a renamed or moved file would
// silently drop back to vitest's order. Without vitest's results cache (a fresh clone) it orders
// each project's files by their recorded durations, and a cached result overrides the record.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import recorded from '../support/recorded-durations.json' with { type: 'json' };
import { LongFirstSequencer, LONG_FIRST } from '../support/long-first-sequencer.ts';

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

describe('the order of the rest', () => {
  const root = process.cwd();
  const project = (name: string) => ({ name, config: { sequence: { groupOrder: 0 }, isolate: false } });
  const shared = project('shared-io');
  const spec = (file: string, p = shared) => ({ moduleId: `${root}/${file}`, project: p }) as never;
  /** The order of `files` with `cached` (project:path -> ms) as vitest's results cache. */
  async function order(files: string[], cached: Record<string, number> = {}): Promise<string[]> {
    const cache = {
      getFileTestResults: (key: string) => (key in cached ? { duration: cached[key], failed: false } : undefined),
      getFileStats: () => ({ size: 1 }),
    };
    const sequencer = new LongFirstSequencer({ config: { root }, cache } as never);
    const sorted = await sequencer.sort(files.map((f) => spec(f)));
    return sorted.map((s) => (s as unknown as { moduleId: string }).moduleId.slice(root.length + 1));
  }
  const durations = recorded as Record<string, number>;
  const [slow, fast] = ['test/service/server-runs.test.ts', 'test/cli/cli-flags.test.ts'];

  it('is longest first by the recorded durations when vitest has no result, after the long-first files', async () => {
    expect(durations[`shared-io:${slow}`]).toBeGreaterThan(durations[`shared-io:${fast}`]!);
    expect(await order([fast, slow, LONG_FIRST[3]!])).toEqual([LONG_FIRST[3], slow, fast]);
  });

  it("follows vitest's own results where it has them", async () => {
    expect(await order([slow, fast], { [`shared-io:${fast}`]: 1e9, [`shared-io:${slow}`]: 1 })).toEqual([fast, slow]);
  });
});
