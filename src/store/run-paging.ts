// How the run lists page: the run list, and a run's orders and fills. A page is at most MAX_PAGE
// rows. Cursors are opaque to clients: base64url JSON of the list (and for runs the sort and order)
// they belong to and the last row's sort value and id, with the record lists' further keys (a
// fill's seq and trade id); one that does not decode, or belongs to another list or order, is a
// BadCursorError.
import { BadCursorError, type RunSortKey, type SortOrder } from './read-model-port.ts';

export const DEFAULT_RUN_PAGE = 50;
export const DEFAULT_RECORD_PAGE = 100;
export const MAX_PAGE = 500;

/** The page size asked for, within 1 to MAX_PAGE (`fallback` when none is asked for). */
export function pageLimit(limit: number | undefined, fallback: number): number {
  if (limit === undefined) return fallback;
  return Math.min(MAX_PAGE, Math.max(1, Math.floor(limit)));
}

export interface Cursor {
  /** The list (and for runs its sort and order) the cursor belongs to. */
  readonly k: string;
  /** The last row's sort value. */
  readonly v: string | number | null;
  readonly id: string;
  readonly [extra: string]: unknown;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
}

function decodeCursor(text: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw new BadCursorError('not a cursor this server gave out (not base64url)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new BadCursorError('not a cursor this server gave out (garbled)');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new BadCursorError('not a cursor this server gave out');
  const c = parsed as Record<string, unknown>;
  if (typeof c['k'] !== 'string' || typeof c['id'] !== 'string')
    throw new BadCursorError('not a cursor this server gave out');
  return c;
}

export function decodeRunCursor(text: string, sort: RunSortKey, order: SortOrder): Cursor {
  const c = decodeCursor(text);
  const k = `runs:${sort}:${order}`;
  if (c['k'] !== k)
    throw new BadCursorError(`it belongs to ${String(c['k'])}, not to this list (runs sorted by ${sort} ${order})`);
  const v = c['v'];
  const ok = sort === 'started' ? typeof v === 'string' : v === null || (typeof v === 'number' && Number.isFinite(v));
  if (!ok) throw new BadCursorError('not a cursor this server gave out (bad sort value)');
  return c as unknown as Cursor;
}

/** A records cursor of list `k` with the given fields (id is a string, seq a whole number,
 *  trade a string). */
export function decodeKeyCursor(text: string, k: string, fields: readonly string[]): Record<string, unknown> {
  const c = decodeCursor(text);
  if (c['k'] !== k) throw new BadCursorError(`it belongs to ${String(c['k'])}, not to the ${k} of a run`);
  for (const f of fields) {
    const v = c[f];
    const ok = f === 'seq' ? Number.isSafeInteger(v) : typeof v === 'string';
    if (!ok) throw new BadCursorError(`not a cursor this server gave out (bad ${f})`);
  }
  return c;
}
