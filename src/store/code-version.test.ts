import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headCommit, readHeadCommit } from './code-version.ts';

// Each case is checked against git itself: what the reader finds in the files is what
// `git rev-parse HEAD` answers.
const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', args, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.invalid',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.invalid',
    },
  })
    .toString()
    .trim();

describe('the commit a checkout is at, read from its files', () => {
  let dir: string;
  let repo: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'execsim-code-version-'));
    repo = path.join(dir, 'repo');
    mkdirSync(repo);
    git(repo, 'init', '-q', '-b', 'main');
    writeFileSync(path.join(repo, 'a.txt'), 'a\n');
    git(repo, 'add', 'a.txt');
    git(repo, 'commit', '-q', '-m', 'first');
    writeFileSync(path.join(repo, 'a.txt'), 'b\n');
    git(repo, 'commit', '-q', '-am', 'second');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a branch with a loose ref, from the checkout and from a folder inside it', () => {
    const head = git(repo, 'rev-parse', 'HEAD');
    expect(readHeadCommit(repo)).toBe(head);
    mkdirSync(path.join(repo, 'src', 'store'), { recursive: true });
    expect(readHeadCommit(path.join(repo, 'src', 'store'))).toBe(head);
    expect(headCommit(repo)).toBe(git(repo, 'rev-parse', '--short=12', 'HEAD'));
  });

  it('a branch whose ref is packed', () => {
    git(repo, 'pack-refs', '--all');
    expect(readHeadCommit(repo)).toBe(git(repo, 'rev-parse', 'HEAD'));
    // A new commit writes a loose ref again, which wins over the packed one.
    writeFileSync(path.join(repo, 'a.txt'), 'c\n');
    git(repo, 'commit', '-q', '-am', 'third');
    expect(readHeadCommit(repo)).toBe(git(repo, 'rev-parse', 'HEAD'));
  });

  it('a detached HEAD', () => {
    const first = git(repo, 'rev-list', '--max-parents=0', 'HEAD');
    git(repo, 'checkout', '-q', first);
    try {
      expect(readHeadCommit(repo)).toBe(first);
    } finally {
      git(repo, 'checkout', '-q', 'main');
    }
  });

  it('a linked worktree on its own branch', () => {
    const tree = path.join(dir, 'tree');
    git(repo, 'worktree', 'add', '-q', '-b', 'side', tree, 'HEAD~1');
    expect(readHeadCommit(tree)).toBe(git(tree, 'rev-parse', 'HEAD'));
    expect(readHeadCommit(tree)).not.toBe(readHeadCommit(repo));
  });

  it('a layout the reader leaves to git (a branch that is a symbolic ref to another): asks git', () => {
    const nested = path.join(dir, 'nested');
    git(repo, 'clone', '-q', repo, nested);
    git(nested, 'symbolic-ref', 'refs/heads/alias', 'refs/heads/main');
    git(nested, 'symbolic-ref', 'HEAD', 'refs/heads/alias');
    expect(readHeadCommit(nested)).toBeNull();
    const short = git(nested, 'rev-parse', '--short=12', 'HEAD');
    expect(short).toMatch(/^[0-9a-f]{12}$/);
    expect(headCommit(nested)).toBe(short);
  });

  it('no checkout, or a branch with no commit yet: nothing read, and no commit at all', () => {
    const plain = path.join(dir, 'plain');
    mkdirSync(plain);
    // The temporary folder is not inside a checkout on any machine this runs on.
    expect(readHeadCommit(plain)).toBeNull();
    expect(headCommit(plain)).toBe('');
    const empty = path.join(dir, 'empty');
    mkdirSync(empty);
    git(empty, 'init', '-q', '-b', 'main');
    expect(readHeadCommit(empty)).toBeNull();
    expect(headCommit(empty)).toBe('');
  });
});
