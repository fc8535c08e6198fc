// The reference pages cannot drift from the code. The scenario file page lists every top-level
// field of the schema. The run report's page (docs/reference/run-report.md) lists every key a
// run's `--json` report has, and nothing it does not, and says which of them expectations take.
// The reports are those of every bundled scenario (signals, refused parents, faults, restarts, a
// replay) and of one that makes the market model warn, so every nested object and every kind of
// list entry is present. A key is documented in the table under the heading that names its
// object (`## \`parents[].children[]\``; "The run" for the top level), or, for a small object
// without a section of its own, in the row of the key holding it (`results`: `{ filled, partial,
// ... }`); `{ <fault kind>: count }` is a map of any keys.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { FILL_METRIC_NAMES } from '../../src/core/report/expectations.ts';
import { RECON_METRIC_NAMES } from '../../src/core/report/recon-metrics.ts';
import { knownKeysAt } from '../../src/scenario/schema-walk.ts';
import { scenarioSchema } from '../../src/scenario/schema.ts';
import { almgrenChrissTwap, PAPER } from '../support/almgren-chriss-twap.ts';

const PAGE = 'docs/reference/run-report.md';
const dir = mkdtempSync(path.join(tmpdir(), 'execsim-report-docs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `execsim run ARGS --no-store --json`: one report per printed line. */
function reports(args: readonly string[]): Array<Record<string, unknown>> {
  const out: string[] = [];
  const code = main(['run', ...args, '--no-store', '--json'], { out: (t) => out.push(t), err: () => {}, env: {} });
  expect(code).toBe(0);
  return out.flatMap((t) => t.split('\n')).flatMap((l) => (l.trim() === '' ? [] : [JSON.parse(l) as never]));
}

/** Every key of the reports, by the path of the object holding it ('' for the top level;
 *  `parents[]` for a parent, `fillDetection.results` for the results). */
export function keysByObject(values: readonly unknown[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const walk = (v: unknown, at: string): void => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x, `${at}[]`);
      return;
    }
    if (v === null || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      const keys = out.get(at) ?? new Set<string>();
      keys.add(k);
      out.set(at, keys);
      walk(x, at === '' ? k : `${at}.${k}`);
    }
  };
  for (const v of values) walk(v, '');
  return out;
}

interface Row {
  /** The names in the row's first cell. */
  readonly keys: readonly string[];
  /** Names inside the row's code spans, split into words. */
  readonly words: ReadonlySet<string>;
  /** The row holds a map of any keys (`{ <fault kind>: count }`). */
  readonly anyKeys: boolean;
}

/** The page's tables by the object they describe. */
export function documented(markdown: string): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  let at: string | null = null;
  for (const line of markdown.split('\n')) {
    const heading = /^## (.*)$/.exec(line);
    if (heading) {
      const title = heading[1] as string;
      at = title === 'The run' ? '' : (/^`([^`]+)`$/.exec(title)?.[1] ?? null);
      continue;
    }
    if (at === null || !line.startsWith('| ') || /^\| (key|---)/.test(line)) continue;
    const cells = line.split(' | ');
    const spans = [...line.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
    const row: Row = {
      keys: [...(cells[0] as string).matchAll(/`([^`]+)`/g)].map((m) => m[1] as string),
      words: new Set(spans.flatMap((s) => s.split(/[^A-Za-z0-9_]+/)).filter((w) => w !== '')),
      anyKeys: spans.some((s) => /\{ <[^>]+>: /.test(s)),
    };
    out.set(at, [...(out.get(at) ?? []), row]);
  }
  return out;
}

/** Where `key` of the object at `object` is documented, or null. */
function whereDocumented(doc: Map<string, Row[]>, object: string, key: string): string | null {
  if (doc.get(object)?.some((r) => r.keys.includes(key))) return `section ${object || 'The run'}`;
  // A small object documented in its holder's row: `a.b` in section `a`, row `b`.
  const m = /^(?:(.*)\.)?([^.[\]]+)(\[\])?$/.exec(object);
  if (m === null) return null;
  const row = doc.get(m[1] ?? '')?.find((r) => r.keys.includes(m[2] as string));
  return row && (row.anyKeys || row.words.has(key)) ? `row ${m[2]} of ${m[1] ?? 'The run'}` : null;
}

describe('the run report page', () => {
  const doc = documented(readFileSync(PAGE, 'utf8'));
  writeFileSync(path.join(dir, 'warns.yaml'), almgrenChrissTwap({ ...PAPER, sigma: 0, rateInterval: 'PT1M' }));
  const all = [...reports(['scenarios']), ...reports([path.join(dir, 'warns.yaml')])];
  const keys = keysByObject(all);

  it('reads its tables: sections by object, keys from the first cell, inline keys from code spans', () => {
    const d = documented(
      '## The run\n| key | meaning |\n|---|---|\n| `a`, `b` | x `{ c, d }` |\n## `a[]`\n| `e` | `{ <kind>: n }` |\n',
    );
    expect(d.get('')?.[0]?.keys).toEqual(['a', 'b']);
    expect(d.get('')?.[0]?.words.has('d')).toBe(true);
    expect(d.get('a[]')?.[0]?.anyKeys).toBe(true);
    expect(whereDocumented(d, 'b', 'c')).toBe('row b of The run');
    expect(whereDocumented(d, 'b', 'z')).toBeNull();
    expect(keysByObject([{ a: [{ b: 1 }], c: { d: null } }])).toEqual(
      new Map([
        ['', new Set(['a', 'c'])],
        ['a[]', new Set(['b'])],
        ['c', new Set(['d'])],
      ]),
    );
  });

  it('the reports have every kind of entry, so every key is seen', () => {
    for (const object of [
      'signals[]',
      'rejectedParents[]',
      'modelWarnings[]',
      'warnings[]',
      'parents[].unsent[]',
      'replay.bookTicker',
    ])
      expect(keys.has(object), object).toBe(true);
  });

  it("documents every key of a run's --json report", () => {
    const missing: string[] = [];
    for (const [object, names] of keys)
      for (const key of names) if (whereDocumented(doc, object, key) === null) missing.push(`${object}.${key}`);
    expect(missing, `keys of the --json report that ${PAGE} does not list`).toEqual([]);
  });

  it('documents no key a report does not have', () => {
    const extra: string[] = [];
    for (const [object, rows] of doc)
      for (const r of rows) for (const k of r.keys) if (!keys.get(object)?.has(k)) extra.push(`${object}.${k}`);
    expect(extra, `${PAGE} lists keys that no report has`).toEqual([]);
  });
});

describe('what the run report page says expectations take', () => {
  const doc = documented(readFileSync(PAGE, 'utf8'));
  const keysOf = (object: string) => (doc.get(object) ?? []).flatMap((r) => r.keys);

  it('fillDetection: every key but results, the two latencies and meetsCriteria', () => {
    const except = ['results', 'meanDetectionLatencyMs', 'p99DetectionLatencyMs', 'meetsCriteria'];
    expect(readFileSync(PAGE, 'utf8').replace(/\s+/g, ' ')).toContain(
      'takes any of these keys except `results`, the two latencies and `meetsCriteria`',
    );
    expect([...FILL_METRIC_NAMES].sort()).toEqual(
      keysOf('fillDetection')
        .filter((k) => !except.includes(k))
        .sort(),
    );
  });

  it('reconciliation: every key', () => {
    expect([...RECON_METRIC_NAMES].sort()).toEqual(keysOf('reconciliation').sort());
  });
});

describe('the scenario file page', () => {
  it('lists every top-level field of the schema in its fields table, and no other', () => {
    const page = readFileSync('docs/reference/scenario-file.md', 'utf8');
    const table = page.slice(page.indexOf('## Fields'), page.indexOf('\n## ', page.indexOf('## Fields') + 1));
    const listed = new Set(
      table
        .split('\n')
        .filter((l) => l.startsWith('| `'))
        .flatMap((l) => [...(l.split(' | ')[0] as string).matchAll(/`([A-Za-z]+)/g)].map((m) => m[1] as string)),
    );
    expect([...listed].sort()).toEqual(knownKeysAt(scenarioSchema, {}, []).sort());
  });
});
