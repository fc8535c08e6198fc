// A service session's file: a scenario without timed inputs (orders, signals and actions come over
// HTTP), with a `mode` of `sim` (the scenario's simulated venue on the wall clock) or `paper` (the
// venue's paper account). Every problem is listed at once, naming its field; nothing starts on a
// refused file. What is refused and how a `strategy:` section is taken:
// docs/0070-store-service-and-cli-notes.md#srcscenariosession-filets. An `algorithms:` section
// is taken as a scenario's: the modules a request may name, loaded here, never from a request
// (docs/0078-declared-algorithm-modules.md).
import {
  listed,
  parseScenarioFields,
  parseYamlMapping,
  readScenarioText,
  simulatedScenario,
  type LoadedScenario,
  type ScenarioProblem,
} from './load-scenario.ts';
import type { ScenarioFile } from './schema.ts';

export const SESSION_MODES = ['sim', 'paper'] as const;
export type SessionMode = (typeof SESSION_MODES)[number];

/** A session file, parsed: its mode and its scenario (mode backtest for sim, paper for paper). */
export interface LoadedSession {
  readonly mode: SessionMode;
  readonly loaded: LoadedScenario<ScenarioFile>;
}

/** Sections that script a run's inputs: a session takes them over HTTP. */
const SCRIPTED = ['orders', 'signals', 'externalOrders', 'actions', 'restarts', 'expect'] as const;

const OVER_HTTP: Record<(typeof SCRIPTED)[number], string> = {
  orders: 'orders come over HTTP (POST /api/v1/orders/slice, POST /api/v1/orders)',
  signals: 'signals come over HTTP (POST /api/v1/signals)',
  externalOrders: 'a session trades on a venue whose other orders are its own; leave externalOrders out',
  actions: 'operator actions come over HTTP (POST /api/v1/kill-switch, /breaker, /orphans/{id}/resolve)',
  restarts: 'a session restarts when its server does; leave restarts out',
  expect: 'a session has no end to check expectations at; leave expect out',
};

export function loadSessionFile(file: string): LoadedSession {
  return parseSessionFile(readScenarioText(file), file);
}

export function parseSessionFile(text: string, file: string): LoadedSession {
  const raw = { ...(parseYamlMapping(text, file) as Record<string, unknown>) };
  const problems: ScenarioProblem[] = [];
  const given = raw['mode'] ?? 'sim';
  const mode = SESSION_MODES.find((m) => m === given);
  if (mode === undefined)
    problems.push({
      path: 'mode',
      message: `must be sim (the simulated venue on the wall clock) or paper (the venue's paper account), got ${JSON.stringify(given)}`,
    });
  for (const section of SCRIPTED) {
    const value = raw[section];
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) continue;
    problems.push({ path: section, message: `a session file has no ${section}: ${OVER_HTTP[section]}` });
  }
  raw['mode'] = mode === 'paper' ? 'paper' : 'backtest';
  let loaded: LoadedScenario<ScenarioFile> | null = null;
  try {
    loaded = parseScenarioFields(raw, file);
    if (mode === 'sim') simulatedScenario(loaded);
  } catch (err) {
    const listedProblems = (err as { problems?: readonly ScenarioProblem[] }).problems;
    if (!listedProblems || listedProblems.length === 0) throw err;
    problems.push(...listedProblems.map((p) => (p.message.includes('only a paper run') ? sessionWorld(p) : p)));
  }
  if (problems.length > 0 || loaded === null || mode === undefined) throw listed(file, problems);
  return { mode, loaded };
}

/** A sim session's missing start or market, said for a session. */
function sessionWorld(p: ScenarioProblem): ScenarioProblem {
  return {
    path: p.path,
    message: `a sim session simulates its market from ${p.path}; give it, or trade on a venue's paper account with mode: paper`,
  };
}
