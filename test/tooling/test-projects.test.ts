// The lists of test files that place a file in a vitest project (test/support/test-projects.ts)
// name files that exist, each once: a renamed or moved file would silently leave its project for
// the isolated one, and a file named twice would be run twice.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IN_PROCESS, SHARED_IO, WAITING } from '../support/test-projects.ts';

// A file's name, or a folder's glob of every test file under it, that matches no test file of the
// repository.
const matchesNone = (f: string): boolean => {
  if (!f.startsWith('test/') || !f.endsWith('.test.ts')) return true;
  const folder = /^(.*)\/\*\*\/\*\.test\.ts$/.exec(f)?.[1];
  if (folder === undefined) return !fs.existsSync(f);
  if (!fs.existsSync(folder)) return true;
  return !fs.readdirSync(folder, { recursive: true }).some((name) => String(name).endsWith('.test.ts'));
};
const missing = (files: readonly string[]): string[] => files.filter(matchesNone);
const repeated = (files: readonly string[]): string[] => files.filter((f, i) => files.indexOf(f) !== i);

describe('the test projects', () => {
  it.each([
    ['IN_PROCESS', IN_PROCESS],
    ['SHARED_IO', SHARED_IO],
    ['WAITING', WAITING],
  ] as const)('%s names test files of this repository, each once', (_, files) => {
    expect(missing(files)).toEqual([]);
    expect(repeated(files)).toEqual([]);
  });

  it('place a file in one project at most', () => {
    const lists = [IN_PROCESS, SHARED_IO, WAITING];
    expect(repeated(lists.flat())).toEqual([]);
  });
});
