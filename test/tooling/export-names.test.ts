// One meaning per name: no two files of src/ export a declaration of the same name, so a name
// read anywhere (in a stack trace, a grep, a review) points at one thing. Two exceptions, both
// the same meaning under the same name: venue folders (src/live/<venue>/, src/gateway/<venue>/)
// each give the same role its venue's form (every venue's `createRestApp`), and an alias of an
// import under its own name (`export type SweepSummary = StoredSweepSummary`, which re-exports
// `SweepSummary as StoredSweepSummary`). Anything else needs a second name.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve('src');

/** Same meaning, declared again on purpose: the strategy API states its own types for authors. */
const SAME_MEANING: Readonly<Record<string, string>> = {
  Side: 'src/strategy/strategy-api.ts states the side of an order for strategy authors',
};

const DECLARATION =
  /^export\s+(?:declare\s+)?(?:abstract\s+)?(?:class|interface|type|function\*?|const|let|enum)\s+([A-Za-z_$][\w$]*)/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [p] : [];
  });
}

/** The names `file` declares for export, leaving out aliases of an import under its own name. */
function exportedDeclarations(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(DECLARATION)) {
    const name = m[1]!;
    const alias = new RegExp(`^export\\s+type\\s+${name}\\s*=\\s*([\\w$]+)\\s*;`, 'm').exec(text.slice(m.index));
    const renamedImport = alias && new RegExp(`\\b${name}\\s+as\\s+${alias[1]}\\b`).test(text);
    if (!(alias && alias.index === 0 && renamedImport)) names.push(name);
  }
  return names;
}

/** The venue a file belongs to, when it sits in a venue folder. */
function venueOf(rel: string): string | null {
  const m = /^src\/(?:live|gateway)\/([^/]+)\//.exec(rel);
  return m && m[1] !== undefined ? m[1] : null;
}

/** Whether the files declaring one name are one layer's folders of as many venues (each venue's
 *  form of one role; a gateway's and an adapter's of one venue are two roles). */
function oneRolePerVenue(files: readonly string[]): boolean {
  const venues = files.map(venueOf);
  const layers = new Set(files.map((f) => f.split('/')[1]));
  return venues.every((v) => v !== null) && layers.size === 1 && new Set(venues).size === files.length;
}

describe('exported names', () => {
  it('gives each exported name one declaration in src/, but for venue folders and aliases', () => {
    const byName = new Map<string, string[]>();
    for (const file of sourceFiles(SRC)) {
      const rel = path.relative(process.cwd(), file).split(path.sep).join('/');
      for (const name of new Set(exportedDeclarations(readFileSync(file, 'utf8'))))
        byName.set(name, [...(byName.get(name) ?? []), rel]);
    }
    expect(byName.size).toBeGreaterThan(500);
    const twice = [...byName]
      .filter(([name, files]) => files.length > 1 && !(name in SAME_MEANING) && !oneRolePerVenue(files))
      .map(([name, files]) => `${name}: ${files.join(', ')}`);
    expect(twice).toEqual([]);
  });

  it('sees a second declaration, and an alias of an import as the same name', () => {
    expect(exportedDeclarations('export interface A {}\nexport const b = 1;\nexport function* c() {}\n')).toEqual([
      'A',
      'b',
      'c',
    ]);
    const alias = "import type { S as StoredS } from './x.ts';\nexport type S = StoredS;\n";
    expect(exportedDeclarations(alias)).toEqual([]);
    expect(exportedDeclarations('export type S = Other;\n')).toEqual(['S']);
    expect(oneRolePerVenue(['src/live/alpaca/a.ts', 'src/live/binance/b.ts'])).toBe(true);
    expect(oneRolePerVenue(['src/gateway/binance/a.ts', 'src/live/binance/b.ts'])).toBe(false);
    expect(oneRolePerVenue(['src/live/binance/a.ts', 'src/live/binance/b.ts'])).toBe(false);
    expect(oneRolePerVenue(['src/live/alpaca/a.ts', 'src/core/b.ts'])).toBe(false);
  });
});
