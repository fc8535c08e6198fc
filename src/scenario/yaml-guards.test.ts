import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseDocument } from 'yaml';
import { parseYamlMapping, ScenarioError } from './load-scenario.ts';
import { duplicateKeys, flowDepthProblem, MAX_FLOW_DEPTH } from './yaml-guards.ts';

/** The offsets at which the yaml package's own uniqueness check (quadratic) finds repeated keys. */
const packageDuplicates = (text: string): number[] =>
  parseDocument(text, { uniqueKeys: true })
    .errors.filter((e) => e.code === 'DUPLICATE_KEY')
    .map((e) => e.pos[0]);

const ours = (text: string): number[] => duplicateKeys(parseDocument(text, { uniqueKeys: false })).map((d) => d.offset);

/** A YAML mapping, block or flow, nested, its keys drawn from a few names so that some repeat. */
const key = fc.constantFrom('a', 'b', 'c', '"a"', "'b'", '1', '01', '"1"', 'null', '~', 'true', '"true"');
const leaf = fc.constantFrom('1', 'x', '"[q"', "'{q'", '[1, 2]', '{}', 'null');
const flowMap: fc.Arbitrary<string> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('mapping')),
  mapping: fc
    .array(fc.tuple(key, tie('value')), { maxLength: 4 })
    .map((kv) => `{${(kv as Array<[string, string]>).map(([k, v]) => `${k}: ${v}`).join(', ')}}`),
})).mapping as fc.Arbitrary<string>;
const blockMap = (indent: number): fc.Arbitrary<string> =>
  fc
    .array(fc.tuple(key, indent < 6 ? fc.oneof(leaf, flowMap, fc.constant(null)) : fc.oneof(leaf, flowMap)), {
      minLength: 1,
      maxLength: 5,
    })
    .chain((kv) =>
      fc
        .tuple(
          ...kv.map(([k, v]) =>
            v === null ? blockMap(indent + 2).map((m) => `${k}:\n${m}`) : fc.constant(`${k}: ${v}`),
          ),
        )
        .map((lines) => lines.map((l) => `${' '.repeat(indent)}${l}`).join('\n')),
    );

describe('duplicate keys', () => {
  it('are the keys the yaml package finds repeated, at the same offsets, in block and flow mappings', () => {
    fc.assert(
      fc.property(fc.oneof(blockMap(0), flowMap), (text) => {
        expect(ours(text).sort((a, b) => a - b)).toEqual(packageDuplicates(text).sort((a, b) => a - b));
      }),
    );
  });

  it('are found in a mapping of many keys, each repeat once, by the line it is on', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `k${i}: ${i}`);
    keys.splice(10_000, 0, 'k17: again');
    const err = (() => {
      try {
        parseYamlMapping(keys.join('\n'), 'many.yaml');
      } catch (e) {
        return e as ScenarioError;
      }
      throw new Error('parsed');
    })();
    expect(err.problems).toEqual([{ path: 'line 10001, column 1', message: 'invalid YAML: Map keys must be unique' }]);
  });
});

describe('flow collections nested deep', () => {
  /** Brackets in flow context, quoted scalars and comments holding brackets: only the first count. */
  const piece = fc.constantFrom('[', ']', '{', '}', '"[{"', "'[['", '# [[[\n');

  it('are found at the first bracket past the limit, as the parser counts them (not in quotes or comments)', () => {
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 200, size: 'max' }),
        fc.integer({ min: 1, max: MAX_FLOW_DEPTH + 5 }),
        (drawn, open) => {
          // The text stays inside the outermost collection (a closing bracket that would end it is
          // left out), pieces apart by a space, so each quote opens a quoted scalar and each # a comment.
          let text = 'v:';
          let depth = 0;
          let expected: number | null = null;
          for (const p of [...Array<string>(open).fill('['), ...drawn]) {
            const closes = p === ']' || p === '}';
            if (closes && depth === 1) continue;
            text += ' ';
            if (p === '[' || p === '{') {
              depth++;
              if (depth > MAX_FLOW_DEPTH && expected === null) expected = text.length;
            } else if (closes) depth--;
            text += p;
          }
          expect(flowDepthProblem(text)?.offset ?? null).toBe(expected);
        },
      ),
    );
  });

  it('up to the limit parse; one level more is one problem with its line and column, before any parsing', () => {
    const at = (depth: number) => `name: x\nv: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
    expect(parseYamlMapping(at(MAX_FLOW_DEPTH), 'ok.yaml')).toHaveProperty('v');
    expect(() => parseYamlMapping(at(MAX_FLOW_DEPTH + 1), 'deep.yaml')).toThrow(
      `deep.yaml: line 2, column ${4 + MAX_FLOW_DEPTH}: invalid YAML: flow collections ([ ] and { }) nested too deeply (more than ${MAX_FLOW_DEPTH} levels)`,
    );
    // A megabyte of opening brackets, seconds or more in the parser, is the same one problem.
    expect(() => parseYamlMapping(`v: ${'['.repeat(1 << 20)}`, 'm.yaml')).toThrow(
      `m.yaml: line 1, column ${4 + MAX_FLOW_DEPTH}: invalid YAML: flow collections`,
    );
    // In a block scalar or a quoted string, brackets are text.
    expect(parseYamlMapping(`a: |\n  ${'['.repeat(500)}\nb: "${'{'.repeat(500)}"\n`, 'text.yaml')).toEqual({
      a: `${'['.repeat(500)}\n`,
      b: '{'.repeat(500),
    });
  });
});
