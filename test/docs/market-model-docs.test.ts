// The documented market model parameters against the scenario schema: every table between the
// market-model-parameters markers (docs/market-models.md, and README.md once it carries one)
// lists exactly the schema's fields per model, marks exactly the required ones "required", and
// states as default what the schema fills in when the field is absent: the first `literal` of the
// default column, read as YAML, or "none" for an optional field left undefined.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { marketSchema } from '../../src/scenario/market-schema.ts';

interface Row {
  readonly file: string;
  readonly model: string;
  readonly path: string;
  readonly default: string;
}

const START = '<!-- market-model-parameters -->';
const END = '<!-- /market-model-parameters -->';
const unquote = (cell: string) => cell.trim().replace(/^`|`$/g, '');

function documented(file: string): Row[] {
  const text = readFileSync(file, 'utf8');
  const from = text.indexOf(START);
  if (from < 0) return [];
  const table = text.slice(from + START.length, text.indexOf(END, from));
  return table
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const cells = line.split(/(?<!\\)\|/).slice(1, -1);
      return {
        file,
        model: unquote(cells[0] as string),
        path: unquote(cells[1] as string),
        default: (cells[3] as string).trim(),
      };
    });
}

interface JsonObject {
  readonly properties?: Record<string, JsonObject>;
  readonly required?: readonly string[];
  readonly items?: JsonObject;
  readonly type?: string;
  readonly const?: string;
}

/** Every field of a model's schema, nested ones as `parent.child` and `list[].child`, with
 *  whether its object requires it. */
function fields(o: JsonObject, prefix = ''): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const [key, sub] of Object.entries(o.properties ?? {})) {
    if (key === 'model') continue;
    const path = `${prefix}${key}`;
    out.set(path, o.required?.includes(key) ?? false);
    if (sub.type === 'object') for (const [k, v] of fields(sub, `${path}.`)) out.set(k, v);
    if (sub.type === 'array' && sub.items?.type === 'object')
      for (const [k, v] of fields(sub.items, `${path}[].`)) out.set(k, v);
  }
  return out;
}

const json = z.toJSONSchema(marketSchema, { io: 'input', unrepresentable: 'any' }) as { oneOf: JsonObject[] };
const schemaFields = new Map(json.oneOf.map((o) => [o.properties?.model?.const as string, fields(o)]));

/** A valid market of each model with its optional objects present, to take fields out of. */
const FULL: Record<string, Record<string, unknown>> = {
  static_book: { model: 'static_book', bids: [['1', '1']], asks: [['2', '1']] },
  synthetic: {
    model: 'synthetic',
    initialPrice: '100',
    walk: 'geometric',
    volatility: 1,
    stepMs: 7,
    spreadTicks: 3,
    regimes: [{ spreadTicks: 1, meanDuration: 'PT1S' }],
    depth: ['1'],
    levelSpacingTicks: 2,
    trades: { ratePerSec: 1, meanQty: '1' },
  },
  // timeUnit left at its default: rateInterval's default is one timeUnit, documented for the default.
  almgren_chriss: {
    model: 'almgren_chriss',
    initialPrice: '100',
    sigma: 1,
    gamma: 1,
    epsilon: 1,
    eta: 1,
    rateInterval: 'PT7S',
    stepMs: 7,
    depth: ['1'],
  },
  zero_intelligence: {
    model: 'zero_intelligence',
    initialPrice: '100',
    limitRatePerSec: 1,
    marketRatePerSec: 1,
    cancelRatePerSec: 1,
    priceRangeTicks: 5,
    meanQty: '1',
    initialOrders: 7,
  },
  replay: {
    model: 'replay',
    format: 'binance-archive',
    files: ['x.gz'],
    dataLotSize: '0.001',
    book: { depth: ['1'], spreadTicks: 2, levelSpacingTicks: 3 },
    bars: { tradesPerBar: 7, seed: 3 },
  },
};

/** `market` with the field at `path` taken out (in the first element of a list). */
function without(market: Record<string, unknown>, path: string): Record<string, unknown> {
  const copy = structuredClone(market);
  const keys = path.replace('[]', '.0').split('.');
  let at: Record<string, unknown> = copy;
  for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
  delete at[keys[keys.length - 1] as string];
  return copy;
}

function valueAt(value: unknown, path: string): unknown {
  return path
    .replace('[]', '.0')
    .split('.')
    .reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], value);
}

const files = ['docs/market-models.md', 'README.md'];
const rows = files.flatMap(documented);

describe('market model documentation', () => {
  it('the parameter table is there, with every model', () => {
    const docs = rows.filter((r) => r.file === 'docs/market-models.md');
    expect(new Set(docs.map((r) => r.model))).toEqual(new Set(schemaFields.keys()));
    for (const o of Object.values(FULL)) expect(marketSchema.safeParse(o).success).toBe(true);
  });

  for (const file of files) {
    const here = rows.filter((r) => r.file === file);
    if (here.length === 0) continue;
    it(`${file}: lists exactly the schema's fields of each model, and marks the required ones`, () => {
      for (const [model, schema] of schemaFields) {
        const listed = here.filter((r) => r.model === model);
        expect(listed.map((r) => r.path).sort(), model).toEqual([...schema.keys()].sort());
        for (const r of listed) expect(r.default === 'required', `${model}.${r.path}`).toBe(schema.get(r.path));
      }
    });

    it(`${file}: every documented default is what the schema fills in`, () => {
      for (const r of here.filter((x) => x.default !== 'required')) {
        const literal = /`([^`]*)`/.exec(r.default);
        expect(r.default === 'none' || literal !== null, `${r.model}.${r.path}: default "${r.default}"`).toBe(true);
        const want = r.default === 'none' ? undefined : parseYaml((literal as RegExpExecArray)[1] as string);
        const parsed = marketSchema.parse(without(FULL[r.model] as Record<string, unknown>, r.path));
        expect(valueAt(parsed, r.path), `${r.model}.${r.path}`).toEqual(want);
      }
    });
  }
});
