// What a stored run's chart series read of its stored payloads (log entries and the market
// samples kept beside the log), checked before use: a field of another type would otherwise
// become NaN in a chart, or a TypeError (a payload of null). A payload that is not JSON, or not of
// the shape execsim writes (the database edited by hand or damaged), is a StoredDataError naming
// the run and the event, or the sample by its time and the entry before it.
import type Database from 'better-sqlite3';
import { damagedSample, misshapenPayload, storedPayload } from './stored-data.ts';

/** A stored event as the series read it (its seq names it when its payload is damaged). */
export interface PayloadRow {
  readonly seq: number;
  readonly time: number;
  readonly payload: string;
}

/** A market sample: top of book (ticks) and the public trades since the last (lots, ticks). */
export interface Sample {
  readonly bid: number | null;
  readonly ask: number | null;
  readonly volume: number;
  readonly vwap: number | null;
}

/** A child order as planned (OrderCreated). */
export interface Created {
  readonly clientOrderId: string;
  readonly parentId: string;
  readonly scheduledTime: number;
  readonly qty: number;
}

/** A parent order as created (ParentOrderCreated), with the book at its arrival. */
export interface ParentCreated {
  readonly parentId: string;
  readonly symbol?: unknown;
  readonly side: 'buy' | 'sell';
  readonly qty: number;
  readonly arrivalBid: number | null;
  readonly arrivalAsk: number | null;
}

export type PayloadFields = Record<string, unknown>;
export const isFields = (p: unknown): p is PayloadFields => typeof p === 'object' && p !== null && !Array.isArray(p);
const numberOrNull = (v: unknown): boolean => v === null || typeof v === 'number';

export const SAMPLE = 'a market sample (bid, ask, volume, vwap)';

export const isSample = (p: unknown): p is Sample =>
  isFields(p) &&
  numberOrNull(p['bid']) &&
  numberOrNull(p['ask']) &&
  typeof p['volume'] === 'number' &&
  numberOrNull(p['vwap']);

export const isCreated = (p: unknown): p is Created =>
  isFields(p) &&
  typeof p['clientOrderId'] === 'string' &&
  typeof p['scheduledTime'] === 'number' &&
  typeof p['qty'] === 'number';

export const isSubmit = (p: unknown): p is { clientOrderId: string } =>
  isFields(p) && typeof p['clientOrderId'] === 'string';

export const isParent = (p: unknown): p is ParentCreated =>
  isFields(p) &&
  typeof p['parentId'] === 'string' &&
  (p['side'] === 'buy' || p['side'] === 'sell') &&
  typeof p['qty'] === 'number' &&
  numberOrNull(p['arrivalBid']) &&
  numberOrNull(p['arrivalAsk']);

export const isInventory = (p: unknown): p is PayloadFields =>
  isFields(p) &&
  (typeof p['position'] === 'number' || typeof p['adjustment'] === 'number') &&
  (p['symbol'] === undefined || typeof p['symbol'] === 'string');

/** Which of the two inventory kinds a payload is (they are read together), by its fields. */
export function inventoryKind(payload: string): string {
  return payload.includes('"adjustment"') ? 'PositionCorrected' : 'AccountBaseline';
}

/** The payloads of one run, parsed and checked. */
export class SeriesPayloads {
  constructor(
    private readonly db: Database.Database,
    private readonly runId: string,
  ) {}

  /** A stored payload of `kind` parsed and checked by `fits`; `what` names what it must be. */
  of<T>(row: PayloadRow, kind: string, fits: (p: unknown) => p is T, what: string): T {
    const p = storedPayload(this.db, this.runId, row.seq, kind, row.payload);
    if (!fits(p)) throw misshapenPayload(this.db, this.runId, row.seq, kind, what);
    return p;
  }

  /** A sample kept beside the log, parsed and checked (named by its time and the entry before it). */
  sample(row: PayloadRow): Sample {
    let p: unknown;
    try {
      p = JSON.parse(row.payload);
    } catch {
      throw damagedSample(this.db, this.runId, row.seq, row.time, 'JSON');
    }
    if (!isSample(p)) throw damagedSample(this.db, this.runId, row.seq, row.time, SAMPLE);
    return p;
  }
}

/** The marks of a finished report's P&L per symbol (its JSON), those with one. */
export function endMarks(json: string): Array<{ symbol: string; mark: string }> {
  let list: unknown;
  try {
    list = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(list)) return [];
  return list.flatMap((x) =>
    isFields(x) &&
    typeof x['symbol'] === 'string' &&
    typeof x['mark'] === 'string' &&
    Number.isFinite(Number(x['mark']))
      ? [{ symbol: x['symbol'], mark: x['mark'] }]
      : [],
  );
}
