// ccxt's parsed Binance orders and trades in our units and words: prices in ticks, quantities in
// lots, times in epoch ms, statuses in our names, commissions as the port's fee rules say
// (reports.ts TradeCommission). ccxt's numbers come from Binance's decimal strings by parseFloat,
// and a double prints back as the shortest text that reads as it, so "0.00001" stays "0.00001"
// on the way to lots. Where ccxt's unified field loses a distinction (its 'closed' for FILLED, the
// average it puts in a market order's price), Binance's own field in `info` is read instead.
import type { Order, Trade } from 'ccxt';
import { clientOrderId as toClientOrderId, tradeId as toTradeId, venueOrderId } from '../../core/model/ids.ts';
import {
  commissionAssetKind,
  commissionLots,
  commissionUnits,
  type Assets,
} from '../../core/fills/commission-units.ts';
import { priceToTicks, type Instrument } from '../../core/model/instrument.ts';
import type { OrderStatusReport, ReportedTrade } from '../../core/model/reports.ts';
import type { VenueOrderRow } from '../live-venue.ts';
import type { HashedClientIdNamespace } from '../hashed-client-id-namespace.ts';
import { normalizeStatus } from './binance-status-spelling.ts';
import { fractionalTicksOf, lotsOf, plainDecimal, ticksOf } from '../wire-amounts.ts';

type OurStatus = OrderStatusReport['status'];

const info = (o: { info?: unknown }): Record<string, unknown> =>
  typeof o.info === 'object' && o.info !== null ? (o.info as Record<string, unknown>) : {};

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const int = (v: unknown): number | null => {
  const n = typeof v === 'string' && v !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : null;
};

/**
 * Our status for Binance's (REST `status`, stream `X`; ccxt's unified status when neither is
 * there) and the order's quantities. A live status, or a spelling we do not know, reads by the
 * fills ('new' or 'partially_filled'): never as done.
 */
export function ourStatus(binance: unknown, ccxtStatus: unknown, qty: number, filledQty: number): OurStatus {
  const spelled = normalizeStatus(binance);
  const status = spelled !== 'unknown' ? spelled : normalizeStatus(ccxtStatus === 'closed' ? 'filled' : ccxtStatus);
  switch (status) {
    case 'filled':
      return filledQty >= qty ? 'filled' : 'partially_filled';
    case 'canceled':
    case 'expired':
    case 'rejected':
      return status;
    default:
      return filledQty > 0 ? 'partially_filled' : 'new';
  }
}

/**
 * One execution: the trade id (Binance's, the same on the POST answer, the stream and myTrades),
 * lots and ticks, the commission as Binance stated it with its value in quote where the trade
 * alone tells it (commission-units.ts: quote, the amount; base, the amount at the trade's price,
 * with the lots Binance kept of the base), and maker or taker (`liquidity` when ccxt cannot tell:
 * the POST answer's fills are the incoming order's, a taker's). A commission in any other asset
 * (BNB) is `unvalued` with fee 0 until binance-commissions.ts values it at a price. Null when
 * the execution does not read.
 */
export function reportedTrade(
  inst: Instrument,
  assets: Assets,
  t: Trade,
  fallbackTime: number,
  liquidity: 'maker' | 'taker' = 'taker',
): ReportedTrade | null {
  const qty = lotsOf(inst, num(t.amount));
  const price = ticksOf(inst, num(t.price));
  if (typeof t.id !== 'string' || t.id === '' || qty === null || qty <= 0 || price === null) return null;
  const base = {
    tradeId: toTradeId(t.id),
    qty,
    price,
    liquidity: t.takerOrMaker === 'maker' || t.takerOrMaker === 'taker' ? t.takerOrMaker : liquidity,
    venueTime: num(t.timestamp) ?? fallbackTime,
  };
  const asset = typeof t.fee?.currency === 'string' ? t.fee.currency : null;
  const amount = plainDecimal(num(t.fee?.cost));
  if (asset === null || amount === null) return { ...base, fee: 0 };
  const kind = commissionAssetKind(assets, asset);
  if (kind === 'other') return { ...base, fee: 0, commission: { asset, amount, unvalued: true } };
  const fee = commissionUnits(inst, assets, { asset, amount }, price, null) ?? 0;
  const lots = kind === 'base' ? commissionLots(inst, amount) : null;
  return {
    ...base,
    fee,
    commission: lots !== null && lots > 0 ? { asset, amount, baseLots: lots } : { asset, amount },
  };
}

/** What a row of ours carries beside its state: the venue's times. */
export interface OrderTimes {
  readonly submittedAt: number | null;
  readonly updatedAt: number | null;
}

/**
 * The order's full state: our client id (the namespace taken off; an id not in it stays as the
 * venue spelled it: not this run's order), the venue's id, status and quantities, the limit
 * price, the side, and the executions when `trades` lists them all (they add up to the filled
 * quantity); otherwise the cumulative filled quantity with its average price. Null when the order
 * does not read (no id or client id, no quantity).
 */
export function orderRow(
  inst: Instrument,
  ids: Pick<HashedClientIdNamespace, 'local'>,
  o: Order,
  source: VenueOrderRow['source'],
  trades?: readonly ReportedTrade[],
): { readonly row: VenueOrderRow; readonly times: OrderTimes } | null {
  const raw = info(o);
  const wire = typeof o.clientOrderId === 'string' ? o.clientOrderId : '';
  const qty = lotsOf(inst, num(o.amount));
  if (typeof o.id !== 'string' || o.id === '' || wire === '' || qty === null) return null;
  const filledQty = lotsOf(inst, num(o.filled)) ?? 0;
  const listed = trades !== undefined && trades.reduce((sum, t) => sum + t.qty, 0) === filledQty;
  const avg = !listed && filledQty > 0 ? fractionalTicksOf(inst, num(o.average)) : null;
  // A market order has no limit; ccxt puts its average in `price`, Binance's own type tells.
  const type = String(raw['type'] ?? raw['o'] ?? o.type ?? '').toUpperCase();
  const limitText = plainDecimal(raw['price'] ?? raw['p'] ?? num(o.price));
  const limit =
    type === 'MARKET' || type === 'STOP_LOSS' || limitText === null || Number(limitText) === 0
      ? null
      : priceOrNull(inst, limitText);
  const updatedAt = int(raw['updateTime']) ?? int(raw['E']) ?? num(o.lastUpdateTimestamp) ?? num(o.timestamp);
  const submittedAt = int(raw['time']) ?? int(raw['O']) ?? int(raw['transactTime']) ?? num(o.timestamp);
  const row: VenueOrderRow = {
    clientOrderId: toClientOrderId(ids.local(wire) ?? wire),
    venueOrderId: venueOrderId(o.id),
    status: ourStatus(raw['status'] ?? raw['X'], o.status, qty, filledQty),
    qty,
    filledQty,
    ...(listed ? { trades: [...(trades ?? [])] } : {}),
    ...(avg === null ? {} : { avgPrice: avg }),
    ...(updatedAt === null ? {} : { updatedAt }),
    ...(source === undefined ? {} : { source }),
    ...(o.side === 'buy' || o.side === 'sell' ? { side: o.side } : {}),
    limitPrice: limit,
  };
  return { row, times: { submittedAt, updatedAt } };
}

function priceOrNull(inst: Instrument, text: string): number | null {
  try {
    return priceToTicks(inst, text);
  } catch {
    return ticksOf(inst, text);
  }
}
