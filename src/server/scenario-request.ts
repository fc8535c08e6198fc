// A scenario named in a request: a bundled one by name, or scenario text. Both are checked the way
// `execsim run` checks a file (schema, cross-field checks, run limits), so a refused request writes
// nothing and says which fields are wrong. A file written for paper runs only (mode: paper, no
// start, no market) is read as such; what must simulate it (a sweep, a backtest) asks for the
// simulated scenario (simulatedOrRefused), which names the fields it leaves out. Bundled names
// are file names in the scenarios directory (with or without .yaml) and cannot leave it; replay
// files and modules named by scenario text must be inside it too (path-field-guard.ts).
import { existsSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { z } from 'zod';
import {
  loadAnyScenarioSource,
  parseScenarioFields,
  parseYamlMapping,
  ScenarioError,
  simulatedScenario,
  type LoadedScenario,
  type ScenarioProblem,
} from '../scenario/load-scenario.ts';
import type { Scenario, ScenarioFile } from '../scenario/schema.ts';
import { ProblemError, type FieldError } from './problem.ts';
import { outsidePathErrors } from './path-field-guard.ts';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Scenario text over HTTP: at most this many characters. The bundled scenarios are under 4 KB.
 *  The YAML parser runs on the server's one thread and takes about a third of a second for 64 KB
 *  of its slowest shapes (long flow lists) on a small machine, so this bounds how long one request
 *  can hold up every other, a session's kill switch included. */
export const MAX_SCENARIO_TEXT = 65_536;

/** Scenario text in a request body (a field, or the whole body of the validation route). */
export const scenarioText = z
  .string()
  .max(
    MAX_SCENARIO_TEXT,
    `must be at most ${MAX_SCENARIO_TEXT} characters (a scenario file is a few KB; market data goes in replay files)`,
  );

/** The request fields that name a scenario: exactly one of them. */
export const scenarioRequestSchema = z.strictObject({
  scenario: z
    .string()
    .regex(NAME, 'must be the name of a bundled scenario (GET /scenarios lists them)')
    .optional()
    .describe('a bundled scenario by name, e.g. twap-calm'),
  yaml: scenarioText.min(1, 'must not be empty').optional().describe('scenario file text'),
});

export interface ScenarioRequest<S extends ScenarioFile = Scenario> {
  /** The name the scenario goes by for the loader (a path: replay files resolve from its folder). */
  readonly name: string;
  readonly file?: string;
  readonly yaml?: string;
  /** The scenario file's text (what a sweep stores to re-run its paths). */
  readonly text: string;
  readonly loaded: LoadedScenario<S>;
}

/** Problems listed in a 422 answer; the detail counts the rest. */
const MAX_LISTED = 50;

const asFieldErrors = (problems: readonly ScenarioProblem[]): FieldError[] =>
  problems.map((p) => ({ path: p.path, message: p.message }));

/** The loader's problems of `err`; one whole-document problem when it carries none. */
export const problemsOf = (err: ScenarioError): FieldError[] =>
  err.problems.length > 0 ? asFieldErrors(err.problems) : [{ path: '', message: err.message }];

/** Throws the 422 problem listing a scenario's problems. */
export function invalidScenario(errors: readonly FieldError[]): never {
  const shown = errors.slice(0, MAX_LISTED);
  const more = errors.length > shown.length ? ` (the first ${shown.length} are listed)` : '';
  throw new ProblemError(
    'invalid-scenario',
    `the scenario has ${errors.length} problem${errors.length === 1 ? '' : 's'}${more}`,
    shown,
  );
}

/** Loads scenario text sent over HTTP as the loader would from a file in `dir`: any scenario file,
 *  a paper-only one included, as `execsim run` reads it. */
export function loadScenarioText(text: string, dir: string): LoadedScenario<ScenarioFile> {
  const file = join(dir, '(request).yaml');
  const raw = orRefused(() => parseYamlMapping(text, file));
  const outside = outsidePathErrors(raw, dir);
  if (outside.length > 0) invalidScenario(outside);
  try {
    return parseScenarioFields(raw, file);
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    // Paths said relative to the scenarios directory, as the text names them: an answer does not
    // show where the server's files are.
    const within = `${resolve(dir)}${sep}`;
    invalidScenario(problemsOf(err).map((p) => ({ path: p.path, message: p.message.split(within).join('') })));
  }
}

/** The scenario as a simulation needs it, or the 422 naming what a paper-only file leaves out. */
export function simulatedOrRefused(loaded: LoadedScenario<ScenarioFile>): LoadedScenario {
  return orRefused(() => simulatedScenario(loaded));
}

/** The loader's answer, its ScenarioError turned into the 422. */
function orRefused<T>(load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (err instanceof ScenarioError) invalidScenario(problemsOf(err));
    throw err;
  }
}

/** The scenario a request names, as a simulation needs it (a paper-only file is a 422). */
export function resolveScenarioRequest(value: z.output<typeof scenarioRequestSchema>, dir: string): ScenarioRequest {
  const request = resolveAnyScenarioRequest(value, dir);
  return { ...request, loaded: simulatedOrRefused(request.loaded) };
}

/** The scenario a request names, whatever it is for (a paper-only file included). */
export function resolveAnyScenarioRequest(
  value: z.output<typeof scenarioRequestSchema>,
  dir: string,
): ScenarioRequest<ScenarioFile> {
  const { scenario, yaml } = value;
  if ((scenario === undefined) === (yaml === undefined)) {
    throw new ProblemError('bad-request', 'name a bundled scenario or send scenario text, not both and not neither', [
      { path: 'body', message: 'must have exactly one of "scenario" and "yaml"' },
    ]);
  }
  if (yaml !== undefined)
    return { name: join(dir, '(request).yaml'), yaml, text: yaml, loaded: loadScenarioText(yaml, dir) };
  const name = scenario as string;
  const candidates = /\.ya?ml$/.test(name) ? [name] : [`${name}.yaml`, `${name}.yml`];
  const file = candidates.map((n) => join(dir, n)).find((f) => existsSync(f) && statSync(f).isFile());
  if (file === undefined) {
    throw new ProblemError(
      'bad-request',
      `no bundled scenario named ${JSON.stringify(name)} (GET /scenarios lists them)`,
      [{ path: 'body.scenario', message: 'no bundled scenario by this name' }],
    );
  }
  const { loaded, text } = orRefused(() => loadAnyScenarioSource(file));
  return { name: file, file, text, loaded };
}
