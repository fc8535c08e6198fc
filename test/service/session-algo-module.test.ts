// A user's execution algorithm module in a service session: the sandbox session file declares
// the example module (examples/algorithms/liquidity-seeker.ts) in its `algorithms` section, loaded
// and hashed when the session starts; POST /orders/slice and POST /signals name it by that name,
// their params over the declared ones, and the module decides the parent's children on the
// session's clock. A request cannot load code: a module by path, or a name the file does not
// declare, is a 400 naming the field. A bad declaration refuses the file, naming the field. A
// paper session restarted mid-parent resumes the module's parent by its name, with no new child;
// one whose module's code changed while it was down is refused, naming the field and both hashes.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExecEvent, LogEntry } from '../../src/core/model/events.ts';
import { outsidePathErrors } from '../../src/server/path-field-guard.ts';
import { loadSessionFile, parseSessionFile, type LoadedSession } from '../../src/scenario/session-file.ts';
import { execsimInProcess } from '../support/cli-in-process.ts';
import { VirtualClock } from '../../src/core/clock/virtual-clock.ts';
import { parentOrderId } from '../../src/core/model/ids.ts';
import { InProcessVenue } from '../../src/gateway/in-process-venue.ts';
import { openSession, SessionRefused } from '../../src/runtime/session-root.ts';
import { parseYamlMapping, ScenarioError, simulatedScenario } from '../../src/scenario/load-scenario.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { RunStore } from '../../src/store/run-store.ts';
import { bundleOf, STRATEGY_IMPORTS } from '../../src/strategy/strategy-bundle.ts';
import type { RealmCounts } from '../../src/strategy/strategy-realm.ts';
import { advance, SANDBOX, sessionApp, settle, TestVenueClock, until } from '../support/session-fixture.ts';

const TOKEN = 'session-algo-module-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

/** The sandbox session with an algorithms section (module paths relative to the repository). */
const withAlgorithms = (section: string): string => `${readFileSync(SANDBOX, 'utf8')}\nalgorithms:\n${section}\n`;
/** The example seeker: rests 500 lots at our touch, takes when the far touch shows 10 000 lots
 *  (the sandbox shows 40 000 at each level), looks every second. */
const SEEKER = withAlgorithms(
  '  seeker: { path: examples/algorithms/liquidity-seeker.ts, params: { takeAt: 10000, restQty: 500, checkEveryMs: 1000 } }',
);

const EXAMPLE = 'examples/algorithms/liquidity-seeker-session.yaml';

let closing: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of closing.reverse()) await c();
  closing = [];
});

type Json = ReturnType<typeof JSON.parse>;

async function open(yaml: string) {
  const { f, app, close } = await sessionApp(yaml, TOKEN);
  closing.push(close);
  const post = async (path: string, body: unknown): Promise<{ status: number; body: Json }> => {
    const res = await app.request(`http://127.0.0.1/api/v1${path}`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  return { f, post };
}

const of =
  (entries: readonly LogEntry[]) =>
  <K extends ExecEvent['kind']>(kind: K) =>
    entries.filter((e) => e.event.kind === kind).map((e) => e.event) as Array<Extract<ExecEvent, { kind: K }>>;

const slice = (over: Record<string, unknown> = {}) => ({
  symbol: 'BTCUSDT',
  side: 'buy',
  qty: '1',
  duration: 'PT10S',
  slices: 1,
  ...over,
});

const problems = (text: string): string[] => {
  try {
    parseSessionFile(text, 's.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as ScenarioError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  return [];
};

describe('a session file’s algorithms section', () => {
  it('loads each declared module when the file loads, its code in the file’s hash', () => {
    const loaded = parseSessionFile(SEEKER, 'session.yaml').loaded;
    expect([...loaded.algorithms.keys()]).toEqual(['seeker']);
    expect(loaded.algorithms.get('seeker')).toMatchObject({ module: 'examples/algorithms/liquidity-seeker.ts' });
    expect(loaded.algorithms.get('seeker')!.codeHash).toMatch(/^[0-9a-f]{16,}$/);
    const example = loadSessionFile(EXAMPLE).loaded;
    expect(example.algorithms.get('seeker')!.codeHash).toBe(loaded.algorithms.get('seeker')!.codeHash);
    expect(example.scenario.algorithms?.['seeker']?.params).toEqual(loaded.scenario.algorithms?.['seeker']?.params);
    const plain = parseSessionFile(readFileSync(SANDBOX, 'utf8'), 'session.yaml').loaded;
    expect(plain.algorithms.size).toBe(0);
    expect(loaded.hash).not.toBe(plain.hash);
  });

  it('refuses a bad declaration, naming the field', () => {
    expect(problems(withAlgorithms('  seeker: { path: examples/algorithms/nowhere.ts }'))).toEqual([
      expect.stringMatching(/^algorithms\.seeker\.path: .*nowhere\.ts: no such file/),
    ]);
    expect(problems(withAlgorithms('  seeker: { path: scenarios/session/sandbox-btcusdt.yaml }'))).toEqual([
      expect.stringMatching(/^algorithms\.seeker\.path: must name a \.ts or \.js file/),
    ]);
    expect(problems(withAlgorithms('  seeker: { path: test/fixtures/paper/bar-buyer-seconds.ts }'))).toEqual([
      expect.stringMatching(
        /^algorithms\.seeker\.path: .*bar-buyer-seconds\.ts imports zod: an algorithm may import its own files/,
      ),
    ]);
    expect(problems(withAlgorithms('  ../x: { path: examples/algorithms/liquidity-seeker.ts }'))[0]).toMatch(
      /^algorithms\.\.\.\/x: .*must be a name of letters/,
    );
  });
});

describe('execsim serve --session with a bad algorithms section', () => {
  it('names the field, exits 2, stores nothing and never listens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'execsim-session-algo-'));
    closing.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'bad.yaml');
    // Paths are relative to the session file.
    const nowhere = resolve('examples/algorithms/nowhere.ts');
    writeFileSync(file, withAlgorithms(`  seeker: { path: ${nowhere} }`));
    const db = join(dir, 'bad.db');
    const r = await execsimInProcess(['serve', '--session', file, '--db', db, '--port', '0', '--workers', '1']);
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toMatch(/bad\.yaml: algorithms\.seeker\.path: .*nowhere\.ts: no such file/);
    expect(r.stdout).not.toMatch(/listening/);
    expect(existsSync(db)).toBe(false);
  });
});

describe('a declared module over HTTP', () => {
  it('POST /orders/slice naming it: the module’s children, each filled once, the plan naming it', async () => {
    // The guide's example session file: the sandbox with the seeker declared as SEEKER declares it.
    const { f, post } = await open(EXAMPLE);
    const res = await post('/orders/slice', slice({ parentId: 'seek-1', algo: { kind: 'module', name: 'seeker' } }));
    expect(res.status).toBe(201);
    const parentId = res.body.parentId as string;
    // The horizon is 10 s: the module takes, rests, and at the end cancels what rests and stops.
    const parent = () => f.session.ledger.parents.get(parentId as never)!;
    await until(f.clock, () => parent().completed !== null && parent().totals.open === 0, 30_000);
    const events = of(f.session.entriesAfter(0));
    const plan = events('AlgoPlanned');
    expect(plan).toHaveLength(1);
    expect(plan[0]).toMatchObject({
      parentId,
      algo: 'module',
      module: 'seeker',
      params: { takeAt: 10000, restQty: 500, checkEveryMs: 1000 },
    });
    expect(events('ParentOrderCreated').find((e) => e.parentId === parentId)).toMatchObject({ route: 'algo' });
    const children = events('OrderCreated').filter((e) => e.parentId === parentId);
    // It took the displayed ask (market children, 40 000 lots each at most) and rested one limit
    // child at the bid.
    expect(children.filter((c) => c.type === 'market').length).toBeGreaterThanOrEqual(2);
    expect(children.filter((c) => c.type === 'limit').map((c) => c.qty)).toEqual([500]);
    // Each child sent once, filled at most its quantity, ended; no discrepancy.
    const submits = events('SubmitOrder').map((e) => e.clientOrderId);
    expect(new Set(submits).size).toBe(submits.length);
    for (const c of children) {
      expect(submits.filter((id) => id === c.clientOrderId)).toHaveLength(1);
      const o = f.session.ledger.orders.get(c.clientOrderId)!;
      expect(o.filledQty).toBeLessThanOrEqual(c.qty);
      expect(o.fillCount).toBeLessThanOrEqual(o.tradeIds.size);
    }
    expect(events('DiscrepancyRecorded')).toEqual([]);
    const filled = children.reduce((a, c) => a + f.session.ledger.orders.get(c.clientOrderId)!.filledQty, 0);
    expect(parent().completed!.filledQty).toBe(filled);
    expect(filled).toBeGreaterThanOrEqual(100_000 - 500);
    expect(filled).toBeLessThanOrEqual(100_000);
    // What the session stored is what it logged.
    const stored = [...f.store.entries(f.session.id)].filter((e) => e.event.kind === 'AlgoPlanned');
    expect(stored.map((e) => e.event)).toEqual(plan);
  });

  it('POST /signals naming it: a parent the module runs, the request’s params over the declared ones', async () => {
    const { f, post } = await open(SEEKER);
    const res = await post('/signals', {
      signalId: 'sig-1',
      symbol: 'BTCUSDT',
      side: 'sell',
      qty: '0.01',
      algo: { kind: 'module', name: 'seeker', params: { restQty: 200 } },
    });
    expect(res.status).toBe(201);
    const parentId = res.body.ids[0] as string;
    await until(f.clock, () => of(f.session.entriesAfter(0))('OrderCreated').some((e) => e.parentId === parentId));
    expect(of(f.session.entriesAfter(0))('AlgoPlanned')).toEqual([
      expect.objectContaining({
        parentId,
        algo: 'module',
        module: 'seeker',
        params: { takeAt: 10000, restQty: 200, checkEveryMs: 1000 },
      }),
    ]);
  });

  it('gives the module instance’s realm back when the session stops, to the next session’s', async () => {
    const path = 'examples/algorithms/liquidity-seeker.ts';
    const algo = { kind: 'module', name: 'seeker' };
    const session = async (): Promise<void> => {
      const { f, post } = await open(SEEKER);
      const res = await post('/signals', { signalId: 'sig-r', symbol: 'BTCUSDT', side: 'buy', qty: '0.01', algo });
      expect(res.status).toBe(201);
      const parentId = res.body.ids[0] as string;
      await until(f.clock, () => of(f.session.entriesAfter(0))('OrderCreated').some((e) => e.parentId === parentId));
      await closing.pop()!();
    };
    await session();
    // The module's code is compiled once per thread, when it first runs.
    const counts = bundleOf(path, resolve(path), STRATEGY_IMPORTS).compiled?.counts as RealmCounts;
    const before = { ...counts };
    // Each session seats two instances: the file load's check and the parent's. The pool keeps
    // two free realms at most, so three sessions that kept their instance's realm would make one
    // (they make three). A realm is made again only for one dropped: one that served its most
    // instances, in a thread that ran this module many times before.
    for (let i = 0; i < 3; i++) await session();
    const made = counts.created - before.created;
    expect(made + counts.reused - before.reused).toBe(6);
    expect(made).toBeLessThanOrEqual(counts.dropped - before.dropped);
  });

  it('refuses a module by path, a name the file does not declare, or a placement beside it, with a 400 naming the field', async () => {
    const { f, post } = await open(SEEKER);
    const before = f.session.entriesAfter(0).length;
    const signal = (algo: unknown) => ({ signalId: 'sig-x', symbol: 'BTCUSDT', side: 'buy', qty: '0.01', algo });
    const byPath = { kind: 'module', path: 'examples/algorithms/liquidity-seeker.ts' };
    const fieldsOf = (body: Json): string[] =>
      (body.errors as Array<{ path: string; message: string }>).map((e) => `${e.path}: ${e.message}`);
    for (const [route, body] of [
      ['/orders/slice', slice({ algo: byPath })],
      ['/signals', signal(byPath)],
    ] as const) {
      const r = await post(route, body);
      expect(r.status).toBe(400);
      expect(fieldsOf(r.body)).toEqual([
        expect.stringMatching(
          /^body\.algo\.path: a module algorithm comes from the session file .*name it with algo\.name$/,
        ),
      ]);
    }
    for (const [route, body] of [
      ['/orders/slice', slice({ algo: { kind: 'module', name: 'sniper' } })],
      ['/signals', signal({ kind: 'module', name: 'sniper' })],
    ] as const) {
      const r = await post(route, body);
      expect(r.status).toBe(400);
      expect(fieldsOf(r.body)).toEqual([
        'body.algo.name: no algorithm module is named "sniper": the session file declares seeker (its algorithms section)',
      ]);
    }
    // A declared module beside a placement policy: the module places its children itself.
    const chaser = { kind: 'chaser', thresholdTicks: 1, everyMs: 500 };
    for (const [route, body] of [
      ['/orders/slice', { ...slice({ algo: { kind: 'module', name: 'seeker' } }), placement: chaser }],
      ['/signals', { ...signal({ kind: 'module', name: 'seeker' }), placement: chaser }],
    ] as const) {
      const r = await post(route, body);
      expect(r.status).toBe(400);
      expect(fieldsOf(r.body)).toEqual([
        'body.placement: body.algo names the module seeker, which places its children itself: leave out body.placement',
      ]);
    }
    // Nothing was decided or logged for any of them.
    expect(
      f.session
        .entriesAfter(0)
        .slice(before)
        .filter((e) => e.event.kind === 'ParentOrderCreated'),
    ).toEqual([]);
  });

  it('a session file declaring none refuses every module name', async () => {
    const { post } = await open(readFileSync(SANDBOX, 'utf8'));
    const r = await post('/orders/slice', slice({ algo: { kind: 'module', name: 'seeker' } }));
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatchObject({ path: 'body.algo.name', message: expect.stringMatching(/declares none/) });
  });

  it('a strategy’s signal naming it: the parent the signal made runs the module', async () => {
    const { f } = await open(
      `${SEEKER}\nstrategy:\n  module: test/fixtures/paper/bar-buyer-seconds.ts\n` +
        '  params: { qty: 0.01, limit: false, algo: { kind: module, name: seeker, params: { restQty: 300 } } }\n' +
        '  warmupTimeout: PT0S',
    );
    await until(f.clock, () => f.session.entriesAfter(0).some((e) => e.event.kind === 'AlgoPlanned'), 20_000);
    const events = of(f.session.entriesAfter(0));
    const accepted = events('SignalAccepted');
    expect(accepted).toHaveLength(1);
    expect(events('AlgoPlanned')).toEqual([
      expect.objectContaining({
        parentId: accepted[0]!.parentId,
        algo: 'module',
        module: 'seeker',
        params: { takeAt: 10000, restQty: 300, checkEveryMs: 1000 },
      }),
    ]);
    expect(events('StrategyFailed')).toEqual([]);
  });
});

describe('a declared module across a restart of a paper session', () => {
  // A paper session on the in-process venue (kept across the two servers, as a venue outlives
  // them): a static book that never trades, so the seeker's resting child stays open.
  const PAPER = `name: session-algo-restart
seed: 7
mode: paper
venue: { name: binance-spot, account: { quote: "1000000", base: "0" } }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
market:
  model: static_book
  bids: [["64999.00", "50"]]
  asks: [["65000.00", "50"]]
reconciliation: { periodMs: null }
report: { sampleMs: off }
safety:
  preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" }
algorithms:
  seeker: { path: examples/algorithms/liquidity-seeker.ts, params: { takeAt: 1000000000, restQty: 500, checkEveryMs: 1000 } }
`;

  /** A paper session of `text` stored in a scratch database, on an in-process venue on a virtual
   *  clock; `start(file)` opens a server of it (the file as loaded at first, by default). */
  function restartable(text: string) {
    const dir = mkdtempSync(join(tmpdir(), 'execsim-session-algo-restart-'));
    const store = new RunStore(openDatabase(join(dir, 'session.db')));
    closing.push(() => {
      store.db.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const loaded = parseSessionFile(text, 'session.yaml');
    const clock = new VirtualClock(Date.UTC(2026, 10, 25, 12, 0, 0));
    const venue = new InProcessVenue(simulatedScenario(loaded.loaded), { clock: new TestVenueClock(clock) });
    // The venue outlives each server: a server's stop only detaches it (its reports go nowhere,
    // and the next server's start announces its streams again), as a real venue outlives them.
    const inner = venue as unknown as { handler: unknown; started: boolean };
    venue.stop = async () => {
      inner.handler = () => {};
      inner.started = false;
    };
    const start = (file: LoadedSession = loaded) =>
      settle(
        clock,
        openSession(file, {
          store,
          clock,
          venue: { venueUrl: 'the in-process simulated venue', marketHours: 'always', venue: () => venue },
        }),
      );
    return { store, loaded, clock, venue, start };
  }

  it('resumes the module’s parent by its name: no second child, the resting one cancelled at the horizon', async () => {
    const { store, clock, venue, start } = restartable(PAPER);
    const first = await start();
    await until(clock, () => first.ready);
    const parentId = parentOrderId('seek-restart');
    const answer = await settle(
      clock,
      first.submit({
        kind: 'SubmitParent',
        request: {
          parentId,
          side: 'buy',
          qty: 100_000,
          type: 'market',
          tif: 'IOC',
          route: 'twap',
          twap: {
            durationMs: 20_000,
            sliceCount: 1,
            unfilled: 'carry',
            stops: { maxSpread: 0.005, maxPriceDeviation: 0.01, minLiquidity: 0 },
          },
          algo: {
            algo: 'module',
            module: 'seeker',
            params: { takeAt: 1_000_000_000, restQty: 500, checkEveryMs: 1000 },
          },
          source: 'test',
        },
        confirmations: [],
        confirmedBy: null,
      }),
    );
    expect(answer.outcome).toBe('accepted');
    const log = () => [...store.entries(first.id)];
    await until(clock, () => of(log())('OrderStatusChanged').some((e) => e.to === 'accepted'), 10_000);
    await advance(clock, 3_000, 100);
    expect(first.ledger.parents.get(parentId)!.completed).toBeNull();
    await settle(clock, first.stop('restart'));
    expect(store.getRun(first.id)).toMatchObject({ status: 'interrupted' });

    const second = await start();
    closing.push(() => settle(clock, second.stop('test over')).then(() => {}));
    expect(second.id).toBe(first.id);
    expect(second.resumed).toBe(true);
    await until(clock, () => second.ready, 20_000);
    await until(clock, () => second.ledger.parents.get(parentId)?.completed != null, 40_000, 100);
    const events = of(log());
    expect(events('AlgoPlanned')).toHaveLength(1);
    expect(events('ProcessRestarted').length).toBeGreaterThanOrEqual(1);
    // The module was asked again after the restart and saw its resting child: it placed none.
    const children = events('OrderCreated').filter((e) => e.parentId === parentId);
    expect(children.map((c) => [c.type, c.qty])).toEqual([['limit', 500]]);
    const submits = events('SubmitOrder').filter((e) => e.clientOrderId === children[0]!.clientOrderId);
    expect(submits).toHaveLength(1);
    expect(second.ledger.orders.get(children[0]!.clientOrderId)!.status).toBe('canceled');
    // The restarted process resolved the module by its name: it, not a stop, cancelled the child
    // at the horizon.
    expect(events('ParentStopped')).toEqual([]);
    expect(events('CancelOrder')).toEqual([
      { kind: 'CancelOrder', clientOrderId: children[0]!.clientOrderId, reason: 'the algorithm cancelled child 1' },
    ]);
    const restarted = log().findIndex((e) => e.event.kind === 'ProcessRestarted');
    const cancelled = log().findIndex((e) => e.event.kind === 'CancelOrder');
    expect(cancelled).toBeGreaterThan(restarted);
    expect(second.ledger.parents.get(parentId)!.completed).toMatchObject({ status: 'unfilled', filledQty: 0 });
    expect(venue.gateway.exchange.order(children[0]!.clientOrderId)).toMatchObject({ filled: 0 });
  });

  it('is refused when its module changed while it was down, naming algorithms.NAME.path and both code hashes; nothing is written', async () => {
    // The example module, copied where the test can change it; the session file declares it.
    const scratch = mkdtempSync(join(tmpdir(), 'execsim-session-algo-changed-'));
    closing.push(() => rmSync(scratch, { recursive: true, force: true }));
    const module = join(scratch, 'seeker.ts');
    writeFileSync(module, readFileSync('examples/algorithms/liquidity-seeker.ts', 'utf8'));
    const text = PAPER.replace('examples/algorithms/liquidity-seeker.ts', module);
    const { store, clock, loaded, start } = restartable(text);
    const first = await start();
    await until(clock, () => first.ready);
    await settle(clock, first.stop('restart'));
    const row = store.getRun(first.id);
    expect(row).toMatchObject({ status: 'interrupted' });
    const events = [...store.entries(first.id)].length;

    writeFileSync(module, `${readFileSync(module, 'utf8')}\nexport const changed = 1;\n`);
    const changed = parseSessionFile(text, 'session.yaml');
    const before = loaded.loaded.algorithms.get('seeker')!.codeHash;
    const after = changed.loaded.algorithms.get('seeker')!.codeHash;
    expect(after).not.toBe(before);
    await expect(start(changed)).rejects.toThrow(
      new SessionRefused(
        `session "session-algo-restart" has an unfinished run ${first.id}: algorithms.seeker.path: ${module} has ` +
          `changed since the run started (code ${before} then, ${after} now): restore it to resume the run, or ` +
          'start a new run',
      ),
    );
    expect(store.getRun(first.id)).toEqual(row);
    expect([...store.entries(first.id)]).toHaveLength(events);
  });
});

describe('scenario text sent over HTTP', () => {
  it('refuses an algorithm module outside the scenarios directory before loading it', () => {
    const text =
      `${readFileSync(SANDBOX, 'utf8').replace('mode: sim', 'mode: backtest')}\n` +
      'algorithms:\n  a: { path: ../x.ts }\n  b: { path: inside/b.ts }\n' +
      'orders:\n  - { id: o, side: buy, qty: "1", algo: { kind: module, path: /etc/y.ts } }\n' +
      'signals:\n  - { id: s, side: buy, qty: "1", algo: { kind: module, name: b } }\n';
    const says = (m: string) =>
      `over HTTP, an algorithm module must be inside the scenarios directory (paths relative to it); ${JSON.stringify(m)} is not`;
    expect(outsidePathErrors(parseYamlMapping(text, 'request.yaml'), 'scenarios')).toEqual([
      { path: 'algorithms.a.path', message: says('../x.ts') },
      { path: 'orders[0].algo.path', message: says('/etc/y.ts') },
    ]);
  });
});
