// The code version stored with every run: package version plus the git commit when the
// checkout has one, so a digest that changes can be traced to the code that changed it.
// The commit is read from the repository's files (HEAD, then the branch's loose ref or
// packed-refs), as git itself resolves it, instead of running `git rev-parse`: starting a git
// process cost a stored run 10-20 ms of wall time and its CPU. A layout this reader does not
// know (a reftable repository, say) falls back to asking git; node:child_process is loaded only
// then (loading it costs a process about 5 ms of CPU).
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function codeVersion(): string {
  if (cached !== undefined) return cached;
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string };
  const commit = headCommit(root);
  cached = commit ? `${pkg.version}+${commit}` : pkg.version;
  return cached;
}

/** The commit `root`'s checkout is at, abbreviated to 12 hex digits, or '' when `root` is not in
 *  a git checkout (an npm install from a tarball). */
export function headCommit(root: string): string {
  const read = readHeadCommit(root);
  if (read !== null) return read.slice(0, 12);
  try {
    return process
      .getBuiltinModule('node:child_process')
      .execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return '';
  }
}

const OBJECT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

const text = (file: string): string | null => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};

/** The full commit id of HEAD read from the files of the git directory above `root`, or null
 *  when they do not give one (no checkout, or a layout to leave to git). */
export function readHeadCommit(root: string): string | null {
  const gitDir = findGitDir(root);
  if (gitDir === null) return null;
  const head = text(path.join(gitDir, 'HEAD'))?.trim();
  if (head === undefined) return null;
  if (OBJECT_ID.test(head)) return head; // detached
  if (!head.startsWith('ref: ')) return null;
  const ref = head.slice(5).trim();
  // A linked worktree keeps its own HEAD; branches live in the common directory.
  const common = text(path.join(gitDir, 'commondir'))?.trim();
  const commonDir = common ? path.resolve(gitDir, common) : gitDir;
  for (const dir of [gitDir, commonDir]) {
    const loose = text(path.join(dir, ref))?.trim();
    if (loose !== undefined && OBJECT_ID.test(loose)) return loose;
  }
  const packed = text(path.join(commonDir, 'packed-refs'));
  if (packed === null) return null;
  for (const line of packed.split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0 && line.slice(space + 1).trim() === ref && OBJECT_ID.test(line.slice(0, space)))
      return line.slice(0, space);
  }
  return null;
}

/** The git directory of the checkout that holds `root`: the nearest `.git` above it, a folder, or
 *  a file naming the folder (a linked worktree, a submodule). */
function findGitDir(root: string): string | null {
  for (let dir = path.resolve(root); ; dir = path.dirname(dir)) {
    const dotGit = path.join(dir, '.git');
    let isDir: boolean | null;
    try {
      isDir = statSync(dotGit).isDirectory();
    } catch {
      isDir = null;
    }
    if (isDir === true) return dotGit;
    if (isDir === false) {
      const pointer = /^gitdir:\s*(.+)$/m.exec(text(dotGit) ?? '');
      return pointer ? path.resolve(dir, (pointer[1] as string).trim()) : null;
    }
    if (path.dirname(dir) === dir) return null;
  }
}
