// The strategy guide's tables of what a strategy is handed cannot drift from the types a module is
// written against: each payload's table (under its `### \`Name\`` heading, or after a paragraph
// opening with `Name`) lists every field of the exported interface in src/strategy/strategy-api.ts,
// and nothing else; the context's table lists every method and property of StrategyContext.
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const API = 'src/strategy/strategy-api.ts';
const GUIDE = 'docs/guide/strategies.md';

/** The member names of each exported interface of the API file. */
function interfaceMembers(): Map<string, string[]> {
  const source = ts.createSourceFile(API, readFileSync(API, 'utf8'), ts.ScriptTarget.ES2022, true);
  const out = new Map<string, string[]>();
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node)) return;
    out.set(
      node.name.text,
      node.members.flatMap((m) => (m.name && ts.isIdentifier(m.name) ? [m.name.text] : [])),
    );
  });
  return out;
}

/** The names in the first cell of each row of the first table after `marker` in the guide. */
function tableAfter(marker: string): string[] {
  const text = readFileSync(GUIDE, 'utf8');
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`${GUIDE} has no ${marker}`);
  const lines = text.slice(at).split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const cell = line.split('|')[1] ?? '';
    for (const m of cell.matchAll(/`([A-Za-z]+)(?:\([^`]*\))?`/g)) rows.push(m[1] as string);
  }
  return rows;
}

const PAYLOADS: ReadonlyArray<readonly [string, string]> = [
  ['Quote', '### `Quote`'],
  ['Trades', '### `Trades`'],
  ['Bar', '### `Bar`'],
  ['OwnFill', '### `OwnFill`'],
  ['ParentUpdate', '### `ParentUpdate`'],
  ['StrategyContext', '### The context'],
  ['StrategyPnl', '`StrategyPnl`, by average cost'],
  ['Balances', '`Balances`: what'],
  ['OpenParent', '`OpenParent`:'],
  ['OpenChildOrder', '`OpenChildOrder` (a child'],
];

describe("the strategy guide's payload tables", () => {
  const members = interfaceMembers();

  it('read the API: every interface it names is exported there with fields', () => {
    for (const [name] of PAYLOADS) expect(members.get(name)?.length ?? 0, name).toBeGreaterThan(2);
  });

  for (const [name, marker] of PAYLOADS)
    it(`list every field of ${name} and no other`, () => {
      expect([...tableAfter(marker)].sort()).toEqual([...(members.get(name) ?? [])].sort());
    });
});
