// Shared by the local layering and cycle rules: which modules a file imports, resolved to
// absolute paths. Relative specifiers resolve against the importing file's folder, so
// '../sim/x.ts' means src/sim only when written from a file directly under src/<layer>/ (a
// pattern on the specifier text could not tell); bare specifiers are packages.
import path from 'node:path';

/** The node types (typescript-eslint's AST) that name another module. */
export const IMPORT_NODES = [
  'ImportDeclaration',
  'ExportNamedDeclaration',
  'ExportAllDeclaration',
  'ImportExpression',
  'TSImportType',
];

/** The module one of IMPORT_NODES names, or null (a literal-free import(), an export without
 *  `from`). */
export function specifierOf(node) {
  const source = node.type === 'TSImportType' ? (node.source ?? node.argument?.literal) : node.source;
  return source && source.type === 'Literal' && typeof source.value === 'string' ? source.value : null;
}

/** The modules a program depends on through its top-level import and export-from statements.
 *  With `types` false, only those it loads when it is loaded: `import type` / `export type` are
 *  erased, so they are left out (with verbatimModuleSyntax `import { type X }` still loads the
 *  module, so it counts). import() is lazy and TSImportType is a type, so neither is counted. */
export function staticImportsOf(program, { types = true } = {}) {
  const found = [];
  for (const node of program.body) {
    if (
      node.type !== 'ImportDeclaration' &&
      node.type !== 'ExportNamedDeclaration' &&
      node.type !== 'ExportAllDeclaration'
    )
      continue;
    if (!types && (node.type === 'ImportDeclaration' ? node.importKind === 'type' : node.exportKind === 'type'))
      continue;
    const specifier = specifierOf(node);
    if (specifier !== null) found.push({ node, specifier });
  }
  return found;
}

export const isRelative = (specifier) => specifier.startsWith('./') || specifier.startsWith('../');

/** The package a bare specifier names: 'zod', '@js-joda/core', 'node:crypto'. */
export function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The layer of an absolute path: its first folder under `root` (src/core/x/y.ts -> 'core'), or
 *  null outside `root`. */
export function layerOf(file, root) {
  const rel = path.relative(root, file);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return null;
  const parts = rel.split(path.sep);
  return parts.length > 1 ? parts[0] : null;
}

/** A path relative to cwd, with forward slashes, for messages and options. */
export const display = (file, cwd) => path.relative(cwd, file).split(path.sep).join('/');
