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
import { entryText, type SessionView } from './session-page-view.ts';

export interface SessionPageProps {
  readonly view: SessionView;
  /** The last entries, oldest first (shown newest first). */
  readonly entries: readonly LogEntry[];
  /** The session's instrument: the entries are shown in its units. */
  readonly instrument: Instrument;
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
          {v.venue} {v.symbol}
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
        <dt>quote our fills moved</dt>
        <dd id="session-cash-flow">{a.cashFlow} (fees included)</dd>
        <dt>P&amp;L</dt>
        <dd id="session-pnl">
          {a.pnl === null ? '– (no two-sided quote to mark at)' : `${num(a.pnl, 2)} at the mid ${a.mark}`}
        </dd>
        <dt>balance (venue)</dt>
        <dd id="session-balance">
          {a.balance === null
            ? 'no account answer yet'
            : `${a.balance.quote} quote, as of ${instant(a.balance.at)} UTC`}
        </dd>
      </dl>

      <h2>Parents</h2>
      <table id="session-parents">
        <thead>
          <tr>
            <th>parent</th>
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

export function SessionPage(props: SessionPageProps) {
  const v = props.view;
  const readable = new ReadableEvents([props.instrument]);
  return (
    <Layout title={`Session ${v.name}`} scripts={['readable-payload.js', 'session-live.js']}>
      <div
        id="session"
        data-stream={props.streamUrl}
        data-state={props.stateUrl}
        data-last-seq={String(v.lastSeq)}
        data-max-events={String(props.maxEvents)}
        data-units={JSON.stringify(READABLE_UNITS)}
        data-instrument={JSON.stringify({
          symbol: props.instrument.symbol,
          tickSize: props.instrument.tickSize,
          lotSize: props.instrument.lotSize,
        })}
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
