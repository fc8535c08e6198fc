// local/no-cycle: no import cycle among the files under `root` (default src). The graph has an
// edge for every static import and export-from, type-only ones included (option `types`, default
// true): a type import is a dependency as much as any, and a circle of them means two modules
// that cannot be understood apart; shared types belong in a module below both. With `types`
// false only run-time imports count (those can make initialisation cycles). Dynamic import()
// loads lazily and is never an edge. Every file is read
// from disk and parsed once per lint run (re-read when its mtime or size changes, for editors);
// the file being linted uses its own, possibly unsaved, source (the same rule on ESLint's AST).
// An import that closes a cycle is
// reported on its statement, with the whole cycle spelled out.
// Options: { root: 'src', allow: [{ from, to, reason }] } where from/to are paths relative to
// cwd: an allowed edge is left out of the graph (a known cycle being worked off), and reported
// once it no longer exists, so the list cannot go stale.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { display, isRelative, staticImportsOf } from './import-paths.js';

/** file -> { stamp, targets } for files read from disk. */
const cache = new Map();

function listFiles(root) {
  let names;
  try {
    names = readdirSync(root, { recursive: true });
  } catch {
    return [];
  }
  return names.filter((n) => /\.(ts|tsx|js|mjs)$/.test(n) && !n.endsWith('.d.ts')).map((n) => path.join(root, n));
}

function ownTargets(program, file, types) {
  return staticImportsOf(program, { types })
    .filter((i) => isRelative(i.specifier))
    .map((i) => ({ node: i.node, target: path.resolve(path.dirname(file), i.specifier) }));
}

/** staticImportsOf for a file on disk, read with TypeScript's own parser (much faster than a
 *  full ESLint parse; it never throws: a file with syntax errors gets those from ESLint). */
function targetsOnDisk(file, types) {
  const st = statSync(file);
  const stamp = `${st.mtimeMs}:${st.size}:${types}`;
  const hit = cache.get(file);
  if (hit && hit.stamp === stamp) return hit.targets;
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const targets = [];
  for (const s of source.statements) {
    const counted = ts.isImportDeclaration(s)
      ? types || !s.importClause?.isTypeOnly
      : ts.isExportDeclaration(s) && (types || !s.isTypeOnly);
    if (counted && s.moduleSpecifier && ts.isStringLiteral(s.moduleSpecifier) && isRelative(s.moduleSpecifier.text)) {
      targets.push(path.resolve(path.dirname(file), s.moduleSpecifier.text));
    }
  }
  cache.set(file, { stamp, targets });
  return targets;
}

/** Shortest path from `start` to `goal` along the graph's edges, both ends included, or null. */
function shortestPath(graph, start, goal) {
  const previous = new Map([[start, null]]);
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const at = queue[i];
    if (at === goal) {
      const out = [];
      for (let p = at; p !== null; p = previous.get(p)) out.push(p);
      return out.reverse();
    }
    for (const next of graph.get(at) ?? []) {
      if (!previous.has(next)) {
        previous.set(next, at);
        queue.push(next);
      }
    }
  }
  return null;
}

export default {
  meta: {
    type: 'problem',
    docs: { description: 'Disallow import cycles among the files under root' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          types: { type: 'boolean' },
          allow: {
            type: 'array',
            items: {
              type: 'object',
              properties: { from: { type: 'string' }, to: { type: 'string' }, reason: { type: 'string' } },
              required: ['from', 'to', 'reason'],
              additionalProperties: false,
            },
          },
        },
        additionalProperties: false,
      },
    ],
    messages: {
      cycle: 'import cycle: {{cycle}}',
      staleAllow:
        'the allowed import {{from}} -> {{to}} no longer exists: remove it from the local/no-cycle allow list',
    },
  },
  create(context) {
    const options = context.options[0] ?? {};
    const cwd = context.cwd;
    const root = path.resolve(cwd, options.root ?? 'src');
    const file = context.filename;
    const types = options.types ?? true;
    if (path.relative(root, file).startsWith('..')) return {};
    const allow = (options.allow ?? []).map((a) => ({ from: path.resolve(cwd, a.from), to: path.resolve(cwd, a.to) }));
    const allowed = (from, to) => allow.some((a) => a.from === from && a.to === to);
    return {
      'Program:exit'(program) {
        const own = ownTargets(program, file, types);
        const graph = new Map();
        for (const f of listFiles(root))
          if (f !== file)
            graph.set(
              f,
              targetsOnDisk(f, types).filter((t) => !allowed(f, t)),
            );
        graph.set(
          file,
          own.map((o) => o.target).filter((t) => !allowed(file, t)),
        );
        for (const a of allow) {
          if (a.from === file && !own.some((o) => o.target === a.to)) {
            context.report({
              loc: { line: 1, column: 0 },
              messageId: 'staleAllow',
              data: { from: display(a.from, cwd), to: display(a.to, cwd) },
            });
          }
        }
        const reported = new Set();
        for (const { node, target } of own) {
          if (allowed(file, target) || reported.has(node)) continue;
          const back = shortestPath(graph, target, file);
          if (back === null) continue;
          reported.add(node);
          context.report({
            node,
            messageId: 'cycle',
            data: { cycle: [file, ...back].map((f) => display(f, cwd)).join(' -> ') },
          });
        }
      },
    };
  },
};
