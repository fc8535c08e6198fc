// The fill audit at the end of a backtest: what fill monitoring reported, collected from the log
// as it is written, against the simulated venue's own records (the venue truth a live run never
// has), as one FillAudit event.
import type { LogEntry } from '../core/model/events.ts';
import type { FillAudit } from '../core/model/fill-events.ts';
import type { ClientOrderId } from '../core/model/ids.ts';
import { isTerminal } from '../core/model/order-status.ts';
import type { OrderLedger } from '../core/order/order-ledger.ts';
import { isOpenStatus } from '../sim/venue/exchange-order.ts';
import type { SimVenue } from '../sim/venue/sim-venue.ts';

/** Collects monitoring results from the log as it is written (a sink). */
export class FillResults {
  /** Last reported filled lots per monitored order. */
  readonly reported = new Map<ClientOrderId, number>();

  /** A crash lost everything after `durable`: the results are rebuilt from it. */
  rollback(durable: readonly LogEntry[]): void {
    this.reported.clear();
    for (const e of durable) this.write(e);
  }

  write(entry: LogEntry): void {
    const e = entry.event;
    if (e.kind === 'FillMonitorStarted' && !this.reported.has(e.clientOrderId)) this.reported.set(e.clientOrderId, 0);
    // What monitoring has told so far: partial detections count for orders still watched at the end.
    else if (e.kind === 'FillMonitorEnded' || e.kind === 'PartialFillDetected' || e.kind === 'FillVerified')
      this.reported.set(e.clientOrderId, e.filledQty);
  }

  /** Venue truth against the results and the ledger, as one FillAudit event. */
  audit(ledger: OrderLedger, venue: SimVenue): FillAudit {
    let venueFilled = 0;
    let detected = 0;
    let falsePositives = 0;
    let ledgerMismatches = 0;
    const books = venue.allBooks;
    // The venue's record of an order, on whichever of its books holds it.
    const atVenueOf = (id: ClientOrderId) => {
      if (books.length === 1) return venue.exchange.order(id);
      for (const b of books) {
        const o = b.exchange.order(id);
        if (o !== undefined) return o;
      }
      return undefined;
    };
    for (const [id, reported] of this.reported) {
      const truth = atVenueOf(id)?.filled ?? 0;
      if (truth > 0) {
        venueFilled++;
        if (reported === truth) detected++;
      }
      if (reported > truth) falsePositives++;
    }
    let openAtVenue = 0;
    let hiddenOpen = 0;
    for (const [id, order] of ledger.orders) {
      const atVenue = atVenueOf(id);
      if ((atVenue?.filled ?? 0) !== order.filledQty) ledgerMismatches++;
      if (atVenue && isOpenStatus(atVenue.status)) {
        openAtVenue++;
        if (isTerminal(order.status)) hiddenOpen++;
      }
    }
    return {
      kind: 'FillAudit',
      venueFilled,
      detected,
      falsePositives,
      ledgerMismatches,
      expectedPosition: ledger.accountPosition,
      venuePosition: venue.exchange.position,
      openAtVenue,
      hiddenOpen,
      // Every further symbol's position: expected (its baseline plus our fills) and the venue's.
      ...(books.length > 1
        ? {
            others: books.slice(1).map((b) => ({
              symbol: b.exchange.symbol,
              expectedPosition: ledger.accountPositionOf(b.exchange.symbol),
              venuePosition: b.exchange.position,
            })),
          }
        : {}),
    };
  }
}
