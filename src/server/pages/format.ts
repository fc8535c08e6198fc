// How pages write numbers, times and open row fields: one place, so every table reads alike.

/** A row of the reader as an open record (its concrete type or not), for reading fields. */
export type Fields = Readonly<Record<string, unknown>>;
export const fields = (row: unknown): Fields => (row ?? {}) as Fields;

export const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

export function num(v: unknown, digits = 2): string {
  if (v === null || v === undefined || v === '') return '–';
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits }) : str(v);
}

export const pct = (v: unknown): string => (typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : '–');

/** Epoch ms as a UTC instant with milliseconds. */
export function instant(ms: unknown): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return str(ms);
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/** An ISO instant shortened for a table (seconds, no zone letter). */
export const shortIso = (iso: unknown): string =>
  str(iso)
    .replace('T', ' ')
    .replace(/\.\d+Z$|Z$/, '');

/** A query string from the parameters that have a value (undefined and '' left out). */
export function queryString(params: Readonly<Record<string, string | number | boolean | undefined | null>>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}
