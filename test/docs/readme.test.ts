// The README and the pages in docs/ run as printed. Every fenced block is checked:
// - a block after `<!-- file: PATH -->` is that file, byte for byte (the file is what runs), and
//   a scenario when PATH is under scenarios/;
// - a block after `<!-- save: NAME -->` is a file the reader saves as NAME: an `output:` block
//   after it that names NAME runs on that text (the test saves it in a folder of its own, and
//   the folder's path is taken out of what is printed), and some `output:` block must;
// - a ```yaml block without one must be a valid scenario;
// - a block after `<!-- output: execsim ARGS -->` is what that command prints, where `…` inside
//   a line stands for any text (a run id, a wall time) and a line of just `…` for any lines;
// - a block after `<!-- usage -->` lists the commands `execsim --help` prints, all of them in its
//   order, each line as printed;
// - a ```sh block after `<!-- commands -->` runs as a script, as a reader pastes it into a shell
//   (bash -e, in a process group of its own, every printed --port replaced by a free one): each
//   line is an `export`, an `npx execsim` command, a `node FILE ARGS` of the repository, or
//   `kill %N`, and only `npx execsim gateway ... --port N &` runs in the background; the script
//   must exit 0 within three minutes, and leave nothing behind: every port it served must be
//   closed soon after it ends (npx's command outlives a `kill %1` of npx unless it notices);
// - other ```sh blocks are commands for a shell (the quick start's, a server's) and are left to CI;
// - no ```sh block runs a bare `execsim`: as the README does, `npx execsim` or `node bin/execsim.js`.
// Any other block fails the test: an example that nothing checks drifts. Every relative link
// names a file that exists, and an anchor a heading of the page it points to.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';
import { freePort } from '../support/free-port.ts';

interface Block {
  readonly line: number;
  readonly lang: string;
  readonly marker: string | null;
  readonly body: string;
}

function blocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i] as string);
    if (!open) continue;
    const start = i;
    let j = i + 1;
    while (j < lines.length && lines[j] !== '```') j++;
    let k = start - 1;
    while (k >= 0 && (lines[k] as string).trim() === '') k--;
    const marker = k >= 0 ? (/^<!--\s*(.*?)\s*-->$/.exec(lines[k] as string)?.[1] ?? null) : null;
    out.push({ line: start + 1, lang: open[1] ?? '', marker, body: lines.slice(start + 1, j).join('\n') + '\n' });
    i = j;
  }
  return out;
}

/** The printed lines match the README's: `…` in a line is any text, a line `…` any lines. */
export function matchesPrinted(expected: readonly string[], actual: readonly string[]): boolean {
  const re = (line: string) =>
    new RegExp(
      `^${line
        .split('…')
        .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
  const go = (i: number, j: number): boolean => {
    if (i === expected.length) return j === actual.length;
    const e = expected[i] as string;
    if (e.trim() === '…') {
      for (let k = j; k <= actual.length; k++) if (go(i + 1, k)) return true;
      return false;
    }
    return j < actual.length && re(e).test(actual[j] as string) && go(i + 1, j + 1);
  };
  return go(0, 0);
}

function run(args: readonly string[], db: string): { code: number; out: string[] } {
  const out: string[] = [];
  const code = main(args, {
    out: (t) => out.push(...t.split('\n')),
    err: (t) => out.push(...t.split('\n')),
    env: { EXECSIM_DB: db },
  });
  return { code, out };
}

/** The README and every Markdown page under docs/. */
function pages(): string[] {
  const under = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      return e.isDirectory() ? under(p) : e.name.endsWith('.md') ? [p] : [];
    });
  return ['README.md', ...under('docs').sort()];
}

/** The anchors GitHub gives a page's headings (outside code blocks): lower case, punctuation
 *  dropped, spaces as hyphens, a repeated heading numbered. */
export function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const h = fenced ? null : /^#{1,6}\s+(.*)$/.exec(line);
    if (!h) continue;
    const slug = (h[1] as string)
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

/** Relative link targets of a page (links and images), outside code blocks. */
function links(markdown: string): Array<{ line: number; target: string }> {
  const out: Array<{ line: number; target: string }> = [];
  let fenced = false;
  markdown.split('\n').forEach((line, i) => {
    if (line.startsWith('```')) fenced = !fenced;
    if (fenced) return;
    for (const m of line.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1] as string;
      if (!/^[a-z]+:/i.test(target)) out.push({ line: i + 1, target });
    }
  });
  return out;
}

/** How long a `<!-- commands -->` block may run, and how long after it a port it served may take
 *  to close (a command started through npx stops within a second of npx). */
const SCRIPT_BOUND_MS = 180_000;
const LEFT_BEHIND_BOUND_MS = 10_000;

/** A loopback port nothing listens on (the system's choice, released). */

/** Whether something accepts connections on the loopback port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls `check` until it holds or `ms` pass; whether it held. */
async function within(ms: number, check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The lines a `<!-- commands -->` block may hold (see the top comment). */
function checkCommandLines(body: string): void {
  for (const raw of body.split('\n')) {
    const line = raw.replace(/\s+#.*$/, '').trim();
    if (line === '' || line.startsWith('export ') || /^kill %\d$/.test(line)) continue;
    if (line.endsWith('&')) {
      expect(line, `${line}: only a gateway runs in the background, on a --port it names`).toMatch(
        /^npx execsim gateway .*--port \d+\s*&$/,
      );
      continue;
    }
    const words = line.split(/\s+/);
    if (words[0] === 'node') expect(existsSync(words[1] ?? ''), `${line}: runs a file of the repository`).toBe(true);
    else expect(words.slice(0, 2), line).toEqual(['npx', 'execsim']);
  }
}

/** Runs a `<!-- commands -->` block as a script (see the top comment); `db` is its database. */
async function runCommands(body: string, db: string): Promise<void> {
  checkCommandLines(body);
  // The printed ports replaced by free ones: a test takes no fixed port another may be using.
  let script = body;
  const ports: number[] = [];
  for (const printed of new Set([...body.matchAll(/--port (\d+)/g)].map((m) => m[1] as string))) {
    const port = await freePort();
    ports.push(port);
    script = script.replaceAll(`--port ${printed}`, `--port ${port}`).replaceAll(`:${printed}`, `:${port}`);
  }
  const child = spawn('bash', ['-e', '-c', script], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, EXECSIM_DB: db },
  });
  let printed = '';
  child.stdout.on('data', (d) => (printed += String(d)));
  child.stderr.on('data', (d) => (printed += String(d)));
  const group = child.pid as number;
  try {
    const timer = setTimeout(() => process.kill(-group, 'SIGKILL'), SCRIPT_BOUND_MS);
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    clearTimeout(timer);
    expect(code, `the block as a script:\n${script}\nprinted:\n${printed}`).toBe(0);
    for (const port of ports)
      expect(
        await within(LEFT_BEHIND_BOUND_MS, async () => !(await listening(port))),
        `the block left a server running on port ${port}:\n${script}`,
      ).toBe(true);
  } finally {
    // Whatever the block left in its process group.
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // nothing left
    }
  }
}

const README = readFileSync('README.md', 'utf8');
const dir = mkdtempSync(path.join(tmpdir(), 'execsim-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('README', () => {
  it('matchesPrinted: … stands for any text in a line, a lone … for any lines', () => {
    expect(matchesPrinted(['a …', '…', 'z'], ['a 1', 'b', 'c', 'z'])).toBe(true);
    expect(matchesPrinted(['a …', 'z'], ['a 1', 'b', 'z'])).toBe(false);
    expect(matchesPrinted(['a (…)'], ['a (x)'])).toBe(true);
    expect(matchesPrinted(['a (…)'], ['a x'])).toBe(false);
  });

  it('anchors: GitHub heading slugs, outside code blocks', () => {
    const page = '# A scenario, walked through\n## `parents[].unsent[]`\n```sh\n# not a heading\n```\n## x\n## x\n';
    expect([...anchors(page)]).toEqual(['a-scenario-walked-through', 'parentsunsent', 'x', 'x-1']);
  });

  it("the bundled scenarios' page lists every one in its tables, those of paper/ and gateway/ too", () => {
    const page = readFileSync('docs/reference/scenarios.md', 'utf8');
    for (const folder of ['', 'paper/', 'gateway/'])
      for (const f of readdirSync(`scenarios/${folder}`).filter((x) => x.endsWith('.yaml')))
        expect(page, folder + f).toContain(`| \`${folder}${f}\` |`);
  });
});

describe("the walkthrough's tips hold as written", () => {
  const scenario = readFileSync('scenarios/walkthrough.yaml', 'utf8');
  const from = README.indexOf('## A scenario, walked through');
  // The prose only (a fence's backticks would pair with a code span's), on one line.
  const section = README.slice(from, README.indexOf('\n## ', from))
    .replace(/^```[\s\S]*?^```$/gm, '')
    .replace(/\s+/g, ' ');
  /** The section's code spans that start with `prefix`: what it says a run prints. */
  const quoted = (prefix: string): string[] =>
    [...section.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string).filter((q) => q.startsWith(prefix));
  /** What `execsim run` prints for the walkthrough as changed by `edit`. */
  const printedWith = (name: string, edit: (text: string) => string): string[] => {
    const text = edit(scenario);
    expect(text, 'the edit changes the file').not.toBe(scenario);
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return run(['run', file, '--no-store'], '').out.map((l) => l.trim());
  };
  const digest = (args: readonly string[]): string =>
    (JSON.parse(run(['run', ...args, '--no-store', '--json'], '').out[0] as string) as { digest: string }).digest;

  it('without the safety.preTrade line both orders are refused, as quoted', () => {
    const printed = printedWith('no-pre-trade.yaml', (t) =>
      t
        .split('\n')
        .filter((l) => !l.trim().startsWith('preTrade:'))
        .join('\n'),
    );
    const refusals = quoted('refused ').filter((q) => q.includes('at pre_trade'));
    expect(refusals).toHaveLength(2);
    for (const r of refusals)
      expect(
        printed.some((l) => l.startsWith(r)),
        r,
      ).toBe(true);
  });

  it('without route: single the buy is a TWAP of which two slices go out, and the limit sell is refused', () => {
    const printed = printedWith('no-single.yaml', (t) => t.replaceAll(', route: single', ''));
    const said = [...quoted('twap: '), ...quoted('refused limit-sell at plan')];
    expect(said).toHaveLength(2);
    for (const s of said)
      expect(
        printed.some((l) => l.startsWith(s)),
        s,
      ).toBe(true);
  });

  it('another seed moves the digest; a scenario without randomness keeps it', () => {
    const walk = 'scenarios/walkthrough.yaml';
    expect(digest([walk])).toBe(digest([walk]));
    expect(digest([walk, '--seed', '8'])).not.toBe(digest([walk]));
    const fixed = 'scenarios/reject-window-signals.yaml';
    expect(digest([fixed, '--seed', '1'])).toBe(digest([fixed, '--seed', '2']));
  });
});

for (const page of pages()) {
  const text = readFileSync(page, 'utf8');
  describe(page, () => {
    it('links to files that exist and to headings they have', () => {
      for (const { line, target } of links(text)) {
        const [file, anchor] = target.split('#') as [string, string | undefined];
        const to = file === '' ? page : path.join(path.dirname(page), file);
        expect(existsSync(to), `${page}:${line}: ${target}`).toBe(true);
        if (anchor !== undefined && to.endsWith('.md'))
          expect([...anchors(readFileSync(to, 'utf8'))], `${page}:${line}: ${target}`).toContain(anchor);
      }
    });

    it('runs execsim as the README does (npx execsim or node bin/execsim.js), never as a bare execsim', () => {
      for (const b of blocks(text).filter((x) => x.lang === 'sh'))
        for (const line of b.body.split('\n'))
          expect(/^\s*execsim\s/.test(line), `${page}:${b.line}: ${line}`).toBe(false);
    });

    // The files the page has had the reader save by each block, and the blocks that use them.
    const saved = new Map<string, string>();
    const savedBefore = new Map<number, ReadonlyMap<string, string>>();
    const used = new Set<string>();
    for (const b of blocks(text)) {
      if (b.marker?.startsWith('save: ')) saved.set(b.marker.slice(6), b.body);
      savedBefore.set(b.line, new Map(saved));
      if (b.marker?.startsWith('output: ')) for (const w of b.marker.split(/\s+/)) if (saved.has(w)) used.add(w);
    }
    // A saved file counts as run when a command names it, or a file that runs names it (a
    // scenario's strategy module).
    for (const name of saved.keys()) if ([...used].some((u) => saved.get(u)?.includes(`./${name}`))) used.add(name);
    if (saved.size > 0)
      it('runs every file it has the reader save', () => expect([...used].sort()).toEqual([...saved.keys()].sort()));

    for (const b of blocks(text)) {
      const bound = b.marker === 'commands' ? { timeout: SCRIPT_BOUND_MS + LEFT_BEHIND_BOUND_MS + 10_000 } : {};
      it(`block at line ${b.line} (${b.marker ?? b.lang ?? 'text'}) is what it shows`, bound, async () => {
        const file = b.marker?.startsWith('file: ') ? b.marker.slice(6) : null;
        const output = b.marker?.startsWith('output: execsim ') ? b.marker.slice('output: execsim '.length) : null;
        if (b.marker?.startsWith('save: ')) {
          // Checked by the output blocks that run it (above).
        } else if (file !== null) {
          expect(b.body).toBe(readFileSync(file, 'utf8'));
          // A scenario file shown whole must also parse (other YAML files, a Prometheus config,
          // are checked byte for byte only).
          if (b.lang === 'yaml' && file.startsWith('scenarios/'))
            expect(() => parseScenario(b.body, file)).not.toThrow();
        } else if (output !== null) {
          const here = path.join(dir, `${page.replace(/\W/g, '_')}-${b.line}`);
          const files = savedBefore.get(b.line) ?? new Map<string, string>();
          mkdirSync(here, { recursive: true });
          for (const [name, body] of files) writeFileSync(path.join(here, name), body);
          const args = output.split(/\s+/).map((w) => (files.has(w) ? path.join(here, w) : w));
          const { out: printed } = run(args, `${here}.db`);
          const out = printed.map((l) => l.replaceAll(`${here}${path.sep}`, ''));
          while (out.at(-1) === '') out.pop();
          const expected = b.body.replace(/\n$/, '').split('\n');
          expect(matchesPrinted(expected, out), `printed:\n${out.join('\n')}`).toBe(true);
        } else if (b.marker === 'usage') {
          const { code, out } = run(['--help'], path.join(dir, 'help.db'));
          expect(code).toBe(0);
          for (const line of b.body.trim().split('\n'))
            expect(
              out.map((l) => l.trim()),
              line,
            ).toContain(line.trim());
          // And every command --help lists is in the block, in its order: none left out.
          const commands = out.map((l) => l.trim()).filter((l) => l.startsWith('execsim '));
          expect(
            b.body
              .trim()
              .split('\n')
              .map((l) => l.trim()),
          ).toEqual(commands);
        } else if (b.marker === 'commands') {
          await runCommands(b.body, path.join(dir, `${page.replace(/\W/g, '_')}-${b.line}.db`));
        } else if (b.lang === 'yaml') {
          expect(() => parseScenario(b.body, `${page}:${b.line}`)).not.toThrow();
        } else {
          expect(b.lang, 'a block that nothing checks: mark it file:, output: or usage').toBe('sh');
        }
      });
    }
  });
}
