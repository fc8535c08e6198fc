// The README and the pages in docs/ run as printed. Every fenced block is checked:
// - a block after `<!-- file: PATH -->` is that file, byte for byte (the file is what runs), and
//   a scenario when PATH is under scenarios/;
// - a block after `<!-- save: NAME -->` is a file the reader saves as NAME: an `output:` block
//   after it that names NAME runs on that text (the test saves it in a folder of its own, and
//   the folder's path is taken out of what is printed), and some `output:` block must;
// - a ```yaml block without one must be a valid scenario;
// - a block after `<!-- output: execsim ARGS -->` is what that command prints, where `…` inside
//   a line stands for any text (a run id, a wall time) and a line of just `…` for any lines;
// - a block after `<!-- usage -->` lists commands `execsim --help` prints, each line as printed;
// - a ```sh block after `<!-- commands -->` runs as a shell would run it: `export` sets the
//   environment, a line ending in `&` starts `execsim gateway` (in this process, on a free port
//   that replaces the printed one in the lines after it), `kill %1` stops it, a `node FILE ARGS`
//   line runs that file of the repository in a child process (the printed URLs in its arguments
//   replaced, the exported environment given) that must exit 0 within a minute, and every other
//   line is an `npx execsim` command that must exit 0;
// - other ```sh blocks are commands for a shell (the quick start's, a server's) and are left to CI;
// - no ```sh block runs a bare `execsim`: as the README does, `npx execsim` or `node bin/execsim.js`.
// Any other block fails the test: an example that nothing checks drifts. Every relative link
// names a file that exists, and an anchor a heading of the page it points to.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startGateway } from '../src/cli/gateway-command.ts';
import type { Io } from '../src/cli/io.ts';
import { main, runCli } from '../src/cli/main.ts';
import type { RunningGateway } from '../src/gateway/gateway-entry.ts';
import { parseScenario } from '../src/scenario/load-scenario.ts';

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

/** Runs a `<!-- commands -->` block (see the top comment); `db` is the database its runs use. */
async function runCommands(body: string, db: string): Promise<void> {
  const env: Record<string, string> = { EXECSIM_DB: db };
  const io: Io = { out: () => {}, err: () => {}, env };
  const servers: RunningGateway[] = [];
  const urls = new Map<string, string>();
  const local = (word: string): string => [...urls].reduce((w, [printed, real]) => w.replace(printed, real), word);
  try {
    for (const raw of body.split('\n')) {
      const line = raw.replace(/\s+#.*$/, '').trim();
      if (line === '') continue;
      if (line.startsWith('export ')) {
        for (const pair of line.slice('export '.length).trim().split(/\s+/)) {
          const [k, v] = pair.split('=') as [string, string];
          env[k] = v;
        }
      } else if (line === 'kill %1') {
        await servers.shift()?.close();
      } else {
        const background = line.endsWith('&');
        const words = line.replace(/&$/, '').trim().split(/\s+/);
        if (words[0] === 'node' && !background) {
          await runNode(words.slice(1).map(local), env, line);
          continue;
        }
        expect(words.slice(0, 2), line).toEqual(['npx', 'execsim']);
        const args = words.slice(2).map(local);
        if (background) {
          expect(args[0], `${line}: only a gateway runs in the background`).toBe('gateway');
          const port = args.indexOf('--port') + 1;
          expect(port, `${line}: names its --port`).toBeGreaterThan(0);
          const printed = args[port] as string;
          args[port] = '0';
          const gw = (await startGateway(args.slice(1), io)) as RunningGateway;
          servers.push(gw);
          urls.set(`http://127.0.0.1:${printed}`, gw.url);
        } else {
          const errs: string[] = [];
          const code = await runCli(args, { ...io, err: (t) => void errs.push(t) });
          expect(code, `${line}\n${errs.join('\n')}`).toBe(0);
        }
      }
    }
    expect(servers, 'every server started is stopped (kill %1)').toEqual([]);
  } finally {
    for (const s of servers) await s.close();
  }
}

/** Runs a file of the repository with node in a child process (this process serves its
 *  gateway, so it must not block): it must exit 0 within a minute. */
async function runNode(args: readonly string[], env: Record<string, string>, line: string): Promise<void> {
  expect(existsSync(args[0] ?? ''), `${line}: runs a file of the repository`).toBe(true);
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let printed = '';
  child.stdout.on('data', (d) => (printed += String(d)));
  child.stderr.on('data', (d) => (printed += String(d)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  expect(code, `${line}\n${printed}`).toBe(0);
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
      it(`block at line ${b.line} (${b.marker ?? b.lang ?? 'text'}) is what it shows`, async () => {
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
