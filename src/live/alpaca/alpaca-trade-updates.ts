// Alpaca's trade_updates stream events as reports: a fill is a FillReport per execution (deduped
// by execution id, since Alpaca repeats events now and then), `canceled` goes to the cancel flow,
// expiry and late rejection are their reports, and the other order events an OrderStatusReport
// of the order's cumulative state. The stream is account-wide: events for symbols not traded, or
// without a client or venue id, are dropped. Separate because it is the mapping of one vendor
// message to core's reports, apart from how the stream connects (the adapter) and what a cancel
// waits for (the cancel flow).
import {
  clientOrderId as toClientOrderId,
  tradeId as toTradeId,
  venueOrderId as toVenueOrderId,
} from '../../core/model/ids.ts';
import type { AlpacaCancelFlow } from './alpaca-cancel-flow.ts';
import { lotsOf, msOf, orderFields, ticksOf, tradedOrderRow } from './alpaca-convert.ts';
import type { AlpacaLink } from './alpaca-link.ts';
import { tradeEventAction } from './alpaca-statuses.ts';
import { BoundedSet } from '../bounded-set.ts';

export class AlpacaTradeUpdates {
  private readonly executions = new BoundedSet(100_000);

  /** `canceled` goes to the cancel flow, which answers a waiting cancel or reports it once. */
  constructor(
    private readonly link: Pick<AlpacaLink, 'instruments' | 'clock' | 'ids' | 'reports'>,
    private readonly cancels: Pick<AlpacaCancelFlow, 'streamCanceled'>,
  ) {}

  /** One trade_updates message (the SDK's object, read field by field). */
  onTradeUpdate(u: Record<string, unknown>): void {
    const { instruments, ids, reports } = this.link;
    if (reports.stopped) return;
    const order = u['order'];
    if (typeof order !== 'object' || order === null) return;
    const raw = ids.local(order);
    const f = orderFields(raw);
    // The stream is account-wide: only the traded instruments' orders are ours to report, each
    // read on its own symbol's grid.
    const inst = instruments.of(f.symbol);
    if (inst === null || f.clientOrderId === '' || f.id === '') return;
    const cid = toClientOrderId(f.clientOrderId);
    const event = String(u['event'] ?? '');
    switch (tradeEventAction(event)) {
      case 'fill': {
        const exec = u['execution_id'] ?? u['executionId'];
        const qty = lotsOf(inst, u['qty']);
        const price = ticksOf(inst, u['price']);
        if (typeof exec !== 'string' || exec === '' || qty === null || qty <= 0 || price === null) {
          // An execution we cannot read: the order's cumulative state carries it instead.
          const row = tradedOrderRow(instruments, raw, 'stream');
          if (row) reports.emit({ kind: 'OrderStatusReport', ...row });
          return;
        }
        if (this.executions.has(exec)) return; // Alpaca repeats events now and then
        this.executions.add(exec);
        reports.emit({
          kind: 'FillReport',
          clientOrderId: cid,
          venueOrderId: toVenueOrderId(f.id),
          tradeId: toTradeId(exec),
          qty,
          price,
          fee: 0,
          liquidity: 'taker',
          venueTime: msOf(u['timestamp']) ?? f.updatedAt ?? this.link.clock.now(),
        });
        return;
      }
      case 'cancel':
        this.cancels.streamCanceled(cid);
        return;
      case 'expire':
        reports.emit({ kind: 'ExpiredReport', clientOrderId: cid, reason: 'expired: its time in force ended' });
        return;
      case 'reject':
        reports.emit({
          kind: 'RejectReport',
          clientOrderId: cid,
          code: 'rejected',
          reason: 'rejected by Alpaca after acceptance',
        });
        return;
      case 'status': {
        const row = tradedOrderRow(instruments, raw, 'stream');
        if (row) reports.emit({ kind: 'OrderStatusReport', ...row });
        return;
      }
      case 'ignore':
        return;
    }
  }
}
