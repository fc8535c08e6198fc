// The order vitest hands test files to its workers: the files that take longest in wall time
// first (most of them wait on real processes, gateways, Redis or wall-clock paper runs), so that
// their waiting overlaps the CPU-bound files instead of trailing at the end with one core idle.
// Then vitest's own order: each project's files, failed ones first, then longest first, by the
// durations of the last run in vitest's results cache. A fresh clone (CI) has no such cache, and
// vitest then orders by file size: the same suite took 327 s that way against 299 s in the cached
// order (two idle cores; 40 s more CPU in the workers, spread over every project). A file the
// cache lacks takes its duration from test/support/recorded-durations.json instead
// (scripts/record-test-durations.js writes it from a run's cache), so a clone orders as the run
// that recorded it did.
import { readFileSync } from 'node:fs';
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

/** Each file's wall time (ms) in the run that recorded them, keyed `project:path`. */
const RECORDED: Readonly<Record<string, number>> = JSON.parse(
  readFileSync(new URL('./recorded-durations.json', import.meta.url), 'utf8'),
) as Record<string, number>;

export class LongFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const cache = this.ctx.cache;
    const rel = (spec: TestSpecification): string => path.relative(root, spec.moduleId).split(path.sep).join('/');
    const rank = (spec: TestSpecification): number => {
      const i = LONG_FIRST.indexOf(rel(spec));
      return i === -1 ? LONG_FIRST.length : i;
    };
    /** What vitest's order reads from its cache: the last result, or the recorded duration. */
    const last = (spec: TestSpecification): { failed: boolean; duration: number } | null => {
      const key = `${spec.project.name}:${rel(spec)}`;
      const cached = cache.getFileTestResults(key);
      if (cached !== undefined) return { failed: cached.failed, duration: cached.duration };
      const recorded = RECORDED[key];
      return recorded === undefined ? null : { failed: false, duration: recorded };
    };
    // vitest's order for the files neither knows: unknown first, then larger first.
    const base = await super.sort(files);
    const at = new Map(base.map((spec, i) => [spec, i]));
    const known = new Map(files.map((spec) => [spec, last(spec)]));
    return [...files].sort((a, b) => {
      const ra = rank(a);
      const rb = rank(b);
      if (ra !== rb) return ra - rb;
      const ga = a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder;
      if (ga !== 0) return ga;
      if (a.project.name !== b.project.name) return a.project.name < b.project.name ? -1 : 1;
      const la = known.get(a) ?? null;
      const lb = known.get(b) ?? null;
      if (la !== null && lb !== null) {
        if (la.failed !== lb.failed) return la.failed ? -1 : 1;
        if (la.duration !== lb.duration) return lb.duration - la.duration;
      } else if (la !== lb) return la === null ? -1 : 1;
      return (at.get(a) ?? 0) - (at.get(b) ?? 0);
    });
  }
}
