// The bundled scenarios and validation of scenario text. The list reads the scenarios directory
// on each request (a file added there shows up without a restart) and reports a file that does
// not load with its problems rather than hiding it. Validation runs the loader itself
// (parseScenarioFile: schema, cross-field checks, run limits, TWAP plans), so "valid" here means
// what `execsim run` would accept, a file for paper runs only (mode: paper, no start, no market)
// included; it writes nothing, so it needs no token.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { loadScenarioFile, ScenarioError } from '../../scenario/load-scenario.ts';
import { fieldErrorSchema } from '../problem.ts';
import { loadScenarioText, problemsOf, scenarioText } from '../scenario-request.ts';
import { defineRoute, json, type AnyRoute } from '../route-spec.ts';
import { scenarioSummary, scenarioSummarySchema } from '../scenario-summary.ts';

export interface ScenarioDeps {
  /** The bundled scenario files (*.yaml). */
  readonly scenariosDir: string;
}

const listItem = z.discriminatedUnion('valid', [
  scenarioSummarySchema.extend({ valid: z.literal(true), file: z.string() }),
  z.object({ valid: z.literal(false), file: z.string(), errors: z.array(fieldErrorSchema) }),
]);

function listScenarios(dir: string): z.infer<typeof listItem>[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.ya?ml$/.test(n));
  } catch {
    return [];
  }
  return names.sort().map((file) => {
    try {
      return { valid: true as const, file, ...scenarioSummary(loadScenarioFile(join(dir, file))) };
    } catch (err) {
      if (err instanceof ScenarioError) return { valid: false as const, file, errors: problemsOf(err) };
      throw err;
    }
  });
}

export function scenarioRoutes(deps: ScenarioDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/scenarios',
      operationId: 'listScenarios',
      tag: 'scenarios',
      summary: 'The bundled scenario files, each with what it simulates (or its problems)',
      responses: { 200: json('the scenarios, by file name', z.object({ items: z.array(listItem) })) },
      handle: (_, c) => c.json({ items: listScenarios(deps.scenariosDir) }),
    }),
    defineRoute({
      method: 'POST',
      path: '/scenarios/validate',
      operationId: 'validateScenario',
      tag: 'scenarios',
      summary: 'Check scenario YAML as `execsim run` would, without running or storing anything',
      description:
        'The body is the YAML text (Content-Type text/yaml or application/yaml) or JSON {"yaml": "..."}. ' +
        'Replay files (market.files) are resolved from the scenarios directory and must be inside it.',
      auth: 'none',
      body: {
        'application/yaml': scenarioText,
        'text/yaml': scenarioText,
        'application/json': z.strictObject({ yaml: scenarioText.describe('the scenario file text') }),
      },
      problems: ['invalid-scenario'],
      responses: {
        200: json('the scenario is valid', z.object({ valid: z.literal(true), scenario: scenarioSummarySchema })),
      },
      handle: ({ body }, c) => {
        const text = body.mediaType === 'application/json' ? body.value.yaml : body.value;
        return c.json({ valid: true as const, scenario: scenarioSummary(loadScenarioText(text, deps.scenariosDir)) });
      },
    }),
  ];
}
