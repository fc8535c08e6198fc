// The tolerant reads of a run's stored JSON (report, event payloads, the scenario's instrument),
// which a hand-edited database may have broken, and the words that name the damage (the CLI's
// messages and the server's stored-data problems say the same).
import { makeInstrument, type Instrument, type InstrumentSpec } from '../core/model/instrument.ts';

/** A stored report; one that no longer parses (the file edited by hand) reads as none, and
 *  verifying the run (`execsim show`) names it as a problem. */
export function parsedReport(json: string | null): unknown {
  if (json === null) return null;
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return null;
  }
}

/** A stored event's payload parsed, or undefined when it no longer parses (the database edited by
 *  hand); `show` (verify-run.ts) and `events` name such an event with unreadablePayload. */
export function parsedPayload(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return undefined;
  }
}

/** The problem of a stored event whose payload is not JSON, as `show` and `events` report it. */
export const unreadablePayload = (seq: number, kind: string): string =>
  `event seq ${seq} (${kind}): the payload is not JSON`;

/** A stored value as text, for messages and tables: a string as it is, a blob as SQL writes one
 *  (x'00ff'). A database edited by hand can hold a blob or text in any column, whatever type
 *  the rows here declare. */
export function storedText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return `x'${Buffer.from(value).toString('hex')}'`;
  return String(value);
}

/** A value in the words of a stored-data problem. */
export function describedValue(v: unknown): string {
  if (v instanceof Uint8Array) return `a blob (${storedText(v)})`;
  if (typeof v === 'string') return `the text ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  if (typeof v === 'number' || typeof v === 'bigint') return `the number ${String(v)}`;
  return typeof v;
}

/** The stored scenario's instrument, or what is wrong with it, in words of our own: a scenario
 *  edited by hand may not be JSON or lack fields, and JavaScript's own messages for that
 *  ("Cannot read properties of undefined") name nothing the user wrote. */
export function storedInstrument(json: string): Instrument | string {
  let scenario: unknown;
  try {
    scenario = JSON.parse(json) as unknown;
  } catch {
    return 'it is not JSON';
  }
  const spec =
    typeof scenario === 'object' && scenario !== null ? (scenario as Record<string, unknown>)['instrument'] : undefined;
  if (typeof spec !== 'object' || spec === null) return 'it has no instrument';
  const missing = ['symbol', 'tickSize', 'lotSize', 'minNotional'].filter(
    (k) => typeof (spec as Record<string, unknown>)[k] !== 'string',
  );
  if (missing.length > 0) return `its instrument has no ${missing.join(', ')} (each a string)`;
  try {
    return makeInstrument(spec as InstrumentSpec);
  } catch (err) {
    return `its instrument: ${(err as Error).message}`;
  }
}

/** A stored scenario's further instruments (otherInstruments) that can be read; an unreadable one
 *  is left out (its rows are then in the run's own instrument's decimals, as before). */
export function storedOtherInstruments(json: string): Instrument[] {
  let scenario: unknown;
  try {
    scenario = JSON.parse(json) as unknown;
  } catch {
    return [];
  }
  const others =
    typeof scenario === 'object' && scenario !== null
      ? (scenario as Record<string, unknown>)['otherInstruments']
      : undefined;
  if (!Array.isArray(others)) return [];
  const out: Instrument[] = [];
  for (const spec of others) {
    if (typeof spec !== 'object' || spec === null) continue;
    const o = spec as Record<string, unknown>;
    if (!['symbol', 'tickSize', 'lotSize', 'minNotional'].every((k) => typeof o[k] === 'string')) continue;
    try {
      out.push(
        makeInstrument({
          symbol: o['symbol'],
          tickSize: o['tickSize'],
          lotSize: o['lotSize'],
          minNotional: o['minNotional'],
        } as InstrumentSpec),
      );
    } catch {
      // Not an instrument: left out.
    }
  }
  return out;
}
