// The version in package.json, in a module of its own: `execsim --version` loads this and the
// process's I/O, not the usage text (which names the registered gateways and the database path).
import { readFileSync } from 'node:fs';

/** The version in package.json. */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
