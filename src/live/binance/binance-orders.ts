// The commands on Binance: submit (POST /api/v3/order, FULL answer) and cancel (DELETE
// /api/v3/order), each answered once; and the end of an order (canceled, expired, rejected)
// reported once, whichever channel tells it first (the POST or DELETE answer, or the user data
// stream). Each command's answers: docs/0066-live-adapter-notes.md.
import type { Order } from 'ccxt';
import { tradeId as toTradeId, type ClientOrderId, type VenueOrderId } from '../../core/model/ids.ts';
import { lotsToQty, ticksToPrice } from '../../core/model/instrument.ts';
import type { OrderRequest } from '../../core/model/order.ts';
import type { CancelRejectReport, ReportedTrade, VenueMessage } from '../../core/model/reports.ts';
import { refusal, type VenueRules } from '../../core/venues/venue-rules.ts';
import { BoundedSet } from '../bounded-set.ts';
import { orderRow, reportedTrade } from './binance-convert.ts';
import {
  binanceFailure,
  failureCode,
  failureText,
  refusalCode,
  refusalReason,
  unknownCategory,
  type BinanceFailure,
} from './binance-failures.ts';
import { InstrumentRefused, type BinanceLink } from './binance-link.ts';
import type { ReadyMarket, ReadyMarkets } from './binance-ready-markets.ts';

export class BinanceOrderCalls {
  /** Cancels waiting for their answer, by client id. */
  private readonly pendingCancels = new Map<string, Array<{ done: boolean }>>();
  /** Orders whose end was reported (by venue order id), so no channel reports it twice. */
  private readonly ended = new BoundedSet(100_000);

  constructor(
    private readonly link: BinanceLink,
    private readonly rules: VenueRules,
  ) {}

  // ---- submit ------------------------------------------------------------------------------

  submit(order: OrderRequest): void {
    const { reports } = this.link;
    const cid = order.clientOrderId;
    const rule = this.rules.orderTypes[order.type];
    if (rule === undefined || (rule.timesInForce !== 'not-sent' && !rule.timesInForce.includes(order.tif))) {
      const r = refusal(this.rules, rule === undefined ? 'unsupported-order-type' : 'unsupported-tif');
      reports.later({ kind: 'RejectReport', clientOrderId: cid, code: r.code, reason: r.message });
      return;
    }
    // The markets first: a failure to read them sent nothing of the order.
    void this.link.ready().then(
      (markets) => {
        const ready = markets.forOrder(order.symbol);
        if (ready === null) {
          const r = refusal(this.rules, 'unknown-symbol');
          reports.emit({
            kind: 'RejectReport',
            clientOrderId: cid,
            code: r.code,
            reason: `${order.symbol}: ${r.message}`,
          });
          return;
        }
        this.link.orderMarkets.note(this.link.ids.wire(cid), ready.inst.symbol);
        void this.send(order, ready, rule.timesInForce !== 'not-sent').then(
          (answer) => answer.forEach((m) => reports.emit(m)),
          (err: unknown) => reports.emit(this.submitFailure(cid, err)),
        );
      },
      (err: unknown) => reports.emit(notSent(cid, err, this.link.scrubbed)),
    );
  }

  private async send(order: OrderRequest, ready: ReadyMarket, withTif: boolean): Promise<VenueMessage[]> {
    const { ex, ids } = this.link;
    const { inst } = ready;
    const cid = order.clientOrderId;
    const trigger = order.type === 'stop' || order.type === 'stop_limit';
    const limited = order.type === 'limit' || order.type === 'stop_limit';
    const params: Record<string, unknown> = { newClientOrderId: ids.wire(cid) };
    // Post-only is Binance's LIMIT_MAKER, which takes no time in force (-1106 if sent).
    if (withTif && !order.postOnly) params['timeInForce'] = order.tif;
    if (order.postOnly) params['postOnly'] = true;
    if (trigger && order.stopPrice !== undefined) params['triggerPrice'] = Number(ticksToPrice(inst, order.stopPrice));
    const o = await ex.createOrder(
      ready.symbol,
      limited ? 'limit' : 'market',
      order.side,
      Number(lotsToQty(inst, order.qty)),
      limited && order.limitPrice !== undefined ? Number(ticksToPrice(inst, order.limitPrice)) : undefined,
      params,
    );
    return this.answered(cid, o, ready);
  }

  /** The reports a POST answer makes: the ack, its fills (commissions in another asset valued:
   *  binance-commissions.ts), its end. */
  private async answered(cid: ClientOrderId, o: Order, ready: ReadyMarket): Promise<VenueMessage[]> {
    const { ids, clock } = this.link;
    const { inst } = ready;
    const read = orderRow(inst, ids, o, 'lookup');
    if (read === null)
      return [
        {
          kind: 'OutcomeUnknownReport',
          clientOrderId: cid,
          request: 'submit',
          reason: 'Binance answered the order without an id or quantity',
        },
      ];
    const { row, times } = read;
    if (row.status === 'rejected') {
      this.ended.add(this.key(row.venueOrderId, ready));
      return [{ kind: 'RejectReport', clientOrderId: cid, code: 'REJECTED', reason: 'order rejected by Binance' }];
    }
    const vid = row.venueOrderId;
    const out: VenueMessage[] = [{ kind: 'AckReport', clientOrderId: cid, venueOrderId: vid }];
    const at = times.submittedAt ?? clock.now();
    const trades = (o.trades ?? []).flatMap((t) => reportedTrade(inst, ready.assets, t, at, 'taker') ?? []);
    out.push(...this.fills(cid, vid, await this.link.commissions.value(inst, ready.assets, trades), ready));
    out.push(...this.end(cid, vid, row.status, 'the POST answer', ready));
    return out;
  }

  /** An order's or an execution's id as remembered: Binance numbers both per symbol, so among
   *  several symbols the id is qualified by its market's. */
  private key(id: string, ready: ReadyMarket): string {
    return this.link.instruments.several ? `${ready.inst.symbol} ${id}` : id;
  }

  /** FillReports of executions on `ready`'s market not reported before (by trade id). */
  fills(cid: ClientOrderId, vid: VenueOrderId, trades: readonly ReportedTrade[], ready: ReadyMarket): VenueMessage[] {
    const out: VenueMessage[] = [];
    for (const t of trades) {
      const key = this.key(t.tradeId, ready);
      if (this.link.executions.has(key)) continue;
      this.link.executions.add(key);
      out.push({ kind: 'FillReport', clientOrderId: cid, venueOrderId: vid, ...t, tradeId: toTradeId(t.tradeId) });
    }
    return out;
  }

  private submitFailure(cid: ClientOrderId, err: unknown): VenueMessage {
    const f = binanceFailure(err);
    const code = refusalCode(this.rules, f);
    const text = this.link.scrubbed(`${code} ${f.message}`);
    if (f.notSent) return { kind: 'RetryableRejectReport', clientOrderId: cid, code, reason: `not sent: ${text}` };
    switch (f.meaning) {
      case 'unknown_outcome':
        return {
          kind: 'OutcomeUnknownReport',
          clientOrderId: cid,
          request: 'submit',
          reason: text,
          category: unknownCategory(f),
        };
      case 'transient':
        return { kind: 'RetryableRejectReport', clientOrderId: cid, code, reason: text };
      default: {
        const duplicate = refusalReason(this.rules, f) === 'duplicate-client-id';
        return {
          kind: 'RejectReport',
          clientOrderId: cid,
          code,
          reason: text,
          ...(duplicate ? { duplicate: true as const } : {}),
        };
      }
    }
  }

  // ---- the end of an order -----------------------------------------------------------------

  /**
   * The reports of an order's end, once per order whichever channel tells it: a cancel answers
   * every cancel of ours waiting for it (else it is a CancelReport of its own), an expiry is an
   * ExpiredReport, a rejection after acceptance a RejectReport. None when the status is no end,
   * or its end was reported before.
   */
  end(cid: ClientOrderId, vid: VenueOrderId, status: string, channel: string, ready: ReadyMarket): VenueMessage[] {
    const key = this.key(vid, ready);
    const first = !this.ended.has(key);
    if (status === 'canceled') {
      this.ended.add(key);
      const waiting = (this.pendingCancels.get(cid) ?? []).filter((p) => !p.done);
      for (const p of waiting) this.settle(cid, p, { kind: 'CancelReport', clientOrderId: cid });
      return first && waiting.length === 0 ? [{ kind: 'CancelReport', clientOrderId: cid }] : [];
    }
    if ((status !== 'expired' && status !== 'rejected') || !first) return [];
    this.ended.add(key);
    return [endReport(cid, status, channel)];
  }

  // ---- cancel ------------------------------------------------------------------------------

  cancel(cid: ClientOrderId, vid: VenueOrderId | null): void {
    const pending = { done: false };
    const list = this.pendingCancels.get(cid) ?? [];
    list.push(pending);
    this.pendingCancels.set(cid, list);
    void this.cancelFlow(cid, vid).then((answer) => this.settle(cid, pending, answer));
  }

  private async cancelFlow(cid: ClientOrderId, vid: VenueOrderId | null): Promise<VenueMessage> {
    const { ex, ids } = this.link;
    let ready: ReadyMarket;
    try {
      const markets = await this.link.ready();
      const known = this.link.orderMarkets.known(ids.wire(cid), markets);
      if (known === null) {
        // An order of ours not seen by this adapter, among several symbols: found by its client id.
        const found = await this.locate(cid, markets);
        if (found.kind !== 'on') return found.answer;
        ready = found.ready;
      } else ready = known;
    } catch (err) {
      return cancelReject(
        cid,
        'transient',
        'instrument',
        `not sent: ${this.link.scrubbed(String((err as Error).message))}`,
      );
    }
    try {
      // By the venue's id when core has it (exact); else by our client id.
      const o = await ex.cancelOrder(vid ?? '', ready.symbol, vid === null ? { origClientOrderId: ids.wire(cid) } : {});
      const read = orderRow(ready.inst, ids, o, 'lookup');
      if (read !== null && read.row.status !== 'canceled') return finished(cid, read.row.status);
      if (read !== null) this.ended.add(this.key(read.row.venueOrderId, ready));
      return { kind: 'CancelReport', clientOrderId: cid };
    } catch (err) {
      return this.cancelFailure(cid, binanceFailure(err), ready);
    }
  }

  /** Which market one of our orders is on, looked up by its client id on each; or the cancel's
   *  answer when it is on none (not found) or a lookup failed (transient). */
  private async locate(
    cid: ClientOrderId,
    markets: ReadyMarkets,
  ): Promise<{ kind: 'on'; ready: ReadyMarket } | { kind: 'answered'; answer: VenueMessage }> {
    const { ex, ids } = this.link;
    for (const ready of markets.all) {
      try {
        await ex.fetchOrder('', ready.symbol, { origClientOrderId: ids.wire(cid) });
      } catch (err) {
        const f = binanceFailure(err);
        if (f.meaning === 'not_found') continue;
        const why = `lookup before cancel failed: ${this.link.scrubbed(failureText(f))}`;
        return { kind: 'answered', answer: cancelReject(cid, 'transient', failureCode(f), why) };
      }
      this.link.orderMarkets.note(ids.wire(cid), ready.inst.symbol);
      return { kind: 'on', ready };
    }
    const why = `no order ${ids.wire(cid)} on ${markets.all.map((m) => m.inst.symbol).join(', ')}`;
    return { kind: 'answered', answer: cancelReject(cid, 'not_found', 'unknown', why) };
  }

  private async cancelFailure(cid: ClientOrderId, f: BinanceFailure, ready: ReadyMarket): Promise<VenueMessage> {
    const text = this.link.scrubbed(failureText(f));
    if (f.notSent) return cancelReject(cid, 'transient', failureCode(f), `not sent: ${text}`);
    if (f.meaning === 'unknown_outcome')
      return {
        kind: 'OutcomeUnknownReport',
        clientOrderId: cid,
        request: 'cancel',
        reason: text,
        category: unknownCategory(f),
      };
    if (f.meaning !== 'not_found') return cancelReject(cid, 'transient', failureCode(f), text);
    // -2011 "Unknown order sent.": no such order, or one already finished. The lookup tells.
    const { ex, ids } = this.link;
    try {
      const o = await ex.fetchOrder('', ready.symbol, { origClientOrderId: ids.wire(cid) });
      const read = orderRow(ready.inst, ids, o, 'lookup');
      if (read === null)
        return cancelReject(cid, 'transient', failureCode(f), `${text}; the lookup after it did not read`);
      if (read.row.status === 'canceled') return { kind: 'CancelReport', clientOrderId: cid };
      return finished(cid, read.row.status);
    } catch (err) {
      const g = binanceFailure(err);
      return g.meaning === 'not_found'
        ? cancelReject(cid, 'not_found', failureCode(f), text)
        : cancelReject(
            cid,
            'transient',
            failureCode(g),
            `${text}; the lookup after it failed: ${this.link.scrubbed(failureText(g))}`,
          );
    }
  }

  private settle(cid: ClientOrderId, pending: { done: boolean }, answer: VenueMessage): void {
    if (pending.done) return;
    pending.done = true;
    const rest = (this.pendingCancels.get(cid) ?? []).filter((p) => !p.done);
    if (rest.length > 0) this.pendingCancels.set(cid, rest);
    else this.pendingCancels.delete(cid);
    this.link.reports.emit(answer);
  }

  /** Forgets the waiting cancels (the adapter stopped). */
  stop(): void {
    this.pendingCancels.clear();
  }
}

/** The answer to a submit whose markets could not be read: nothing was sent. An instrument the
 *  venue refuses is refused for good; a failed read may be asked again. */
function notSent(cid: ClientOrderId, err: unknown, scrub: (text: string) => string): VenueMessage {
  if (err instanceof InstrumentRefused)
    return { kind: 'RejectReport', clientOrderId: cid, code: 'instrument', reason: err.message };
  const f = binanceFailure(err);
  return {
    kind: 'RetryableRejectReport',
    clientOrderId: cid,
    code: failureCode(f),
    reason: `not sent: the venue's markets could not be read: ${scrub(failureText(f))}`,
  };
}

/** The report of an expiry or of a rejection after acceptance. */
function endReport(cid: ClientOrderId, status: 'expired' | 'rejected', channel: string): VenueMessage {
  return status === 'expired'
    ? { kind: 'ExpiredReport', clientOrderId: cid, reason: `expired (${channel}): its time in force ended` }
    : { kind: 'RejectReport', clientOrderId: cid, code: 'REJECTED', reason: `rejected by Binance (${channel})` };
}

function cancelReject(
  cid: ClientOrderId,
  failure: CancelRejectReport['failure'],
  code: string,
  reason: string,
): CancelRejectReport {
  return { kind: 'CancelRejectReport', clientOrderId: cid, code, reason, failure };
}

/** The answer to a cancel of an order that is finished otherwise than canceled, or still open. */
function finished(cid: ClientOrderId, status: string): VenueMessage {
  if (status === 'filled' || status === 'expired' || status === 'rejected')
    return cancelReject(cid, 'not_cancelable', status, `order is already ${status}`);
  return cancelReject(cid, 'transient', status, `the venue answered the cancel with the order still ${status}`);
}
