// The session page over a real sim session (the sandbox session file's simulated venue, on the
// wall clock, in this process), through app.request on the pages as the server mounts them: the
// page shows the session's name, id, mode, venue and symbol, its readiness, kill switch and
// breaker, the latest quote and its age, each parent with its slice progress (filled of qty, slices
// sent of planned) as the ledger has it, and the last entries of the log newest first, with what
// its script needs to follow the stream from the last of them; its state part is served alone for
// the script; every page's navigation links it while a session is hosted, and without one there
// is no session page. No page has an inline script.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parentOrderId } from '../../src/core/model/ids.ts';
import { unitsToQuote } from '../../src/core/model/instrument.ts';
import { instant } from '../../src/server/pages/format.ts';
import type { ServiceSession } from '../../src/runtime/session-root.ts';
import { pageRoutes } from '../../src/server/pages/page-routes.tsx';
import { sessionView } from '../../src/server/pages/session-page-view.ts';
import type { RunStore } from '../../src/store/run-store.ts';
import { openStoreReader } from '../../src/store/store-reader.ts';
import { openSimSession, submitTwap } from '../support/sim-session.ts';

describe('the session page', () => {
  let session: ServiceSession;
  let store: RunStore;
  let reader: ReturnType<typeof openStoreReader>;
  beforeAll(async () => {
    let file: string;
    ({ session, store, file } = await openSimSession());
    reader = openStoreReader(file);
  });
  afterAll(async () => {
    await session?.stop('test');
    reader?.close();
    store?.db.close();
  });

  const app = () => pageRoutes(reader.reader, { apiBase: '/api/v1', session });

  async function html(path: string, status = 200): Promise<string> {
    const res = await app().request(path);
    expect(res.status, path).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const body = await res.text();
    expect(body.match(/<script(?![^>]*\ssrc=)[^>]*>/g) ?? []).toEqual([]);
    return body;
  }

  /** The text of a table row, its tags removed. */
  const rowText = (page: string, parent: string): string =>
    (new RegExp(`<tr data-parent="${parent}">([\\s\\S]*?)</tr>`).exec(page)?.[1] ?? '')
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();

  it("shows the session's identity and state, and what its script follows", async () => {
    const page = await html('/session');
    expect(page).toContain(`<h1>Session sandbox-btcusdt</h1>`);
    expect(page).toContain(`href="/runs/${session.id}"`);
    for (const text of ['sim (the simulated venue, in process)', 'binance-spot BTCUSDT', 'not tripped'])
      expect(page).toContain(text);
    expect(page).toMatch(/id="session-kill-switch"[^>]*>\s*active\s*</);
    const readiness = session.readiness();
    expect(page).toContain(readiness.ready ? '>ready<' : (readiness.reasons[0] as string));
    expect(page).toMatch(/id="session-quote"[^>]*>bid \d+\.\d\d × [\d.]+ · ask \d+\.\d\d × [\d.]+ · [\d.]+ s old/);
    expect(page).toContain('data-stream="/api/v1/session/stream"');
    expect(page).toMatch(/<script src="\/static\/session-live\.js\?v=[0-9a-f]+" defer=""><\/script>/);
    expect(page).toContain('<a href="/session">session</a>');
  });

  it("shows a TWAP's slice progress as the ledger has it, while it works and once it is done", async () => {
    expect((await submitTwap(session, 'page-1', 100, 4, 800)).outcome).toBe('accepted');
    const working = await html('/session');
    expect(rowText(working, 'page-1')).toMatch(/^page-1 buy twap (working|filled) (0|0\.\d+) \/ 0\.001 [0-4] \/ 4/);
    expect(working).toMatch(/<progress max="100" value="\d+"><\/progress>/);
    // Until the ledger has it complete (bounded; the TWAP lasts 0.8 s).
    const deadline = Date.now() + 10_000;
    while (session.ledger.parents.get(parentOrderId('page-1'))?.completed == null) {
      if (Date.now() > deadline) throw new Error('the TWAP did not complete');
      await new Promise((resolve) => setImmediate(resolve));
    }
    const done = await html('/session');
    const p = session.ledger.parents.get(parentOrderId('page-1'));
    const sent = session.ledger.childrenOf(parentOrderId('page-1')).filter((o) => o.attempts > 0).length;
    expect(sent).toBe(4);
    expect(rowText(done, 'page-1')).toBe(`page-1 buy twap ${p?.completed?.status} 0.001 / 0.001 4 / 4`);
    expect(sessionView(session).parents.find((x) => x.parentId === 'page-1')).toMatchObject({
      filledLots: 100,
      qtyLots: 100,
      slicesSent: 4,
      slicesTotal: 4,
    });
  });

  it('shows the position, the quote our fills moved, the P&L at the mid and the venue balance', async () => {
    // After the TWAP above: 0.001 BTC bought.
    const page = await html('/session');
    const text = (id: string): string =>
      (new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</dd>`).exec(page)?.[1] ?? '').replace(/\s+/g, ' ').trim();
    const inst = session.instrument;
    const position = session.ledger.accountPositionOf(inst.symbol);
    const baseline = session.ledger.baselineOf(inst.symbol) ?? 0;
    expect(position - baseline).toBe(100);
    const view = sessionView(session);
    expect(text('session-position')).toMatch(new RegExp(`^${view.account.position.replace('.', '\\.')} BTCUSDT`));
    expect(text('session-cash-flow')).toBe(`${view.account.cashFlow} (fees included)`);
    expect(Number(view.account.cashFlow)).toBeLessThan(0);
    // P&L at the mid: the flow plus the 0.001 BTC bought, worth the mid.
    const q = session.latestQuote(inst.symbol);
    expect(q).not.toBeNull();
    const mid = Number(view.account.mark);
    expect(view.account.pnl).toBeCloseTo(Number(view.account.cashFlow) + 0.001 * mid, 6);
    expect(text('session-pnl')).toMatch(/^-?[\d,]+\.\d\d at the mid /);
    // The venue's balance: what its latest account answer in the log says.
    const answers = session.entriesAfter(0).filter((e) => e.event.kind === 'AccountReport');
    const last = answers.at(-1);
    expect(last).toBeDefined();
    const quote = (last?.event as { quote: number }).quote;
    expect(view.account.balance).toBeNull(); // sessionView without a follower shows none
    expect(text('session-balance')).toBe(`${unitsToQuote(inst, quote)} quote, as of ${instant(last?.time)} UTC`);
  });

  it('lists the last entries newest first, up to the one the stream resumes after', async () => {
    const page = await html('/session');
    const seqs = [...page.matchAll(/<tr data-seq="(\d+)">/g)].map((m) => Number(m[1]));
    expect(seqs.length).toBe(50);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    const last = Number(/<div id="session" [^>]*data-last-seq="(\d+)"/.exec(page)?.[1]);
    expect(seqs[0]).toBe(last);
    const entries = [...store.entries(session.id)].filter((e) => e.seq <= last && e.event.kind !== 'MarketSampled');
    expect(seqs).toEqual(
      entries
        .slice(-50)
        .map((e) => e.seq)
        .reverse(),
    );
    expect(page).toContain('<td>FillReport</td>');
    // A fill as a person reads it: the instrument's decimals and an ISO time, not lots and ms.
    const fill = entries.filter((e) => e.event.kind === 'FillReport').at(-1)!.event as {
      qty: number;
      venueTime: number;
    };
    const row = new RegExp(
      `<tr data-seq="\\d+">\\s*<td class="n">\\d+</td>\\s*<td>[^<]*</td>\\s*<td>FillReport</td>\\s*<td>\\s*<code>([^<]*)</code>`,
    );
    const shown = row.exec(page)?.[1]?.replaceAll('&quot;', '"') ?? '';
    expect(shown).toMatch(/"qty":"0\.\d+"/);
    expect(shown).toMatch(/"venueTime":"\d{4}-\d\d-\d\dT[\d:.]+Z"/);
    expect(shown).not.toContain(`"qty":${fill.qty}`);
    // And what its script needs to show the entries it receives alike.
    expect(page).toMatch(/<script src="\/static\/readable-payload\.js\?v=[0-9a-f]+" defer=""><\/script>/);
    expect(page).toContain(
      'data-instrument="{&quot;symbol&quot;:&quot;BTCUSDT&quot;,&quot;tickSize&quot;:&quot;0.01&quot;,&quot;lotSize&quot;:&quot;0.00001&quot;}"',
    );
    expect(page).toContain('data-units="{&quot;byName&quot;:');
  });

  it("serves the page's state part alone, for its script", async () => {
    const res = await app().request('/session/state');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await res.text();
    expect(body.startsWith(`<div id="session-state" data-session-id="${session.id}">`)).toBe(true);
    expect(body).not.toContain('<html');
    expect(body).toContain('<tr data-parent="page-1">');
  });

  it('is linked from every page while a session is hosted, and absent without one', async () => {
    expect(await html('/')).toContain('<a href="/session">session</a>');
    const without = pageRoutes(reader.reader, { apiBase: '/api/v1' });
    const runs = await (await without.request('/')).text();
    expect(runs).not.toContain('href="/session"');
    expect((await without.request('/session')).status).toBe(404);
  });
});
