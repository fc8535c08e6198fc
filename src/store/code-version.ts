// The code version stored with every run: package version plus the git commit when the
// checkout has one, so a digest that changes can be traced to the code that changed it.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function codeVersion(): string {
  if (cached !== undefined) return cached;
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string };
  let commit: string;
  try {
    commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
  } catch {
    commit = '';
  }
  cached = commit ? `${pkg.version}+${commit}` : pkg.version;
  return cached;
}
