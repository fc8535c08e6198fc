// Whether a stored paper run or session may go on with the module code a resume loads. A run
// runs the code it started with: a strategy module whose code changed since (its StrategyStarted
// event holds the hash it started with) or an algorithm module whose code changed (the run row
// holds the hashes its modules had at the start, algorithmCodes) refuses the resume, naming the
// field, the module and both code hashes, before anything connects or is written.
import type { LogEntry } from '../core/model/events.ts';
import type { LoadedScenario } from '../scenario/load-scenario.ts';
import type { ScenarioFile } from '../scenario/schema.ts';

/** An algorithm module as a run stores it at its start: the key its plans name it by (the name
 *  the file declares it under, or the path an order or a signal writes) and its code's hash. */
interface StoredAlgorithm {
  readonly module: string;
  readonly codeHash: string;
}

/** The field naming each loaded algorithm module, by the module's key: its declaration
 *  (`algorithms.NAME.path`), or the first order or signal naming it by path (`orders[i].algo.path`). */
function fieldsOf(loaded: LoadedScenario<ScenarioFile>): Map<string, string> {
  const out = new Map<string, string>();
  const s = loaded.scenario;
  for (const name of Object.keys(s.algorithms ?? {})) out.set(name, `algorithms.${name}.path`);
  const named = (section: 'orders' | 'signals', blocks: ReadonlyArray<{ readonly algo?: unknown }>): void =>
    blocks.forEach((b, i) => {
      const a = b.algo as { kind?: string; path?: string } | undefined;
      if (a?.kind === 'module' && a.path !== undefined && !out.has(a.path))
        out.set(a.path, `${section}[${i}].algo.path`);
    });
  named('orders', s.orders);
  named('signals', s.signals);
  return out;
}

/** What a run stores of its algorithm modules when it starts (JSON by field), or null: none. */
export function algorithmCodes(loaded: LoadedScenario<ScenarioFile>): string | null {
  const out: Record<string, StoredAlgorithm> = {};
  for (const [key, field] of fieldsOf(loaded)) {
    const a = loaded.algorithms.get(key);
    if (a !== undefined) out[field] = { module: key, codeHash: a.codeHash };
  }
  return Object.keys(out).length > 0 ? JSON.stringify(out) : null;
}

/** The modules a run stored at its start (an unreadable record: none, as for a run stored before
 *  they were recorded). */
function storedAlgorithms(stored: string | null | undefined): Record<string, StoredAlgorithm> {
  if (stored === null || stored === undefined) return {};
  try {
    const parsed = JSON.parse(stored) as unknown;
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, StoredAlgorithm>) : {};
  } catch {
    return {};
  }
}

/** Why a stored run cannot go on with its algorithm modules as they are now (one's code changed
 *  since the run started: `field: module has changed ... (code X then, Y now)`), or null. */
export function changedAlgorithm(
  stored: string | null | undefined,
  loaded: LoadedScenario<ScenarioFile>,
): string | null {
  const then = storedAlgorithms(stored);
  for (const [key, field] of fieldsOf(loaded)) {
    const was = then[field];
    const now = loaded.algorithms.get(key);
    if (was === undefined || now === undefined || was.codeHash === now.codeHash) continue;
    const module = field.startsWith('algorithms.') ? (loaded.scenario.algorithms?.[key]?.path ?? key) : key;
    return (
      `${field}: ${module} has changed since the run started (code ${was.codeHash} then, ${now.codeHash} now): ` +
      'restore it to resume the run, or start a new run'
    );
  }
  return null;
}

/** The scenario with each stored module also under the key its plans name it by: a paper run
 *  stores its scenario with module paths made absolute, while its log's plans name a module by
 *  the path as the file wrote it. */
export function withStoredKeys(
  loaded: LoadedScenario<ScenarioFile>,
  stored: string | null | undefined,
): LoadedScenario<ScenarioFile> {
  const then = storedAlgorithms(stored);
  const algorithms = new Map(loaded.algorithms);
  for (const [key, field] of fieldsOf(loaded)) {
    const was = then[field];
    const now = loaded.algorithms.get(key);
    if (was !== undefined && now !== undefined && !algorithms.has(was.module)) algorithms.set(was.module, now);
  }
  return algorithms.size === loaded.algorithms.size ? loaded : { ...loaded, algorithms };
}

/** Why a stored run cannot go on with the strategy module as it is now (its code changed since
 *  the run started: a resumed run runs the code it started with), or null. */
export function changedStrategy(loaded: LoadedScenario<ScenarioFile>, entries: readonly LogEntry[]): string | null {
  const now = loaded.strategy;
  if (now === null) return null;
  for (const e of entries) {
    const ev = e.event;
    if (ev.kind !== 'StrategyStarted' || ev.role !== 'live') continue;
    if (ev.codeHash === now.codeHash) return null;
    return (
      `strategy.module: ${loaded.scenario.strategy?.module ?? now.module} has changed since the run started ` +
      `(code ${ev.codeHash} then, ${now.codeHash} now): restore it to resume the run, or start a new run`
    );
  }
  return null;
}
