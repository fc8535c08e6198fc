// A package the build bundled apart for code in dist/ to load (scripts/build.js,
// docs/0095-packages-bundled-apart.md): one CommonJS file with a V8 code cache beside it, which loads
// in about half the CPU of the package's own files, compiled afresh in every process. Code built
// into dist/ knows the bundle's file name (a constant the build defines); the sources do not, and
// load the package itself.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runBundle } from '../boot/bundle-runner.js';

/**
 * The exports of the bundle `file` in dist/ (undefined or null: this code was not built with one),
 * run with its code cache; its require resolves packages left out of it from `requireFrom` (a
 * file of the package, whose own dependencies may sit in its node_modules). Null when there is
 * no such bundle, or its file is gone: the caller loads the package itself.
 */
export function bundledPackage(file: string | null | undefined, requireFrom: string): Record<string, unknown> | null {
  if (typeof file !== 'string') return null;
  // Built into dist/, this module's URL is still its source's (src/live/): dist/ is beside src/.
  const path = fileURLToPath(new URL(`../../dist/${file}`, import.meta.url));
  return existsSync(path) ? runBundle(path, { requireFrom }) : null;
}
