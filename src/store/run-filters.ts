// The run list's filters as SQL: each filter of a RunQuery becomes a WHERE clause on the runs
// table's summary columns with its parameter. Running and crashed runs are told apart by the
// run_state SQL function the read model registers; the from and to instants are checked (a
// RangeError names the field) and written as the store writes started_at.
import { parseUtcInstant } from '../core/model/time-fields.ts';
import type { RunQuery } from './read-model-port.ts';

/** The run list's WHERE clauses for `q`'s filters, with their parameters. */
export function runFilters(q: RunQuery): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const eq = (column: string, value: unknown) => {
    if (value === undefined) return;
    where.push(`${column} = ?`);
    params.push(value);
  };
  eq('scenario_name', q.scenario);
  eq('mode', q.mode);
  eq('venue', q.venue);
  if (q.symbol !== undefined) {
    // The run's first symbol, or one of the further symbols of a run of several.
    where.push('(symbol = ? OR id IN (SELECT run_id FROM run_symbols WHERE symbol = ?))');
    params.push(q.symbol, q.symbol);
  }
  eq('seed', q.seed);
  eq('code_version', q.codeVersion);
  eq('passed', q.passed === undefined ? undefined : q.passed ? 1 : 0);
  if (q.status !== undefined) {
    // running and crashed are both stored as running: the writer's liveness tells them apart.
    if (q.status === 'running' || q.status === 'crashed') {
      where.push(`status = 'running' AND run_state(status, writer_pid, writer_host, heartbeat_at) = ?`);
      params.push(q.status);
    } else eq('status', q.status);
  }
  if (q.from !== undefined) {
    where.push('started_at >= ?');
    params.push(isoInstant(q.from, 'from'));
  }
  if (q.to !== undefined) {
    where.push('started_at < ?');
    params.push(isoInstant(q.to, 'to'));
  }
  return { where, params };
}

/** An ISO-8601 UTC instant as the store writes started_at (Date#toISOString), so that text
 *  order is time order: 2024-08-09T00:00:00Z becomes 2024-08-09T00:00:00.000Z. */
function isoInstant(text: string, field: string): string {
  try {
    return new Date(parseUtcInstant(text)).toISOString();
  } catch (err) {
    throw new RangeError(`${field}: ${(err as Error).message}`, { cause: err });
  }
}
