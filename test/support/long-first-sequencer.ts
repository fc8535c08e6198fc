// The order vitest hands test files to its workers: the files that take longest in wall time
// first (most of them wait on real processes, gateways, Redis or wall-clock paper runs), so that
// their waiting overlaps the CPU-bound files instead of trailing at the end with one core idle.
// Vitest's own order does the same from its results cache, but a fresh clone (CI) has none and
// ran these files in glob order: the SIGKILL test of paper runs (140 s of wall on two idle cores)
// started about a fifth of the way in. Files not listed keep vitest's order after these.
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** The slowest files in wall time, slowest first (`.ci/run` on a clean clone, two idle cores,
 *  2026-11-27). */
export const LONG_FIRST: readonly string[] = [
  'test/paper/paper-sigkill.test.ts', // 117 s
  'test/tooling/dist-build.test.ts', // 62 s
  'test/sweep/sweep-queue.test.ts', // 62 s
  'test/docs/readme.test.ts', // 41 s
  'test/contract/binance/binance-spot.test.ts', // 26 s
  'test/paper/paper-strategy.test.ts', // 25 s
  'test/service/browser.test.ts', // 20 s
  'test/live/stream-recorder.test.ts', // 19 s
  'test/paper/paper-benchmark-resume.test.ts', // 18 s
  'test/contract/alpaca/alpaca-equities.test.ts', // 18 s
  'test/store/crash-durability.test.ts', // 18 s
  'test/service/service-sigkill.test.ts', // 15 s
  'test/store/report-follow.test.ts', // 14 s
  'test/store/group-commit.test.ts', // 12 s
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
