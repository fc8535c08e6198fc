// Reads and validates scenario files. A bad file becomes one ScenarioError with one line per
// problem, each naming the file, the field path and the problem ("scenarios/x.yaml:
// orders[0].qty: ..."), up to MAX_LISTED_PROBLEMS lines and a count of the rest: the problems of
// single fields, then what the checks across fields find in the rest (cross-field-pass.ts). The error also
// carries every problem as { path, message }, for callers that show them one by one (the HTTP
// server's validation route); its lines are `file: path: message` of those. A path with nothing
// there is `<path>: no such file or directory`, the words every command uses for it.
import { barLengthsText, sameFeed } from '../strategy/strategy-port.ts';
import { AlgorithmLoadError, loadAlgorithmOf, type LoadedAlgorithm } from '../strategy/load-algorithm.ts';
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { LineCounter, parseDocument } from 'yaml';
import { duplicateKeys, flowDepthProblem, selfContainedPath, spotPath } from './yaml-guards.ts';
import { canonicalJson } from '../core/log/canonical-json.ts';
import { parseDurationMs } from '../core/model/time-fields.ts';
import { loadStrategy, StrategyLoadError } from '../strategy/load-strategy.ts';
import { replayFilesProblems } from './replay-file-checks.ts';
import { undeclared } from './scenario-requests.ts';
import { allIssues } from './cross-field-pass.ts';
import { withoutEmptyKeys } from './empty-keys.ts';
import { describeIssue, withUnionOption } from './issue-text.ts';
import { scenarioSchema, simulatedWorldMissing, type Scenario, type ScenarioFile } from './schema.ts';

/** One problem of a scenario: where (a field path like `orders[0].qty`, a YAML position like
 *  `line 3, column 5`, or '' for the document as a whole) and what. */
export interface ScenarioProblem {
  readonly path: string;
  readonly message: string;
}

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  /** Every problem, deduplicated (the message lists the first MAX_LISTED_PROBLEMS); empty when the
   *  error was built from text alone. */
  readonly problems: readonly ScenarioProblem[];

  constructor(message: string, problems: readonly ScenarioProblem[] = []) {
    super(message);
    this.problems = problems;
  }
}

/** A parsed scenario file: by default one a simulation can run (its start and market given);
 *  `LoadedScenario<ScenarioFile>` for one that may be paper only. */
export interface LoadedScenario<S extends ScenarioFile = Scenario> {
  readonly file: string;
  readonly scenario: S;
  /** sha256 of the scenario's canonical JSON (formatting and comments do not change it). */
  readonly hash: string;
  readonly canonical: string;
  /** The strategy module the file names, loaded and its parameters checked (null: none). */
  readonly strategy: RunnableStrategy | null;
  /** The candidates of its swap_strategy actions, loaded the same way, by action index. */
  readonly swaps: readonly LoadedSwap[];
  /** The algorithm modules its orders and signals name, loaded, by the path as written. */
  readonly algorithms: ReadonlyMap<string, LoadedAlgorithm>;
}

/** A loaded strategy module: what a host needs, and a fresh copy of its definition per run. */
export type RunnableStrategy = ReturnType<typeof loadStrategy>;

/** A swap_strategy action (actions[action]) and its candidate module. */
export interface LoadedSwap {
  readonly action: number;
  readonly candidate: RunnableStrategy;
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
    problems.map((p) => ({ path: formatPath(p.path), message: p.message })),
  );
}

/** One ScenarioError listing a file's problems, one line each (`file: path: problem`). */
export function listed(file: string, problems: readonly ScenarioProblem[]): ScenarioError {
  const unique = [...new Map(problems.map((p) => [`${p.path}: ${p.message}`, p])).values()];
  const lines = unique.map((p) => (p.path ? `${file}: ${p.path}: ${p.message}` : `${file}: ${p.message}`));
  const shown = lines.slice(0, MAX_LISTED_PROBLEMS);
  if (lines.length > shown.length)
    shown.push(`${file}: and ${lines.length - shown.length} more problems (${lines.length} in all)`);
  return new ScenarioError(shown.join('\n'), unique);
}

/** A ScenarioError of one problem. */
const oneProblem = (file: string, path: string, message: string): ScenarioError => listed(file, [{ path, message }]);

/** The yaml package's message of a parse error, on one line. It reports running out of stack on
 *  collections nested thousands deep as the engine's RangeError text: said here as what it is. */
function yamlProblem(message: string): string {
  if (/Maximum call stack size exceeded/i.test(message))
    return 'collections nested too deeply (thousands of levels) for the parser';
  return message.split('\n')[0] as string;
}

/** Parses a scenario a simulation can run: a paper-only file (no start or market) is refused,
 *  naming what it lacks. Backtests, sweeps, the gateway and the server read scenarios so. */
export function parseScenario(text: string, file: string): LoadedScenario {
  return simulatedScenario(parseScenarioFile(text, file));
}

/** The scenario as a simulation needs it, or a ScenarioError naming what the file leaves out (a
 *  paper run's file may leave out start and market). */
export function simulatedScenario(loaded: LoadedScenario<ScenarioFile>): LoadedScenario {
  const missing = simulatedWorldMissing(loaded.scenario);
  if (missing.length > 0)
    throw listed(
      loaded.file,
      missing.map(([path, message]) => ({ path, message })),
    );
  return loaded as LoadedScenario;
}

/** Parses any scenario file, a paper-only one (mode: paper without start or market) included. */
export function parseScenarioFile(text: string, file: string): LoadedScenario<ScenarioFile> {
  return parseScenarioFields(parseYamlMapping(text, file), file);
}

/** A file's YAML as a mapping of fields, or a ScenarioError naming the line (bad YAML) or saying
 *  it is no mapping. */
export function parseYamlMapping(text: string, file: string): object {
  const deep = flowDepthProblem(text);
  if (deep !== null) throw oneProblem(file, spotPath(text, deep.offset), `invalid YAML: ${deep.message}`);
  const lineCounter = new LineCounter();
  // Keys are checked for uniqueness below, in one pass: the package's own check is quadratic.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  // A syntax error's first place only: the parser's later ones follow from it (one unclosed
  // bracket gave three messages), and a fix of the first makes them another file. Duplicate keys
  // are each their own problem, listed when the syntax holds.
  const first = doc.errors.reduce<(typeof doc.errors)[number] | null>(
    (a, e) => (a === null || e.pos[0] < a.pos[0] ? e : a),
    null,
  );
  const errors =
    first !== null
      ? [{ offset: first.pos[0], message: yamlProblem(first.message) }]
      : duplicateKeys(doc).sort((a, b) => a.offset - b.offset);
  if (errors.length > 0) {
    throw listed(
      file,
      errors.map((err) => {
        const pos = lineCounter.linePos(err.offset);
        return { path: `line ${pos.line}, column ${pos.col}`, message: `invalid YAML: ${err.message}` };
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
      : yamlProblem((err as Error).message);
    throw oneProblem(file, '', `invalid YAML: ${why}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw oneProblem(file, '', 'a scenario must be a YAML mapping of fields (name, seed, venue, ...)');
  }
  const loop = selfContainedPath(raw);
  if (loop !== null)
    throw oneProblem(
      file,
      loop,
      'invalid YAML: an alias (*name) here stands for a node that holds it, so the value would contain itself',
    );
  return raw;
}

/** A scenario from its fields as read from a file (a YAML mapping), checked as parseScenarioFile
 *  checks them; `file` names it in messages and anchors its relative paths. */
export function parseScenarioFields(raw: object, file: string): LoadedScenario<ScenarioFile> {
  // An empty key (`safety:`) means the key left out, where that is allowed (empty-keys.ts).
  const input = withoutEmptyKeys(scenarioSchema, raw);
  const result = scenarioSchema.safeParse(input);
  if (!result.success) {
    const issues = allIssues(scenarioSchema, input, result.error.issues.flatMap(withUnionOption));
    throw problemsError(
      file,
      issues.map((i) => ({ path: i.path, message: describeIssue(i, scenarioSchema, input) })),
    );
  }
  const scenario = deepFreeze(result.data);
  // Every replay file's problem at once, as every field's.
  const problems = replayFilesProblems(scenario, file);
  if (problems.length > 0) throw listed(file, problems);
  const strategy = scenario.strategy ? strategyOf(scenario.strategy, file) : null;
  const swaps = strategy && scenario.strategy ? swapsOf(scenario, scenario.strategy, strategy, file) : [];
  const algorithms = algorithmsOf(scenario, file);
  const canonical = canonicalJson(scenario);
  // A strategy's code is part of what the scenario is: the same file with changed strategy code
  // (or a swap's candidate code, or an algorithm module's) is another scenario.
  const codes = [
    ...[strategy, ...swaps.map((w) => w.candidate)].flatMap((x) => (x ? [x.codeHash] : [])),
    ...[...algorithms.values()].map((a) => a.codeHash),
  ];
  const hashed = codes.length > 0 ? `${canonical}\n${codes.join('\n')}` : canonical;
  const hash = createHash('sha256').update(hashed).digest('hex');
  return { file, scenario, canonical, hash, strategy, swaps, algorithms };
}

/** Loads each algorithm module the file's `algorithms` section declares (under its name) and
 *  each its orders and signals name by path (once per module as written); a problem is the
 *  file's, at the declaration or the first block that names the module, and a name the section
 *  does not declare is one at the block's algo.name. */
function algorithmsOf(scenario: ScenarioFile, file: string): Map<string, LoadedAlgorithm> {
  const out = new Map<string, LoadedAlgorithm>();
  const loadAt = (key: string, path: string, at: string): void => {
    try {
      out.set(key, loadAlgorithmOf(path, file));
    } catch (err) {
      if (err instanceof AlgorithmLoadError) throw oneProblem(file, `${at}.${err.field}`, err.message);
      throw err;
    }
  };
  const declared = scenario.algorithms ?? {};
  for (const [name, d] of Object.entries(declared)) loadAt(name, d.path, `algorithms.${name}`);
  const load = (
    a: { readonly kind: string; readonly path?: string | undefined; readonly name?: string | undefined } | undefined,
    at: string,
  ): void => {
    if (a?.kind !== 'module') return;
    if (a.name !== undefined) {
      if (!Object.hasOwn(declared, a.name)) throw oneProblem(file, `${at}.algo.name`, undeclared(a.name, declared));
      return;
    }
    if (a.path === undefined || out.has(a.path)) return;
    loadAt(a.path, a.path, `${at}.algo`);
  };
  scenario.orders.forEach((o, i) => load(o.algo, `orders[${i}]`));
  scenario.signals.forEach((s, i) => load(s.algo, `signals[${i}]`));
  return out;
}

/** Loads each swap_strategy action's module as the strategy it replaces was loaded (its warm-up
 *  timeout and failure policy are the strategy's); a candidate must sample the market as the
 *  strategy does, since a shadow is fed the live strategy's samples. */
function swapsOf(
  scenario: ScenarioFile,
  section: NonNullable<ScenarioFile['strategy']>,
  base: RunnableStrategy,
  file: string,
): LoadedSwap[] {
  const out: LoadedSwap[] = [];
  scenario.actions.forEach((a, i) => {
    if (a.kind !== 'swap_strategy') return;
    const at = `actions[${i}]`;
    let candidate: RunnableStrategy;
    try {
      candidate = loadStrategy({
        module: a.module,
        path: resolve(dirname(file), a.module),
        params: a.params,
        warmupTimeoutMs: parseDurationMs(section.warmupTimeout),
        callbackBudgetMs: section.callbackBudgetMs,
        onFailure: section.onFailure,
      });
    } catch (err) {
      if (err instanceof StrategyLoadError) throw oneProblem(file, `${at}.${err.field}`, err.message);
      throw err;
    }
    if (!sameFeed(candidate, base))
      throw oneProblem(
        file,
        `${at}.module`,
        `${a.module} samples quotes every ${candidate.quoteMs} ms with ${barLengthsText(candidate)} ms bars, the strategy it ` +
          `replaces (${section.module}) every ${base.quoteMs} ms with ${barLengthsText(base)} ms bars: a swap keeps the feed ` +
          '(feed.quoteMs, feed.barMs, feed.bars)',
      );
    out.push({ action: i, candidate });
  });
  return out;
}

/** Loads the module a `strategy:` section names, relative to the file; a problem is the file's. */
function strategyOf(section: NonNullable<ScenarioFile['strategy']>, file: string): RunnableStrategy {
  try {
    return loadStrategy({
      module: section.module,
      path: resolve(dirname(file), section.module),
      params: section.params,
      warmupTimeoutMs: parseDurationMs(section.warmupTimeout),
      callbackBudgetMs: section.callbackBudgetMs,
      onFailure: section.onFailure,
    });
  } catch (err) {
    if (err instanceof StrategyLoadError) throw oneProblem(file, `strategy.${err.field}`, err.message);
    throw err;
  }
}

/** A scenario file parsed, with the text it was parsed from (a sweep stores it to re-run paths). */
export interface ScenarioSource {
  readonly loaded: LoadedScenario;
  readonly text: string;
}

/** Reads and parses a scenario file, keeping its text. */
export function loadScenarioSource(file: string): ScenarioSource {
  const { loaded, text } = loadAnyScenarioSource(file);
  return { loaded: simulatedScenario(loaded), text };
}

/** Reads and parses any scenario file (a paper-only one included), keeping its text. */
export function loadAnyScenarioSource(file: string): { loaded: LoadedScenario<ScenarioFile>; text: string } {
  const text = readScenarioText(file);
  return { loaded: parseScenarioFile(text, file), text };
}

/** The largest scenario file read: a megabyte (the bundled ones are under 4 KB). */
export const MAX_SCENARIO_FILE_BYTES = 1 << 20;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A scenario (or session) file's text, or a ScenarioError saying why it cannot be read. */

export function readScenarioText(file: string): string {
  if (file === '') throw new ScenarioError('"": an empty path; name the scenario file');
  try {
    // A folder or a device is named as what it is: a device (/dev/zero, a terminal) would be read
    // until memory runs out or forever. A pipe (`<(sed ... file.yaml)`) ends and is read as a file.
    const stat = statSync(file);
    if (stat.isDirectory()) throw new ScenarioError(`${file}: a folder, not a scenario file`);
    if (stat.isCharacterDevice() || stat.isBlockDevice())
      throw new ScenarioError(`${file}: a ${stat.isBlockDevice() ? 'block' : 'character'} device, not a scenario file`);
    const bytes = readFileSync(file);
    // Past this size, or binary, the YAML parser would take seconds and hundreds of MB to list
    // thousands of problems that all say one thing: this is no scenario file.
    if (bytes.length > MAX_SCENARIO_FILE_BYTES)
      throw new ScenarioError(
        `${file}: ${bytes.length} bytes; a scenario file is at most ${MAX_SCENARIO_FILE_BYTES} (market data goes in replay files)`,
      );
    const nul = bytes.indexOf(0);
    if (nul !== -1)
      throw new ScenarioError(`${file}: not a text file (a NUL byte at offset ${nul}); a scenario is YAML text`);
    try {
      return utf8.decode(bytes);
    } catch {
      throw new ScenarioError(`${file}: not UTF-8 text; a scenario is YAML text in UTF-8`);
    }
  } catch (err) {
    if (err instanceof ScenarioError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    // Nothing there (or a file where a folder should be): every command says so in these words.
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new ScenarioError(`${file}: no such file or directory`);
    throw new ScenarioError(`${file}: cannot read the file (${code ?? String(err)})`);
  }
}

/** Reads a scenario a simulation can run (parseScenario). */
export function loadScenarioFile(file: string): LoadedScenario {
  return loadScenarioSource(file).loaded;
}

/** Reads any scenario file, a paper-only one included (parseScenarioFile). */
export function loadAnyScenarioFile(file: string): LoadedScenario<ScenarioFile> {
  return loadAnyScenarioSource(file).loaded;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
