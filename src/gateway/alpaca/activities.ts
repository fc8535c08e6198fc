// Alpaca's account activities at the gateway: one FILL activity per execution the trade_updates
// stream announced (the same execution's qty, price and order as it then was), kept in the order
// they happened. The account has no other activity (no dividends, transfers or fees), so every
// other type Alpaca knows lists nothing and a type it does not know is refused as Alpaca refuses
// it (422 "invalid activity type"). Paging as Alpaca's: `page_token` is the id of the last
// activity of the previous page, ids start with the time (YYYYMMDDHHmmssSSS::execution id),
// `direction` desc by default, `page_size` at most 100.
import { LocalDate, ZoneId } from '@js-joda/core';
import '@js-joda/timezone';
import type { TradeUpdate } from './alpaca-orders.ts';
import { invalid, parseTime, type AlpacaError } from './wire.ts';

/** One FILL activity as Alpaca answers it. */
export interface FillActivity {
  readonly id: string;
  readonly activity_type: 'FILL';
  readonly transaction_time: string;
  readonly type: 'fill' | 'partial_fill';
  readonly price: string;
  readonly qty: string;
  readonly side: string;
  readonly symbol: string;
  readonly leaves_qty: string;
  readonly order_id: string;
  readonly cum_qty: string;
  readonly order_status: string;
}

/** The activity types Alpaca's trading API lists; only FILL ever happens here. */
const KNOWN_TYPES = new Set([
  'FILL',
  'TRANS',
  'MISC',
  'ACATC',
  'ACATS',
  'CFEE',
  'CSD',
  'CSW',
  'DIV',
  'DIVCGL',
  'DIVCGS',
  'DIVFEE',
  'DIVFT',
  'DIVNRA',
  'DIVROC',
  'DIVTW',
  'DIVTXEX',
  'FEE',
  'INT',
  'INTNRA',
  'INTTW',
  'JNL',
  'JNLC',
  'JNLS',
  'MA',
  'NC',
  'OPASN',
  'OPCA',
  'OPCSH',
  'OPEXC',
  'OPEXP',
  'OPTRD',
  'PTC',
  'PTR',
  'REORG',
  'SC',
  'SSO',
  'SSP',
  'SPLIT',
]);

const MAX_PAGE = 100;
const NEW_YORK = ZoneId.of('America/New_York');

export class FillActivities {
  /** In the order they happened (which the ids' time prefixes follow, ties included). */
  private readonly list: FillActivity[] = [];
  /** Each id's position in `list`. */
  private readonly index = new Map<string, number>();

  /** Keeps the execution a trade_updates message announces (once per execution id). */
  record(u: TradeUpdate): void {
    if ((u.event !== 'fill' && u.event !== 'partial_fill') || u.execution_id === undefined) return;
    const at = Date.parse(u.timestamp);
    const id = `${stamp(at)}::${u.execution_id}`;
    if (this.index.has(id)) return;
    this.index.set(id, this.list.length);
    const order = u.order;
    const text = (k: string): string => String(order[k] ?? '');
    const cum = text('filled_qty');
    this.list.push({
      id,
      activity_type: 'FILL',
      transaction_time: u.timestamp,
      type: u.event,
      price: u.price ?? '',
      qty: u.qty ?? '',
      side: text('side'),
      symbol: text('symbol'),
      leaves_qty: leaves(text('qty'), cum),
      order_id: text('id'),
      cum_qty: cum,
      order_status: text('status'),
    });
  }

  /** One page of activities for a request's query (`type`: the path's activity type, if any). */
  page(query: (k: string) => string | undefined, type?: string): FillActivity[] | AlpacaError {
    const types = type !== undefined ? [type] : list(query('activity_types'));
    const category = query('category');
    if (category !== undefined && type !== undefined) return invalid('category cannot be given with an activity type');
    if (category !== undefined && types.length > 0) return invalid('category and activity_types cannot both be given');
    if (category !== undefined && category !== 'trade_activity' && category !== 'non_trade_activity')
      return invalid(`invalid category "${category.slice(0, 40)}": must be trade_activity or non_trade_activity`);
    const unknown = types.find((t) => !KNOWN_TYPES.has(t));
    if (unknown !== undefined) return invalid(`invalid activity type: ${unknown.slice(0, 40)}`);
    const fills = category === 'non_trade_activity' ? false : types.length === 0 || types.includes('FILL');

    const date = query('date');
    let from = -Infinity;
    let to = Infinity;
    if (date !== undefined) {
      if (query('after') !== undefined || query('until') !== undefined)
        return invalid('date cannot be given with after or until');
      // A date, or a time whose date is meant (the SDK sends a Date as a full ISO time).
      const day = parseTime(date) === null ? null : localDate(date.slice(0, 10));
      if (day === null) return invalid(`invalid date "${date.slice(0, 40)}": must be YYYY-MM-DD`);
      from = day.atStartOfDay(NEW_YORK).toInstant().toEpochMilli();
      to = day.plusDays(1).atStartOfDay(NEW_YORK).toInstant().toEpochMilli();
    }
    for (const k of ['after', 'until'] as const) {
      const v = query(k);
      if (v === undefined) continue;
      const ms = parseTime(v);
      if (ms === null) return invalid(`invalid ${k} "${v.slice(0, 40)}": must be an RFC 3339 time or a date`);
      if (k === 'after') from = ms + 1;
      else to = ms;
    }
    const direction = query('direction') ?? 'desc';
    if (direction !== 'asc' && direction !== 'desc')
      return invalid(`invalid direction "${direction.slice(0, 40)}": must be asc or desc`);
    const sizeText = query('page_size');
    let size = MAX_PAGE;
    if (sizeText !== undefined) {
      if (!/^\d{1,4}$/.test(sizeText) || Number(sizeText) < 1 || Number(sizeText) > MAX_PAGE)
        return invalid(`invalid page_size "${sizeText.slice(0, 40)}": must be 1 to ${MAX_PAGE}`);
      size = Number(sizeText);
    }

    if (!fills) return [];
    // Positions in the whole list, in the chosen direction; a token is the position of its id
    // (it may lie outside the times asked for: the page then starts after it all the same).
    const token = query('page_token');
    const after = token === undefined ? undefined : this.index.get(token);
    if (token !== undefined && after === undefined) return invalid(`invalid page_token "${token.slice(0, 60)}"`);
    const out: FillActivity[] = [];
    const n = this.list.length;
    for (let k = 0; k < n && out.length < size; k++) {
      const i = direction === 'asc' ? k : n - 1 - k;
      if (after !== undefined && (direction === 'asc' ? i <= after : i >= after)) continue;
      const a = this.list[i] as FillActivity;
      const t = Date.parse(a.transaction_time);
      if (t >= from && t < to) out.push(a);
    }
    return out;
  }
}

/** "FILL,DIV" -> ["FILL", "DIV"]. */
function list(text: string | undefined): string[] {
  if (text === undefined || text.trim() === '') return [];
  return text.split(',').map((t) => t.trim());
}

/** Epoch ms as YYYYMMDDHHmmssSSS (UTC): ids sort by time as strings. */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:TZ.]/g, '');
}

/** qty - cum as a decimal string (both decimal strings of the same instrument). */
function leaves(qty: string, cum: string): string {
  const scale = Math.max(decimals(qty), decimals(cum));
  const f = 10 ** scale;
  const rest = Math.round(Number(qty) * f) - Math.round(Number(cum) * f);
  return scale === 0 ? String(rest) : (rest / f).toFixed(scale).replace(/\.?0+$/, '');
}

function decimals(text: string): number {
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

/** A calendar date, or null when there is no such day (2024-02-30). */
function localDate(text: string): LocalDate | null {
  try {
    return LocalDate.parse(text);
  } catch {
    return null;
  }
}
