// Reads and validates scenario files. Every problem becomes one ScenarioError whose message
// names the file, the field path and the problem ("scenarios/x.yaml: orders[0].qty: ...").
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { canonicalJson } from '../core/log/canonical-json.ts';
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

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(top level)';
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.message.includes('received undefined')) return 'is required';
  return issue.message;
}

export function parseScenario(text: string, file: string): LoadedScenario {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0] as (typeof doc.errors)[number];
    const pos = lineCounter.linePos(err.pos[0]);
    const where = `line ${pos.line}, column ${pos.col}: `;
    throw new ScenarioError(`${file}: ${where}invalid YAML: ${err.message.split('\n')[0]}`);
  }
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ScenarioError(`${file}: a scenario must be a YAML mapping of fields (name, seed, venue, ...)`);
  }
  const result = scenarioSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues;
    const first = issues[0] as z.core.$ZodIssue;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
    throw new ScenarioError(`${file}: ${formatPath(first.path)}: ${describe(first)}${more}`);
  }
  const scenario = deepFreeze(result.data);
  if (scenario.market.model === 'replay') {
    scenario.market.files.forEach((f, i) => {
      const path = resolve(dirname(file), f);
      if (!existsSync(path)) throw new ScenarioError(`${file}: market.files[${i}]: no such file ${path} (paths are relative to the scenario file)`);
    });
  }
  const canonical = canonicalJson(scenario);
  return { file, scenario, canonical, hash: createHash('sha256').update(canonical).digest('hex') };
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
