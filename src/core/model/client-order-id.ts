// Deterministic client order ids: a hash of the parent's parameters, the trade date and the
// slice number, shortened to the venue's limit. The same inputs give the same id on every retry
// and after a restart, so a venue that deduplicates by client id can never see a second order
// for the same slice.
import { hash } from 'node:crypto';
import { clientOrderId, type ClientOrderId } from './ids.ts';

export interface ClientIdInputs {
  readonly parentId: string;
  readonly symbol: string;
  readonly side: string;
  readonly qty: number;
  /** UTC trade date, YYYY-MM-DD. */
  readonly tradeDate: string;
  readonly sliceNum: number;
  /** The parent's other parameters (a TWAP's schedule and child type) as one string. Hashed only
   *  when present, so ids derived without it are what they always were. */
  readonly params?: string;
}

const PREFIX = 'x';

export function deriveClientOrderId(inputs: ClientIdInputs, maxLength: number): ClientOrderId {
  if (maxLength < 8) throw new Error(`client order id limit ${maxLength} is too short for a collision-safe id`);
  let text = `${inputs.parentId}|${inputs.symbol}|${inputs.side}|${inputs.qty}|${inputs.tradeDate}|${inputs.sliceNum}`;
  if (inputs.params !== undefined) text += `|${inputs.params}`;
  // One-shot hash: no Hash object per id (a TWAP derives one per slice).
  const hex = hash('sha256', text, 'hex');
  // Up to 32 hex characters (128 bits) is plenty; Binance allows 36, Alpaca 128.
  return clientOrderId(PREFIX + hex.slice(0, Math.min(32, maxLength - PREFIX.length)));
}

/** YYYY-MM-DD of an epoch-ms time, in UTC, computed without Date. */
export function utcDate(epochMs: number): string {
  const days = Math.floor(epochMs / 86_400_000);
  // Civil-from-days (H. Hinnant), valid for the proleptic Gregorian calendar.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
