// Scenario text sent over HTTP may name replay recordings (market.files), which validation opens
// to check them. Paths there are resolved from the scenarios directory and must stay inside it,
// so a request cannot probe the server's file system (does /x exist, is it a file, what does it
// record). The files are read from the YAML the same way the loader reads them, before the loader
// touches any of them; text that is not YAML enough to tell is left to the loader to refuse.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { parseDocument } from 'yaml';
import type { FieldError } from './problem.ts';

export function replayFilesOutside(text: string, dir: string): FieldError[] {
  let raw: unknown;
  try {
    const doc = parseDocument(text, { uniqueKeys: true });
    if (doc.errors.length > 0) return [];
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch {
    return [];
  }
  const files = (raw as { market?: { files?: unknown } } | null)?.market?.files;
  if (!Array.isArray(files)) return [];
  const problems: FieldError[] = [];
  files.forEach((f, i) => {
    if (typeof f !== 'string') return;
    const rel = relative(dir, resolve(dir, f));
    if (rel === '' || rel.split(sep)[0] === '..' || isAbsolute(rel)) {
      problems.push({
        path: `market.files[${i}]`,
        message: `over HTTP, replay files must be inside the scenarios directory (paths relative to it); ${JSON.stringify(f)} is not`,
      });
    }
  });
  return problems;
}
