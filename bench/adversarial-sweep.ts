// `npm run sweep:adversarial -- [--cases N] [--seed S] [--out DIR] [--keep K] [--shrink-seconds T]`:
// the generator of test/backtest/adversarial-properties.test.ts (adversarial runs of every
// execution algorithm and child placement under venue faults and crashes) at scale, outside
// vitest. Runs N cases (default 2000) from seed S (default 1) and checks each one's invariants
// (test/support/adversarial-check.ts). Prints the number of cases, failing cases by invariant,
// by kind of failure and by algorithm and placement, what the cases exercised, and cases/s; then
// shrinks up to K failing cases (default 5: the first case failing each invariant, then cases
// failing in a way not seen yet) to a smallest case still failing that way, and writes each to
// DIR (default data/adversarial-found) as a scenario file that `node bin/execsim.js run FILE`
// reproduces, with what broke in its header comments.
// Exit code 0: every case held; 1: some case broke an invariant; 2: bad arguments.
//
// Case i is the one fast-check generates at index i for seed S, so the shrinking replays it by
// its path ("i") and `FC_SEED=S` with FC_PATH=i reruns it inside the test.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { adversarialCaseData, type AdversarialCase } from '../test/support/adversarial-case.ts';
import { describeFailure, INVARIANTS, runAdversarialCase, type CaseResult } from '../test/support/adversarial-check.ts';

interface Options {
  readonly cases: number;
  readonly seed: number;
  readonly out: string;
  readonly keep: number;
  readonly shrinkSeconds: number;
}

class UsageError extends Error {}

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(Number(raw)) || Number(raw) < min || Number(raw) > max) {
    throw new UsageError(`--${name}: "${raw}" is not a whole number from ${min} to ${max}`);
  }
  return Number(raw);
}

function options(argv: string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        cases: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        keep: { type: 'string' },
        'shrink-seconds': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  return {
    cases: integer('cases', parsed.cases, 2000, 1, 1_000_000),
    seed: integer('seed', parsed.seed, 1, -(2 ** 31), 2 ** 31 - 1),
    out: resolve(parsed.out ?? 'data/adversarial-found'),
    keep: integer('keep', parsed.keep, 5, 0, 1000),
    shrinkSeconds: integer('shrink-seconds', parsed['shrink-seconds'], 300, 1, 86_400),
  };
}

interface Failing {
  readonly index: number;
  readonly c: AdversarialCase;
  readonly result: CaseResult;
}

/** Runs every case in fast-check's order for the seed (never failing, so it never shrinks). */
function sweep(o: Options): {
  failing: Failing[];
  exercised: Map<string, number>;
  drawn: Map<string, number>;
  seconds: number;
} {
  const failing: Failing[] = [];
  const exercised = new Map<string, number>();
  const drawn = new Map<string, number>();
  let index = 0;
  const t0 = performance.now();
  fc.assert(
    fc.property(adversarialCaseData, (c) => {
      const result = runAdversarialCase(c);
      for (const kind of Object.keys(result.events)) exercised.set(kind, (exercised.get(kind) ?? 0) + 1);
      drawn.set(drawnAs(c), (drawn.get(drawnAs(c)) ?? 0) + 1);
      if (result.violations.length > 0) failing.push({ index, c, result });
      index++;
      if (process.stderr.isTTY && index % 50 === 0)
        process.stderr.write(`\r${index}/${o.cases} cases, ${failing.length} failing`);
    }),
    { seed: o.seed, numRuns: o.cases },
  );
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  return { failing, exercised, drawn, seconds: (performance.now() - t0) / 1000 };
}

/** The case's algorithm and placement, as the report groups cases. */
const drawnAs = (c: AdversarialCase): string => `${c.algo.kind} / ${c.placement.kind}`;

/** Which failing cases to shrink, and for which kind of failure: the first case breaking each
 *  invariant, then the first case of each kind not covered yet, then the next cases in order. */
function pick(failing: readonly Failing[], keep: number): Array<{ f: Failing; kind: string }> {
  const out: Array<{ f: Failing; kind: string }> = [];
  const taken = new Set<number>();
  const covered = new Set<string>();
  const take = (f: Failing, kind: string) => {
    if (out.length >= keep || taken.has(f.index)) return;
    out.push({ f, kind });
    taken.add(f.index);
    for (const v of f.result.violations) for (const k of v.kinds) covered.add(k);
  };
  for (const inv of INVARIANTS) {
    const f = failing.find((x) => !taken.has(x.index) && x.result.violations.some((v) => v.invariant === inv));
    const v = f?.result.violations.find((x) => x.invariant === inv);
    if (f && v && v.kinds[0] !== undefined && !covered.has(v.kinds[0])) take(f, v.kinds[0]);
  }
  for (const f of failing) {
    const kind = f.result.violations.flatMap((v) => v.kinds).find((k) => !covered.has(k));
    if (kind !== undefined) take(f, kind);
  }
  for (const f of failing) take(f, f.result.violations[0]?.kinds[0] ?? '');
  return out;
}

/** The smallest case fast-check finds from case `index` that still breaks the same way (`kind`),
 *  run once more as scenario `name`. */
function shrink(
  o: Options,
  f: Failing,
  kind: string,
  name: string,
): { c: AdversarialCase; result: CaseResult; shrinks: number } {
  let replayed: AdversarialCase | null = null;
  const details = fc.check(
    fc.property(adversarialCaseData, (c) => {
      replayed ??= c;
      return !runAdversarialCase(c).violations.some((v) => v.kinds.includes(kind));
    }),
    // The path (with one run) replays exactly the sweep's case, then shrinks it.
    { seed: o.seed, path: String(f.index), numRuns: 1, interruptAfterTimeLimit: o.shrinkSeconds * 1000 },
  );
  // Anything else means the generator's order changed under us: the shrunk case would be foreign.
  if (JSON.stringify(replayed) !== JSON.stringify(f.c)) throw new Error(`case ${f.index} did not replay from its path`);
  const [c] = details.failed && details.counterexample !== null ? details.counterexample : [f.c];
  return { c, result: runAdversarialCase(c, name), shrinks: details.numShrinks };
}

function main(): number {
  let o: Options;
  try {
    o = options(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`adversarial-sweep: ${err.message}`);
    console.error('usage: adversarial-sweep [--cases N] [--seed S] [--out DIR] [--keep K] [--shrink-seconds T]');
    return 2;
  }
  console.log(
    `machine: ${cpus()[0]?.model ?? 'unknown cpu'}, ${cpus().length} cores, load ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}, node ${process.version}`,
  );
  const { failing, exercised, drawn, seconds } = sweep(o);
  console.log(
    `${o.cases} cases from seed ${o.seed} in ${seconds.toFixed(1)} s (${(o.cases / seconds).toFixed(1)} cases/s): ${failing.length} failing`,
  );
  console.log('failing cases by invariant:');
  for (const inv of INVARIANTS) {
    const n = failing.filter((f) => f.result.violations.some((v) => v.invariant === inv)).length;
    console.log(`  ${inv.padEnd(20)}${String(n).padStart(6)}`);
  }
  const byKind = new Map<string, number>();
  for (const f of failing)
    for (const k of new Set(f.result.violations.flatMap((v) => v.kinds))) byKind.set(k, (byKind.get(k) ?? 0) + 1);
  console.log('failing cases by kind of failure:');
  for (const [k, n] of [...byKind].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])))
    console.log(`  ${String(n).padStart(6)}  ${k}`);
  console.log('cases (failing) by algorithm / placement:');
  for (const [k, n] of [...drawn].sort((a, b) => a[0].localeCompare(b[0]))) {
    const bad = failing.filter((f) => drawnAs(f.c) === k).length;
    console.log(`  ${k.padEnd(24)}${String(n).padStart(6)} (${bad})`);
  }
  console.log('cases that exercised:');
  for (const kind of [...exercised.keys()]
    .filter(
      (k) =>
        k.startsWith('FaultApplied:') ||
        [
          'ProcessRestarted',
          'OrderAbandoned',
          'OutcomeUnknownReport',
          'RetryableRejectReport',
          'ReconciliationMismatch',
          'SliceRecovered',
        ].includes(k),
    )
    .sort()) {
    console.log(`  ${kind.padEnd(32)}${String(exercised.get(kind)).padStart(6)}`);
  }
  if (failing.length === 0) return 0;

  const chosen = pick(failing, o.keep);
  if (chosen.length > 0) mkdirSync(o.out, { recursive: true });
  for (const { f, kind } of chosen) {
    const t0 = performance.now();
    const s = shrink(o, f, kind, `adversarial-seed${o.seed}-case${f.index}`);
    const invariant = kind.split(':')[0] as string;
    const file = join(o.out, `seed${o.seed}-case${f.index}-${invariant}.yaml`);
    const header = [
      `adversarial sweep --seed ${o.seed}, case ${f.index}, shrunk ${s.shrinks} times keeping "${kind}"`,
      `reproduce: node bin/execsim.js run ${file}`,
    ];
    writeFileSync(file, describeFailure(s.c, s.result, header));
    console.log(
      `${file}: shrunk ${s.shrinks} times in ${((performance.now() - t0) / 1000).toFixed(1)} s keeping "${kind}"; breaks ${s.result.violations.map((v) => v.invariant).join(', ')}`,
    );
  }
  return 1;
}

process.exitCode = main();
