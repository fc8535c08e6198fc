// A recording of another market than the scenario's instrument is refused, never replayed: at
// validation (the recording's first messages name its symbol), with one message naming the
// scenario file, the recording, its symbol and the instrument's, exit code 2 and nothing stored;
// and at run time, a line for another symbol further into a file stops the run with its file and
// line.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { recordedSymbol, ReplayFileError } from '../../src/scenario/replay-file.ts';
import { loadScenarioFile, parseScenario, ScenarioError } from '../../src/scenario/load-scenario.ts';
import { BinanceLineError, BinanceLineParser } from '../../src/sim/replay/binance-messages.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DATA = path.join(ROOT, 'scenarios/data/binance-spot');
const FILES = ['btcusdt_20240808.gz', 'btcusdt_20240809.gz'].map((f) => path.join(DATA, f));
const BUNDLED = fs.readFileSync(path.join(ROOT, 'scenarios/replay-btcusdt.yaml'), 'utf8');

const DEPTH = (stream: string, s: string, ids = '"U":11,"u":12') =>
  `1723161253937085768 {"stream":"${stream}@depth@100ms","data":{"e":"depthUpdate","E":1723161255208,"s":"${s}",${ids},"b":[["61737.63000000","1.00000000"]],"a":[]}}`;
const TICKER = (s: string) =>
  `1723161254087891268 {"stream":"btcusdt@bookTicker","data":{"u":50093239212,"s":"${s}","b":"61837.63000000","B":"3.78826000","a":"61837.64000000","A":"1.54698000"}}`;
const TRADE = (s: string) =>
  `1723161254087896568 {"stream":"btcusdt@trade","data":{"e":"trade","E":1723161255343,"s":"${s}","t":3735683259,"p":"61837.63000000","q":"0.02000000","T":1723161255342,"m":true,"M":true}}`;

function problem(parser: BinanceLineParser, line: string): string {
  try {
    parser.parse(line, 3);
  } catch (e) {
    expect(e).toBeInstanceOf(BinanceLineError);
    return (e as Error).message;
  }
  throw new Error(`expected ${line} to be refused`);
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-replay-symbol-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The bundled replay scenario, written to the temporary directory with absolute data paths. */
function scenarioFile(name: string, edit: (text: string) => string, files: readonly string[] = FILES): string {
  let text = BUNDLED;
  for (const [i, f] of ['data/binance-spot/btcusdt_20240808.gz', 'data/binance-spot/btcusdt_20240809.gz'].entries()) {
    expect(text.split(f)).toHaveLength(2);
    text = text.replace(f, () => files[i] ?? (files[0] as string));
  }
  if (files.length === 1) text = text.replace(`    - ${files[0]}\n    - ${files[0]}\n`, () => `    - ${files[0]}\n`);
  const file = path.join(dir, name);
  fs.writeFileSync(file, edit(text));
  return file;
}

const ethusdt = (text: string): string => {
  const from = 'instrument: { symbol: BTCUSDT,';
  expect(text.split(from)).toHaveLength(2);
  return text.replace(from, 'instrument: { symbol: ETHUSDT,');
};

describe('the parser, given the instrument symbol', () => {
  const parser = new BinanceLineParser({ tickSize: '0.01', lotSize: '0.00000001', symbol: 'BTCUSDT' });

  it('reads messages for it (stream names are lower case, "s" upper case)', () => {
    expect(parser.parse(DEPTH('btcusdt', 'BTCUSDT'), 1).kind).toBe('depth');
    expect(parser.parse(TICKER('BTCUSDT'), 1).kind).toBe('bbo');
    expect(parser.parse(TRADE('BTCUSDT'), 1).kind).toBe('trade');
  });

  it('refuses a message for another symbol, in the stream name or in "s", naming both symbols', () => {
    const want = "line 3: the recording is for symbol ETHUSDT, but the scenario's instrument.symbol is BTCUSDT";
    expect(problem(parser, DEPTH('ethusdt', 'BTCUSDT'))).toBe(want);
    expect(problem(parser, DEPTH('btcusdt', 'ETHUSDT'))).toBe(want);
    expect(problem(parser, TICKER('ETHUSDT'))).toBe(want);
    expect(problem(parser, TRADE('ETHUSDT'))).toBe(want);
    // a prefix is not the symbol
    expect(problem(parser, TRADE('BTCUSDTX'))).toContain('for symbol BTCUSDTX');
    expect(problem(parser, DEPTH('btcusd', 'BTCUSDT'))).toContain('for symbol BTCUSD,');
  });

  it('without a symbol, any is read (the parser alone does not know the scenario)', () => {
    const any = new BinanceLineParser({ tickSize: '0.01', lotSize: '0.00000001' });
    expect(any.parse(DEPTH('ethusdt', 'ETHUSDT'), 1).kind).toBe('depth');
  });
});

describe('recordedSymbol', () => {
  it('names the symbol of each bundled file from its first messages', () => {
    expect(FILES.map((f) => recordedSymbol(f))).toEqual(['BTCUSDT', 'BTCUSDT']);
  });

  it('is null for a file whose first lines name none (a lone snapshot)', () => {
    const file = path.join(dir, 'snapshot-only.txt');
    fs.writeFileSync(file, '1 {"lastUpdateId":10,"bids":[],"asks":[]}\n');
    expect(recordedSymbol(file)).toBeNull();
  });
});

describe("a scenario whose instrument is not the recording's symbol", () => {
  it("is refused at validation, naming the scenario file, the recording, its symbol and the instrument's", () => {
    const file = scenarioFile('eth.yaml', ethusdt);
    expect(() => loadScenarioFile(file)).toThrow(ScenarioError);
    expect(() => loadScenarioFile(file)).toThrow(
      `${file}: market.files[0]: ${FILES[0]} is a recording of BTCUSDT, but instrument.symbol is ETHUSDT`,
    );
  });

  it('a recording the probe cannot read is a bad scenario too, naming the file', () => {
    const bad = path.join(dir, 'not-gzip.gz');
    fs.writeFileSync(bad, new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0, 0]));
    const file = scenarioFile('zstd.yaml', (t) => t, [bad]);
    expect(() => parseScenario(fs.readFileSync(file, 'utf8'), file)).toThrow(
      `${file}: market.files[0]: ${bad}: looks like zstd; replay files must be gzip or plain text`,
    );
  });

  it('a file that is no recording (a scenario named by mistake) is a bad scenario at validation, naming its first line', () => {
    const other = path.join(ROOT, 'scenarios/twap-calm.yaml');
    const file = scenarioFile('not-recording.yaml', (t) => t, [other]);
    expect(() => parseScenario(fs.readFileSync(file, 'utf8'), file)).toThrow(
      `${file}: market.files[0]: ${other}: line 1: expected "<receive time ns> <json>": the line must start with digits and a space`,
    );
  });

  it('`node bin/execsim.js run` exits 2 with one line per recording and stores nothing', () => {
    const file = scenarioFile('eth-cli.yaml', ethusdt);
    const db = path.join(dir, 'eth.db');
    const env: NodeJS.ProcessEnv = { ...process.env, EXECSIM_DB: db };
    delete env['NODE_OPTIONS'];
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/execsim.js'), 'run', file], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    // Each of the two recordings, as every field's problem comes at once.
    expect(r.stderr.trim().split('\n')).toEqual(
      FILES.map(
        (f, i) =>
          `execsim: ${file}: market.files[${i}]: ${f} is a recording of BTCUSDT, but instrument.symbol is ETHUSDT`,
      ),
    );
    expect(fs.existsSync(db)).toBe(false);
  });
});

describe('a line for another symbol further into a recording', () => {
  it('stops the run with the file and the line', () => {
    const data = path.join(dir, 'mixed.txt');
    const snapshot =
      '1723161254206652067 {"lastUpdateId":10,"bids":[["61837.63000000","3.00000000"]],"asks":[["61837.64000000","1.00000000"]]}';
    fs.writeFileSync(
      data,
      [DEPTH('btcusdt', 'BTCUSDT', '"U":9,"u":10'), snapshot, TRADE('BTCUSDT'), TRADE('ETHUSDT')].join('\n') + '\n',
    );
    const file = scenarioFile(
      'mixed.yaml',
      (t) => t.replace('start: 2024-08-08T23:55:00Z', 'start: 2024-08-08T23:54:00Z'),
      [data],
    );
    const loaded = loadScenarioFile(file); // the first lines are BTCUSDT: validation passes
    expect(() => runScenario(loaded)).toThrow(ReplayFileError);
    expect(() => runScenario(loaded)).toThrow(
      `${data}: line 4: the recording is for symbol ETHUSDT, but the scenario's instrument.symbol is BTCUSDT`,
    );
  });
});

describe("a further instrument's recording of another symbol", () => {
  const scenario = (name: string, files: readonly string[]): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(
      file,
      `name: other-symbol
seed: 1
venue: { name: binance-spot }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
otherInstruments:
  - symbol: ETHUSDT
    tickSize: "0.01"
    lotSize: "0.0001"
    minNotional: "5"
    market: { model: replay, files: ${JSON.stringify(files)} }
start: 2024-08-08T23:54:00Z
duration: PT5M
market: { model: static_book, bids: [["60000.00", "1"]], asks: [["60000.10", "1"]] }
orders: []
`,
    );
    return file;
  };

  it("is refused at validation, naming that instrument's file and symbol fields", () => {
    const file = scenario('other-eth.yaml', [FILES[0] as string]);
    expect(() => loadScenarioFile(file)).toThrow(
      `${file}: otherInstruments[0].market.files[0]: ${FILES[0]} is a recording of BTCUSDT, ` +
        'but otherInstruments[0].symbol is ETHUSDT',
    );
  });

  it("further into the file, stops the run naming that instrument's symbol field, not instrument.symbol", () => {
    const data = path.join(dir, 'other-mixed.txt');
    const eth = (line: string): string => line.replaceAll('btcusdt@', 'ethusdt@').replaceAll('"BTCUSDT"', '"ETHUSDT"');
    const snapshot =
      '1723161254206652067 {"lastUpdateId":10,"bids":[["61837.63000000","3.00000000"]],' +
      '"asks":[["61837.64000000","1.00000000"]]}';
    fs.writeFileSync(
      data,
      [eth(DEPTH('btcusdt', 'BTCUSDT', '"U":9,"u":10')), snapshot, eth(TRADE('BTCUSDT')), TRADE('BTCUSDT')].join('\n') +
        '\n',
    );
    const loaded = loadScenarioFile(scenario('other-mixed.yaml', [data])); // the first lines are ETHUSDT
    // Read as it goes, or parsed in full into a cache first: the same refusal.
    for (const replayCacheDir of [null, path.join(dir, 'other-cache')])
      expect(() => runScenario(loaded, { replayCacheDir }), String(replayCacheDir)).toThrow(
        `${data}: line 4: the recording is for symbol BTCUSDT, ` +
          "but the scenario's otherInstruments[0].symbol is ETHUSDT",
      );
  });
});
