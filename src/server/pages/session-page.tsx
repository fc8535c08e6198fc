/** @jsxImportSource hono/jsx */
// The running service session: its identity and state (readiness or why not, kill switch,
// breaker, reconciliation), its parents with their slice progress, the latest quote and its age,
// and the last entries of its log. All of it is server-rendered and readable without JavaScript;
// static/session-live.js keeps it live: it follows the session's log stream and puts each new
// entry at the top of the events list, and re-reads the state part (SessionState, served alone at
// /session/state) when an entry arrives and every few seconds (a quote's age grows between
// entries). Times are the wall clock's (a session trades on it), in UTC; the entries' quantities,
// prices and fees are the instrument's decimals and their times ISO-8601, in the rendered rows
// (store/readable-events.ts) and in those the script adds (static/readable-payload.js, handed the
// same tables and the instrument).
import type { LogEntry } from '../../core/model/events.ts';
import type { Instrument } from '../../core/model/instrument.ts';
import { READABLE_UNITS, ReadableEvents } from '../../store/readable-events.ts';
import { instant, num } from './format.ts';
import { Layout } from './layout.tsx';
import { entryText, type SessionView, type WorkingSymbols } from './session-page-view.ts';

export interface SessionPageProps {
  readonly view: SessionView;
  /** The last entries, oldest first (shown newest first). */
  readonly entries: readonly LogEntry[];
  /** The session's instruments, its own first: each entry is shown in its symbol's units. */
  readonly instruments: readonly Instrument[];
  /** The symbol of every order and parent, for the rendered entries (session-page-view.ts). */
  readonly known: WorkingSymbols;
  /** The symbol of each order and parent still working: the entries the stream adds name only
   *  their order or parent, and the script shows them in their symbol's units. */
  readonly working: WorkingSymbols;
  /** How many entries the events list keeps as new ones arrive. */
  readonly maxEvents: number;
  readonly streamUrl: string;
  readonly stateUrl: string;
}

const yesNo = (b: boolean): string => (b ? 'yes' : 'no');

/** The part of the page the script re-reads: everything but the events list. */
export function SessionState(props: { view: SessionView }) {
  const v = props.view;
  const q = v.quote;
  const a = v.account;
  const several = a.symbols.length > 1;
  return (
    <div id="session-state" data-session-id={v.id}>
      <dl class="summary">
        <dt>name</dt>
        <dd id="session-name">{v.name}</dd>
        <dt>id</dt>
        <dd>
          <a href={`/runs/${encodeURIComponent(v.id)}`}>{v.id}</a>
          {v.resumed ? ' (resumed from the store)' : ''}
        </dd>
        <dt>mode</dt>
        <dd>{v.mode === 'sim' ? 'sim (the simulated venue, in process)' : `${v.mode} (the venue's paper account)`}</dd>
        <dt>venue / symbol</dt>
        <dd>
          {v.venue} {a.symbols.map((x) => x.symbol).join(', ')}
        </dd>
        <dt>readiness</dt>
        <dd id="session-readiness" class={v.ready ? 'ok' : 'problem'}>
          {v.ready ? 'ready' : v.reasons.join('; ')}
        </dd>
        <dt>kill switch</dt>
        <dd id="session-kill-switch" class={v.killSwitch === 'active' ? '' : 'problem'}>
          {v.killSwitch}
        </dd>
        <dt>breaker</dt>
        <dd id="session-breaker" class={v.breaker.tripped ? 'problem' : ''}>
          {v.breaker.tripped ? `tripped: ${v.breaker.reason ?? ''}` : 'not tripped'}
        </dd>
        <dt>reconciling</dt>
        <dd>{yesNo(v.reconciling)}</dd>
        <dt>open orders</dt>
        <dd>{String(v.openOrders)}</dd>
        <dt>latest quote</dt>
        <dd id="session-quote" class={q?.stale ? 'problem' : ''}>
          {q === null
            ? 'none yet'
            : `bid ${q.bid ?? '–'} × ${q.bidQty} · ask ${q.ask ?? '–'} × ${q.askQty} · ${num(q.ageMs / 1000, 1)} s old` +
              (q.stale ? ' (stale)' : '')}
        </dd>
      </dl>

      <h2>Account</h2>
      <dl class="summary" id="session-account">
        <dt>position</dt>
        <dd id="session-position">
          {a.position} {v.symbol}
          {a.baseline === null ? '' : ` (the account held ${a.baseline} when the session began)`}
        </dd>
        <dt>{a.symbols.length > 1 ? 'quote our fills moved, all symbols' : 'quote our fills moved'}</dt>
        <dd id="session-cash-flow">{a.cashFlow} (fees included)</dd>
        <dt>P&amp;L</dt>
        <dd id="session-pnl">
          {a.pnl === null
            ? '– (no two-sided quote to mark at)'
            : a.symbols.length > 1
              ? `${num(a.pnl, 2)} over ${a.symbols.length} symbols, each at its mid`
              : `${num(a.pnl, 2)} at the mid ${a.mark}`}
        </dd>
        <dt>balance (venue)</dt>
        <dd id="session-balance">
          {a.balance === null
            ? 'no account answer yet'
            : `${a.balance.quote} quote, as of ${instant(a.balance.at)} UTC`}
        </dd>
      </dl>

      {a.symbols.length > 1 ? <SymbolsTable view={v} /> : null}

      <h2>Parents</h2>
      <table id="session-parents">
        <thead>
          <tr>
            <th>parent</th>
            {several ? <th>symbol</th> : null}
            <th>side</th>
            <th>route</th>
            <th>status</th>
            <th class="n">filled / qty</th>
            <th class="n">slices sent / total</th>
            <th>progress</th>
            <th>stop reason</th>
          </tr>
        </thead>
        <tbody>
          {v.parents.map((p) => (
            <tr data-parent={p.parentId}>
              <td>{p.parentId}</td>
              {several ? <td>{p.symbol}</td> : null}
              <td>{p.side}</td>
              <td>{p.route}</td>
              <td>{p.status}</td>
              <td class="n">
                {p.filled} / {p.qty}
              </td>
              <td class="n">
                {String(p.slicesSent)} / {String(p.slicesTotal)}
              </td>
              <td>
                <progress max={String(p.qtyLots)} value={String(p.filledLots)}></progress>
              </td>
              <td>{p.stopReason ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {v.parents.length === 0 ? <p>No parent orders yet.</p> : null}
    </div>
  );
}

/** A session of several symbols: each one's position, flow, mark and P&L, and its latest quote. */
function SymbolsTable(props: { view: SessionView }) {
  const v = props.view;
  return (
    <table id="session-symbols">
      <thead>
        <tr>
          <th>symbol</th>
          <th class="n">position</th>
          <th class="n">held at the start</th>
          <th class="n">quote our fills moved</th>
          <th class="n">mid</th>
          <th class="n">P&amp;L</th>
          <th>latest quote</th>
        </tr>
      </thead>
      <tbody>
        {v.account.symbols.map((x) => {
          const q = v.quotes[x.symbol] ?? null;
          return (
            <tr data-symbol={x.symbol}>
              <td>{x.symbol}</td>
              <td class="n">{x.position}</td>
              <td class="n">{x.baseline ?? '–'}</td>
              <td class="n">{x.cashFlow}</td>
              <td class="n">{x.mark ?? '–'}</td>
              <td class="n">{x.pnl === null ? '–' : num(x.pnl, 2)}</td>
              <td class={q?.stale ? 'problem' : ''}>
                {q === null ? 'none yet' : `${num(q.ageMs / 1000, 1)} s old` + (q.stale ? ' (stale)' : '')}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function SessionPage(props: SessionPageProps) {
  const v = props.view;
  const readable = new ReadableEvents(props.instruments);
  // The rendered entries may name an order or parent created before them: learnt up front.
  for (const [parentId, symbol] of Object.entries(props.known.parents))
    readable.learn('ParentOrderCreated', { parentId, symbol });
  for (const [clientOrderId, symbol] of Object.entries(props.known.orders))
    readable.learn('OrderCreated', { clientOrderId, symbol });
  const own = props.instruments[0] as Instrument;
  return (
    <Layout title={`Session ${v.name}`} scripts={['readable-payload.js', 'session-live.js']}>
      <div
        id="session"
        data-stream={props.streamUrl}
        data-state={props.stateUrl}
        data-last-seq={String(v.lastSeq)}
        data-max-events={String(props.maxEvents)}
        data-units={JSON.stringify(READABLE_UNITS)}
        data-instrument={JSON.stringify({ symbol: own.symbol, tickSize: own.tickSize, lotSize: own.lotSize })}
        data-instruments={JSON.stringify(
          props.instruments.map((i) => ({ symbol: i.symbol, tickSize: i.tickSize, lotSize: i.lotSize })),
        )}
        data-working={JSON.stringify(props.working)}
        data-account-instrument={JSON.stringify(
          readable.accountUnit === null
            ? null
            : {
                symbol: readable.accountUnit.symbol,
                tickSize: readable.accountUnit.tickSize,
                lotSize: readable.accountUnit.lotSize,
              },
        )}
      >
        <SessionState view={v} />
        <h2 id="events">Events</h2>
        <p class="note">
          The last {props.maxEvents} entries of the session's log, newest first.{' '}
          <span id="stream-status" class="needs-script">
            connecting…
          </span>
        </p>
        <table class="events" id="session-events">
          <thead>
            <tr>
              <th class="n">seq</th>
              <th>time (UTC, wall clock)</th>
              <th>kind</th>
              <th>event</th>
            </tr>
          </thead>
          <tbody>
            {[...props.entries].reverse().map((e) => (
              <tr data-seq={String(e.seq)}>
                <td class="n">{String(e.seq)}</td>
                <td>{instant(e.time)}</td>
                <td>{e.event.kind}</td>
                <td>
                  <code>{entryText(e, readable)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Layout>
  );
}
