// Scenario text sent over HTTP may name replay recordings (market.files), which validation opens
// to check them, and strategy and algorithm modules (strategy.module, a swap_strategy action's
// module, the algorithms section's paths, an order's or a signal's algo.path), which loading
// runs. Paths there are resolved from the scenarios directory and must stay inside it, so
// a request cannot probe the server's file system (does /x exist, is it a file, what does it
// record) nor run code from it. The paths are read from the YAML the same way the loader reads
// them (from the one parse of the text), before the loader touches any of them.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { FieldError } from './problem.ts';

/** A problem for each field of a scenario's parsed YAML (`raw`, as parseYamlMapping reads it)
 *  whose path lies outside `dir` (none: every path is inside it). */
export function outsidePathErrors(raw: object, dir: string): FieldError[] {
  const doc = raw as {
    market?: { files?: unknown };
    strategy?: { module?: unknown };
    actions?: unknown;
    algorithms?: unknown;
    orders?: unknown;
    signals?: unknown;
  } | null;
  const files = doc?.market?.files;
  const problems: FieldError[] = [];
  const outside = (f: string): boolean => {
    const rel = relative(dir, resolve(dir, f));
    return rel === '' || rel.split(sep)[0] === '..' || isAbsolute(rel);
  };
  if (Array.isArray(files)) {
    files.forEach((f, i) => {
      if (typeof f !== 'string' || !outside(f)) return;
      problems.push({
        path: `market.files[${i}]`,
        message: `over HTTP, replay files must be inside the scenarios directory (paths relative to it); ${JSON.stringify(f)} is not`,
      });
    });
  }
  const module = doc?.strategy?.module;
  if (typeof module === 'string' && outside(module)) {
    problems.push({
      path: 'strategy.module',
      message: `over HTTP, a strategy module must be inside the scenarios directory (paths relative to it); ${JSON.stringify(module)} is not`,
    });
  }
  if (Array.isArray(doc?.actions)) {
    doc.actions.forEach((a: unknown, i) => {
      const m = (a as { module?: unknown } | null)?.module;
      if (typeof m !== 'string' || !outside(m)) return;
      problems.push({
        path: `actions[${i}].module`,
        message: `over HTTP, a strategy module must be inside the scenarios directory (paths relative to it); ${JSON.stringify(m)} is not`,
      });
    });
  }
  const algorithmOutside = (path: string, m: unknown): void => {
    if (typeof m !== 'string' || !outside(m)) return;
    problems.push({
      path,
      message: `over HTTP, an algorithm module must be inside the scenarios directory (paths relative to it); ${JSON.stringify(m)} is not`,
    });
  };
  const algorithms = doc?.algorithms;
  if (algorithms !== null && typeof algorithms === 'object' && !Array.isArray(algorithms))
    for (const [name, d] of Object.entries(algorithms))
      algorithmOutside(`algorithms.${name}.path`, (d as { path?: unknown } | null)?.path);
  for (const section of ['orders', 'signals'] as const) {
    const list = doc?.[section];
    if (!Array.isArray(list)) continue;
    list.forEach((o: unknown, i) =>
      algorithmOutside(`${section}[${i}].algo.path`, (o as { algo?: { path?: unknown } | null } | null)?.algo?.path),
    );
  }
  return problems;
}
