// Reads and validates scenario files. A bad file becomes one ScenarioError with one line per
// problem, each naming the file, the field path and the problem ("scenarios/x.yaml:
// orders[0].qty: ..."), up to MAX_LISTED_PROBLEMS lines and a count of the rest.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { LineCounter, parseDocument } from 'yaml';
import { canonicalJson } from '../core/log/canonical-json.ts';
import { recordedSymbol, ReplayFileError } from './replay-file.ts';
import { describeIssue } from './issue-text.ts';
import { scenarioSchema, type Scenario } from './schema.ts';

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

export interface LoadedScenario {
  readonly file: string;
  readonly scenario: Scenario;
  /** sha256 of the scenario's canonical JSON (formatting and comments do not change it). */
  readonly hash: string;
  readonly canonical: string;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(top level)';
}

/** Problems listed one per line; past this many, the rest are counted. */
const MAX_LISTED_PROBLEMS = 50;
/** Alias expansions a file may make (the yaml package's guard against "billion laughs"). */
const MAX_YAML_ALIASES = 100;

/** One ScenarioError for a file's problems: one line each, `file: path: problem`. */
function problemsError(
  file: string,
  problems: ReadonlyArray<{ readonly path: readonly PropertyKey[]; readonly message: string }>,
): ScenarioError {
  return listed(
    file,
    problems.map((p) => `${file}: ${formatPath(p.path)}: ${p.message}`),
  );
}

function listed(file: string, problems: readonly string[]): ScenarioError {
  const lines = [...new Set(problems)];
  const shown = lines.slice(0, MAX_LISTED_PROBLEMS);
  if (lines.length > shown.length)
    shown.push(`${file}: and ${lines.length - shown.length} more problems (${lines.length} in all)`);
  return new ScenarioError(shown.join('\n'));
}

export function parseScenario(text: string, file: string): LoadedScenario {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw listed(
      file,
      doc.errors.map((err) => {
        const pos = lineCounter.linePos(err.pos[0]);
        return `${file}: line ${pos.line}, column ${pos.col}: invalid YAML: ${err.message.split('\n')[0]}`;
      }),
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    // The yaml package throws a ReferenceError when aliases expand past maxAliasCount (an
    // exponential "billion laughs" document) or name no anchor.
    const why = /alias count/i.test((err as Error).message)
      ? `its aliases (*name) expand to more than ${MAX_YAML_ALIASES} copies of their anchors; write the values out instead`
      : (err as Error).message;
    throw new ScenarioError(`${file}: invalid YAML: ${why}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ScenarioError(`${file}: a scenario must be a YAML mapping of fields (name, seed, venue, ...)`);
  }
  const result = scenarioSchema.safeParse(raw);
  if (!result.success) {
    throw problemsError(
      file,
      result.error.issues.map((i) => ({ path: i.path, message: describeIssue(i, scenarioSchema, raw) })),
    );
  }
  const scenario = deepFreeze(result.data);
  if (scenario.market.model === 'replay') {
    scenario.market.files.forEach((f, i) => {
      const path = resolve(dirname(file), f);
      if (!existsSync(path))
        throw new ScenarioError(
          `${file}: market.files[${i}]: no such file ${path} (paths are relative to the scenario file)`,
        );
      if (!statSync(path).isFile()) throw new ScenarioError(`${file}: market.files[${i}]: ${path} is not a file`);
      const symbol = replayFileSymbol(file, i, path);
      if (symbol !== null && symbol !== scenario.instrument.symbol.toUpperCase()) {
        throw new ScenarioError(
          `${file}: market.files[${i}]: ${path} is a recording of ${symbol}, but instrument.symbol is ${scenario.instrument.symbol}`,
        );
      }
    });
  }
  const canonical = canonicalJson(scenario);
  return { file, scenario, canonical, hash: createHash('sha256').update(canonical).digest('hex') };
}

/** The symbol a replay file records (see recordedSymbol); a file it cannot read is a bad scenario. */
function replayFileSymbol(file: string, index: number, path: string): string | null {
  try {
    return recordedSymbol(path);
  } catch (err) {
    if (err instanceof ReplayFileError) throw new ScenarioError(`${file}: market.files[${index}]: ${err.message}`);
    throw err;
  }
}

export function loadScenarioFile(file: string): LoadedScenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ScenarioError(`${file}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return parseScenario(text, file);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
