// Checks on YAML text that keep parsing it linear in its length. The yaml package is quadratic or
// worse in two shapes: flow collections nested deep (`[[[[...`: 64 KB took 0.7 s, 128 KB 2 s, and
// a process that had parsed smaller ones ran out of memory on 128 KB) and many keys in one
// mapping when it checks keys for uniqueness itself (every key against every earlier one: 256 KB
// of keys took 2.7 s). Deep nesting is found by the package's own lexer before the parse, which
// is linear and sees quotes, comments and block scalars as the parser does; duplicate keys by one
// pass over the parsed document with a set per mapping, the package's own check left off.
// And on the value it parses to: an alias inside the node it names makes a value that holds itself.
import { isMap, isScalar, Lexer, visit, type Document } from 'yaml';

/** How deep flow collections (`[`, `{`) may nest. No scenario or session file comes near it. */
export const MAX_FLOW_DEPTH = 64;

/** Where a problem is in the text: an offset, said as a line and a column (1-based). */
export interface YamlSpot {
  readonly offset: number;
  readonly message: string;
}

// The lexer's control tokens: they mark structure and are not characters of the text.
const CONTROL = new Set(['\x02', '\x18', '\x1f']);

/** The first flow collection that opens deeper than MAX_FLOW_DEPTH, or null. */
export function flowDepthProblem(text: string): YamlSpot | null {
  let depth = 0;
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === '[' || token === '{') {
      depth++;
      if (depth > MAX_FLOW_DEPTH)
        return {
          offset,
          message: `flow collections ([ ] and { }) nested too deeply (more than ${MAX_FLOW_DEPTH} levels); write the value with fewer`,
        };
    } else if ((token === ']' || token === '}') && depth > 0) depth--;
    if (!CONTROL.has(token)) offset += token.length;
  }
  return null;
}

/** Every key that repeats an earlier key of its mapping (scalar keys of equal value, as the yaml
 *  package compares them), with the repeat's offset. */
export function duplicateKeys(doc: Document): YamlSpot[] {
  const found: YamlSpot[] = [];
  visit(doc, {
    Map(_, map) {
      if (!isMap(map)) return;
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = pair.key;
        if (!isScalar(key)) continue;
        if (seen.has(key.value)) found.push({ offset: key.range?.[0] ?? 0, message: 'Map keys must be unique' });
        else seen.add(key.value);
      }
    },
  });
  return found;
}

/** `line L, column C` (1-based) of an offset into `text`, as the parser's errors are placed. */
export function spotPath(text: string, offset: number): string {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return `line ${line}, column ${offset - start + 1}`;
}

/** The path of the first value of a parsed document that contains itself (`a: &a [*a]` reads
 *  as such a value), or null: every check after parsing walks the fields and would never end. */
export function selfContainedPath(root: object): string | null {
  const open = new Set<object>();
  const walk = (value: unknown, path: string): string | null => {
    if (value === null || typeof value !== 'object') return null;
    if (open.has(value)) return path;
    open.add(value);
    const entries: [string, unknown][] = Array.isArray(value)
      ? value.map((v, i) => [`${path}[${i}]`, v])
      : Object.entries(value).map(([k, v]) => [path === '' ? k : `${path}.${k}`, v]);
    for (const [at, v] of entries) {
      const found = walk(v, at);
      if (found !== null) return found;
    }
    open.delete(value);
    return null;
  };
  return walk(root, '');
}
