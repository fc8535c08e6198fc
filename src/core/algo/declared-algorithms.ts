// The user's algorithm modules a file declares by name (its `algorithms` section), as orders,
// signals, a session's requests and a strategy's signals name them: a name resolves to the
// engine's request with the declared params, the request's own replacing them key by key. A
// request never names a module by path, so only code the file loaded when it started can run.
import type { AlgoRequest } from './intent-algorithm.ts';

/** The modules a file's `algorithms` section declares, by name, with their default params. */
export type DeclaredAlgorithms = Readonly<Record<string, { readonly params: Readonly<Record<string, unknown>> }>>;

/** What is said of an algorithm name the file does not declare. */
export function undeclared(name: string, declared: Readonly<Record<string, unknown>>, file = 'the file'): string {
  const names = Object.keys(declared);
  return names.length === 0
    ? `no algorithm module is named ${JSON.stringify(name)}: ${file} declares none (its algorithms section: { ${name}: { path, params } })`
    : `no algorithm module is named ${JSON.stringify(name)}: ${file} declares ${names.join(', ')} (its algorithms section)`;
}

/** A declared module as the engine's request: its declared params, the given ones replacing
 *  them key by key (a shallow merge: a nested object given replaces the declared one whole). */
export function moduleRequest(
  name: string,
  params: Readonly<Record<string, unknown>>,
  declared: DeclaredAlgorithms,
  horizon: { readonly durationMs?: number } = {},
): AlgoRequest {
  const d = Object.hasOwn(declared, name) ? declared[name] : undefined;
  // The file's checks refused an undeclared name before any request is made of it.
  if (d === undefined) throw new Error(`algo.name: ${name} is not declared`);
  return { algo: 'module', module: name, params: { ...d.params, ...params }, ...horizon };
}
