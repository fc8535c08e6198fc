// The order vitest hands test files to its workers: the files that take longest in wall time
// first (most of them wait on real processes, gateways, Redis or wall-clock paper runs), so that
// their waiting overlaps the CPU-bound files instead of trailing at the end with one core idle.
// Vitest's own order does the same from its results cache, but a fresh clone (CI) has none and
// ran these files in glob order: the SIGKILL test of paper runs (140 s of wall on two idle cores)
// started about a fifth of the way in. Files not listed keep vitest's order after these.
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** The slowest files in wall time, slowest first in each group (`npx vitest run`, two idle cores,
 *  2026-11-29).
 *  The last four mostly wait and run in the waiting-io group, after the others (vitest.config.ts):
 *  there too they start first. */
export const LONG_FIRST: readonly string[] = [
  'test/paper/paper-sigkill.test.ts', // 84 s
  'test/tooling/dist-build.test.ts', // 46 s
  'test/sweep/sweep-queue.test.ts', // 38 s
  'test/docs/readme.test.ts', // 22 s
  'test/service/browser.test.ts', // 16 s
  'test/paper/paper-benchmark-resume.test.ts', // 15 s
  'test/service/server-fuzz.test.ts', // 14 s
  'test/store/crash-durability.test.ts', // 10 s
  'test/service/service-sigkill.test.ts', // 8 s
  'test/paper/paper-strategy.test.ts', // 16 s
  'test/contract/binance/binance-spot.test.ts', // 14 s
  'test/live/stream-recorder.test.ts', // 13 s
  'test/contract/alpaca/alpaca-equities.test.ts', // 12 s
];

export class LongFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const root = this.ctx.config.root;
    const rank = (spec: TestSpecification): number => {
      const i = LONG_FIRST.indexOf(path.relative(root, spec.moduleId).split(path.sep).join('/'));
      return i === -1 ? LONG_FIRST.length : i;
    };
    // A stable sort: the unlisted files keep vitest's order among themselves.
    return sorted
      .map((spec, i) => ({ spec, i, r: rank(spec) }))
      .sort((a, b) => a.r - b.r || a.i - b.i)
      .map((x) => x.spec);
  }
}
