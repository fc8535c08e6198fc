// `execsim runs` names each run's symbols in its table, so that runs of one scenario on BTCUSDT and
// on AAPL are told apart: one symbol as it is, two joined, more than two the first two and a count
// of the rest; `--json` lists them all. `show` prints the same row.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { RunStore } from '../../src/store/run-store.ts';
import { execsimMain } from '../support/cli-in-process.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-runs-symbols-'));
const db = path.join(dir, 'runs.db');
const ids = { btc: '', aapl: '', two: '', four: '' };

/** A bundled scenario's text with `edit` applied, as a scenario of its own name. */
function variant(file: string, name: string, edit: (text: string) => string) {
  const text = edit(fs.readFileSync(path.join('scenarios', file), 'utf8')).replace(/^name: .*$/m, `name: ${name}`);
  return parseScenario(text, path.resolve('scenarios', `${name}.yaml`));
}

/** two-symbols.yaml with XRPUSDT and ADAUSDT traded beside ETHUSDT, on markets like its. */
const moreSymbols = (text: string): string => {
  const block = /^ {2}- symbol: ETHUSDT\n(?: {4}.*\n)+/m.exec(text)?.[0];
  if (block === undefined) throw new Error('two-symbols.yaml has no ETHUSDT block');
  const more = ['XRPUSDT', 'ADAUSDT'].map((s) => block.replace('ETHUSDT', s)).join('');
  return text.replace(block, block + more);
};

beforeAll(() => {
  const store = new RunStore(openDatabase(db));
  try {
    const run = (s: ReturnType<typeof parseScenario>) => runScenario(s, { store }).runId ?? '';
    ids.btc = run(variant('twap-calm.yaml', 'calm', (t) => t));
    ids.aapl = run(variant('twap-calm.yaml', 'calm', (t) => t.replace('symbol: BTCUSDT', 'symbol: AAPL')));
    ids.two = run(variant('two-symbols.yaml', 'pair', (t) => t));
    ids.four = run(variant('two-symbols.yaml', 'four', moreSymbols));
  } finally {
    store.db.close();
  }
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The cells of each run's row of the table `execsim <args>` prints, by run id, and its header. */
function table(...args: string[]): { header: string[]; rows: Map<string, string[]> } {
  const r = execsimMain([...args, '--db', db]);
  expect(r.err).toEqual([]);
  expect(r.code).toBe(0);
  const [header, ...rows] = r.out.join('\n').split('\n');
  return {
    header: header?.split(/\s+/) ?? [],
    rows: new Map(rows.filter((l) => l.startsWith('run-')).map((l) => [l.split(/\s+/)[0] ?? '', l.split(/\s+/)])),
  };
}

describe('execsim runs names the symbols', () => {
  it('in a column beside the scenario: one as it is, two joined, more counted', () => {
    const { header, rows } = table('runs');
    expect(header.slice(0, 4)).toEqual(['run', 'scenario', 'symbols', 'seed']);
    const symbols = (id: string) => rows.get(id)?.slice(1, 3);
    expect(symbols(ids.btc)).toEqual(['calm', 'BTCUSDT']);
    expect(symbols(ids.aapl)).toEqual(['calm', 'AAPL']);
    expect(symbols(ids.two)).toEqual(['pair', 'BTCUSDT,ETHUSDT']);
    expect(symbols(ids.four)).toEqual(['four', 'BTCUSDT,ETHUSDT(+2)']);
    // Every row has as many cells as the header: no cell spills into the next column.
    for (const cells of rows.values()) expect(cells).toHaveLength(header.length);
  });

  it('all of them in --json, and in the row show prints', () => {
    const r = execsimMain(['runs', '--json', '--db', db]);
    const listed = new Map(
      (JSON.parse(r.out[0] ?? '') as { runId: string; symbols: string[] }[]).map((x) => [x.runId, x.symbols]),
    );
    expect(listed.get(ids.four)).toEqual(['BTCUSDT', 'ETHUSDT', 'XRPUSDT', 'ADAUSDT']);
    expect(listed.get(ids.aapl)).toEqual(['AAPL']);
    const shown = execsimMain(['show', ids.four, '--db', db]);
    expect(shown.out[0]?.split('\n')[1]?.split(/\s+/).slice(0, 3)).toEqual([ids.four, 'four', 'BTCUSDT,ETHUSDT(+2)']);
  });
});
