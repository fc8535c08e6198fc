// Checks a stored run against itself: its log is seq 1..n without a gap, re-hashes to the stored
// digest (finished runs), every parent in it has all its children (a TWAP is stored whole), and
// the orders, fills and orphan tables are exactly the fold of the stored log (or not built yet:
// deferred-projection.ts). A run that died
// mid-way ('running') must pass every check but the digest: the store holds whole commit units.
import { digestLines } from '../core/log/event-log.ts';
import type { LogEntry } from '../core/model/events.ts';
import { ProjectionFold, projectionPending } from './deferred-projection.ts';
import type { RunStore } from './run-store.ts';
import { StoredDataError } from './stored-data.ts';
import {
  parsedPayload,
  parsedReport,
  storedInstrument,
  storedOtherInstruments,
  storedText,
  unreadablePayload,
} from './stored-values.ts';

export interface RunVerification {
  /** Events stored for the run. */
  readonly events: number;
  /** The stored seq are exactly 1..events. */
  readonly gapFree: boolean;
  /** sha256 over the stored log's canonical lines. */
  readonly recomputedDigest: string;
  /** Whether that is the stored digest; null when the run has none (running or failed). A run
   *  without a final digest whose writer recorded the digest of the log it stored (a grouped
   *  run: runs.log_digest) is checked against that one. */
  readonly digestVerified: boolean | null;
  /** Every parent has its children, and the projections are the fold of the stored log. */
  readonly consistent: boolean;
  /** One sentence per problem found; empty when the run verifies. */
  readonly problems: readonly string[];
}

const MAX_LISTED = 5;

type Row = Record<string, unknown>;

/** Re-reads a stored run and checks it; throws only when the run does not exist. */
export function verifyRun(store: RunStore, runId: string): RunVerification {
  const row = store.getRun(runId);
  if (!row) throw new Error(`no run with id "${runId}"`);
  const problems: string[] = [];
  const lines: string[] = [];
  const entries: LogEntry[] = [];
  let gapFree = true;
  let readable = true;
  try {
    for (const e of store.events(runId)) {
      const expected = lines.length + 1;
      if (gapFree && e.seq !== expected) {
        gapFree = false;
        problems.push(`the stored log has a gap: seq ${e.seq} where ${expected} should be`);
      }
      lines.push(`${e.seq} ${e.time} ${e.kind} ${e.payload}\n`);
      if (!readable) continue;
      const payload = parsedPayload(e.payload);
      if (payload === undefined) {
        readable = false;
        problems.push(unreadablePayload(e.seq, e.kind));
      } else
        entries.push({
          seq: e.seq,
          time: e.time,
          event: { kind: e.kind, ...(payload as object) } as LogEntry['event'],
        });
    }
  } catch (err) {
    // A block of the log that cannot be read (stored-events.ts): named, and the rest of the log
    // after it is not read (its entries would show as a gap).
    if (!(err instanceof StoredDataError)) throw err;
    readable = false;
    gapFree = false;
    problems.push(err.problem);
  }
  if (row.report_json !== null && parsedReport(row.report_json) === null)
    problems.push('the stored report is not JSON');
  const recomputedDigest = digestLines(lines);
  // A run that did not finish has no final digest; a grouped one's writer recorded the digest of
  // the log it stored, the only evidence of what its log held (its order and fill rows are built
  // from the log itself, so they cannot disagree with an edited one).
  const expected = row.digest ?? row.log_digest ?? null;
  const digestVerified = expected === null ? null : expected === recomputedDigest;
  if (digestVerified === false) {
    problems.push(
      row.digest !== null
        ? `the stored log does not reproduce the stored digest (stored ${storedText(row.digest)}, recomputed ${recomputedDigest})`
        : `the stored log does not reproduce the digest its writer recorded for it (recorded ${storedText(expected)}, recomputed ${recomputedDigest})`,
    );
  }
  if (row.status === 'finished' && row.event_count !== lines.length) {
    problems.push(`the run row counts ${storedText(row.event_count)} events but ${lines.length} are stored`);
  }
  const before = problems.length;
  if (readable) checkProjections(store, runId, row.status === 'finished', entries, problems);
  const consistent = readable && problems.length === before;
  return { events: lines.length, gapFree, recomputedDigest, digestVerified, consistent, problems };
}

function checkProjections(
  store: RunStore,
  runId: string,
  finished: boolean,
  entries: readonly LogEntry[],
  problems: string[],
): void {
  const { db } = store;
  const { scenario_json } = db.prepare('SELECT scenario_json FROM runs WHERE id = ?').get(runId) as {
    scenario_json: string;
  };
  // The instrument turns the log's lots and ticks into the tables' decimals: without it the
  // tables cannot be compared (a changed scenario is a finding, not a crash).
  const i = storedInstrument(scenario_json);
  if (typeof i === 'string') {
    problems.push(`the stored scenario cannot be read, so the tables cannot be checked against the log: ${i}`);
    return;
  }
  const fold = new ProjectionFold(runId, i, storedOtherInstruments(scenario_json));
  for (const entry of entries) {
    try {
      fold.apply(entry);
    } catch (err) {
      problems.push(`the stored log does not fold at seq ${entry.seq}: ${(err as Error).message}`);
      return;
    }
  }
  const { ledger, fills, orphans } = fold;

  // A parent is stored with a child for each of its slices (created in the parent's commit);
  // a chaser's replacements re-price a slice later, each in its own commit, so slices are
  // counted, not children.
  for (const [parentId, parent] of ledger.parents) {
    // An algorithm that decides its children as it runs stores each in its own commit.
    if (parent.spec.route === 'algo') continue;
    const slices = new Set(parent.children.map((id) => ledger.order(id)?.request.sliceNum)).size;
    if (slices !== parent.spec.totalSlices) {
      problems.push(`parent ${parentId}: ${slices} of its ${parent.spec.totalSlices} slices' children are stored`);
    }
  }

  if (finished) {
    const counts = db.prepare('SELECT order_count, fill_count FROM runs WHERE id = ?').get(runId) as {
      order_count: number;
      fill_count: number;
    };
    if (counts.order_count !== ledger.orders.size || counts.fill_count !== fills.length) {
      problems.push(
        `the run row counts ${storedText(counts.order_count)} orders and ${storedText(counts.fill_count)} fills; the stored log has ${ledger.orders.size} and ${fills.length}`,
      );
    }
  }

  // A run whose rows are built when first read (deferred-projection.ts) and are not built yet has
  // none to compare: they will be this fold.
  if (projectionPending(db, runId)) return;
  const expectedOrders = fold.orderRows();
  const storedOrders = db
    .prepare(
      `SELECT run_id AS runId, client_order_id AS clientOrderId, venue_order_id AS venueOrderId, parent_order_id AS parentOrderId,
         slice_num AS sliceNum, total_slices AS totalSlices, scheduled_time AS scheduledTime, symbol, side, type, tif, status, qty,
         filled_qty AS filledQty, avg_price AS avgPrice, limit_price AS limitPrice, stop_price AS stopPrice,
         created_at AS createdAt, updated_at AS updatedAt
       FROM orders WHERE run_id = ?`,
    )
    .all(runId) as Row[];
  compareRows(
    'orders',
    expectedOrders,
    keyed(storedOrders, (r) => String(r['clientOrderId'])),
    problems,
  );

  const fillKey = (r: readonly unknown[]): string => `${String(r[2])}/${String(r[1])}`;
  // fillRow's values in order; a value that differs is named by its column.
  const fillColumns = ['run_id', 'trade_id', 'client_order_id', 'qty', 'price', 'fee', 'liquidity', 'time', 'seq'];
  const named = (r: readonly unknown[]): Row => Object.fromEntries(r.map((v, n) => [fillColumns[n] ?? String(n), v]));
  const storedFills = db
    .prepare(`SELECT ${fillColumns.join(', ')} FROM fills WHERE run_id = ?`)
    .raw()
    .all(runId) as unknown[][];
  compareRows(
    'fills',
    new Map(fills.map((r) => [fillKey(r), named(r)])),
    new Map(storedFills.map((r) => [fillKey(r), named(r)])),
    problems,
  );

  const storedOrphans = db
    .prepare(
      `SELECT client_order_id AS clientOrderId, venue_order_id AS venueOrderId, symbol, side, open_qty AS openQty, filled_qty AS filledQty,
         venue_status AS venueStatus, status, detected_at AS detectedAt, resolved_at AS resolvedAt, resolved_by AS resolvedBy, resolution
       FROM orphan_orders WHERE run_id = ?`,
    )
    .all(runId) as Row[];
  compareRows(
    'orphan_orders',
    orphans,
    keyed(storedOrphans, (r) => String(r['clientOrderId'])),
    problems,
  );
}

function keyed(rows: readonly Row[], key: (r: Row) => string): Map<string, Row> {
  return new Map(rows.map((r) => [key(r), r]));
}

/** Rows the log gives against rows the table holds, by key: missing, extra and differing rows. */
function compareRows(
  table: string,
  expected: ReadonlyMap<string, Row>,
  stored: ReadonlyMap<string, Row>,
  problems: string[],
): void {
  const found: string[] = [];
  for (const [key, want] of expected) {
    const got = stored.get(key);
    if (!got) found.push(`${key} is missing`);
    else {
      const diff = Object.keys(want).filter((k) => (want[k] ?? null) !== (got[k] ?? null));
      if (diff.length > 0)
        found.push(`${key}: ${diff.map((k) => `${k} ${String(got[k])}, the log gives ${String(want[k])}`).join('; ')}`);
    }
  }
  for (const key of stored.keys()) if (!expected.has(key)) found.push(`${key} is not in the log`);
  if (found.length === 0) return;
  const more = found.length > MAX_LISTED ? ` (and ${found.length - MAX_LISTED} more)` : '';
  problems.push(`${table} does not match the stored log: ${found.slice(0, MAX_LISTED).join(', ')}${more}`);
}
