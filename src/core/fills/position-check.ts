// State consistency after a fill: the venue's position is compared with the one our fills add up
// to on top of the account's baseline (AccountBaseline). A mismatch is recorded and triggers a
// position sync: every sent order that may hold fills we have not seen (anything not filled, rejected or
// failed) is looked up, and when those answers are in (or a watchdog fires) the position is
// compared once more. Checks that arrive while one is running are coalesced into one more check.
// The venue's answer is compared with our position when it arrives; the REST channel keeps
// order, so a stream fill still in flight can make one check differ, which the sync resolves.
import type { Rng } from '../clock/rng.ts';
import type { ExecEvent } from '../model/events.ts';
import type { ClientOrderId } from '../model/ids.ts';
import type { VenueMessage } from '../model/reports.ts';
import type { OrderLedger } from '../order/order-ledger.ts';
import type { Broker } from '../ports/broker.ts';
import type { Clock } from '../ports/clock.ts';
import { backoffDelay } from './backoff.ts';
import type { FillConfig } from './fill-config.ts';

export interface PositionCheckDeps {
  readonly clock: Clock;
  readonly ledger: OrderLedger;
  readonly broker: Broker;
  readonly config: FillConfig;
  readonly rng: Rng;
  record(e: ExecEvent): void;
}

type Round = { cause: ClientOrderId; afterSync: boolean; failures: number };

const NO_UNSEEN_FILLS = new Set(['filled', 'rejected', 'failed', 'pending_new']);

export class PositionCheck {
  /** The account query in flight, if any. */
  private running: Round | null = null;
  /** A check asked for while one was running. */
  private again: ClientOrderId | null = null;
  /** Orders of the sync still unanswered. */
  private syncing = new Set<ClientOrderId>();
  private syncCause: ClientOrderId | null = null;
  private watchdog: { unsubscribe(): void } | null = null;

  constructor(private readonly deps: PositionCheckDeps) {}

  /** Asks for a check after `cause` filled (in whole or in part). */
  request(cause: ClientOrderId): void {
    if (this.running || this.syncCause) {
      this.again = cause;
      return;
    }
    this.query({ cause, afterSync: false, failures: 0 });
  }

  get busy(): boolean {
    return this.running !== null || this.syncCause !== null;
  }

  onMessage(msg: VenueMessage): void {
    if (msg.kind === 'AccountReport' && this.running) {
      const round = this.running;
      this.running = null;
      const expected = this.deps.ledger.accountPosition;
      const consistent = msg.position === expected;
      this.deps.record({
        kind: 'PositionChecked',
        cause: round.cause,
        expected,
        venue: msg.position,
        consistent,
        afterSync: round.afterSync,
      });
      if (!consistent && !round.afterSync) this.sync(round.cause);
      else this.next();
      return;
    }
    if (msg.kind === 'QueryFailedReport' && msg.query === 'account' && this.running) {
      const round = this.running;
      this.running = null;
      round.failures++;
      if (round.failures > this.deps.config.maxRetries) {
        this.next(); // given up on this round; the next fill asks again
        return;
      }
      this.deps.clock.schedule(() => this.query(round), backoffDelay(round.failures, this.deps.config, this.deps.rng));
      return;
    }
    if (this.syncCause && 'clientOrderId' in msg && msg.clientOrderId !== null && this.syncing.has(msg.clientOrderId)) {
      if (msg.kind === 'OrderStatusReport' || msg.kind === 'OrderNotFoundReport' || msg.kind === 'QueryFailedReport') {
        this.syncing.delete(msg.clientOrderId);
        if (this.syncing.size === 0) this.afterSync();
      }
    }
  }

  private query(round: Round): void {
    this.running = round;
    this.deps.broker.queryAccount();
  }

  private sync(cause: ClientOrderId): void {
    const orders = [...this.deps.ledger.orders.values()]
      .filter((o) => !NO_UNSEEN_FILLS.has(o.status) || (o.status === 'pending_new' && o.attempts > 0))
      .map((o) => o.request.clientOrderId);
    this.deps.record({ kind: 'PositionSyncStarted', cause, orders });
    this.syncCause = cause;
    this.syncing = new Set(orders);
    if (orders.length === 0) {
      this.afterSync();
      return;
    }
    for (const id of orders) this.deps.broker.queryOrder(id);
    // Answers that never come (a lost request) must not stop the checks for good.
    this.watchdog = this.deps.clock.schedule(() => this.afterSync(), this.deps.config.backoffMaxMs);
  }

  private afterSync(): void {
    const cause = this.syncCause;
    if (cause === null) return;
    this.watchdog?.unsubscribe();
    this.watchdog = null;
    this.syncCause = null;
    this.syncing.clear();
    this.query({ cause, afterSync: true, failures: 0 });
  }

  private next(): void {
    const cause = this.again;
    this.again = null;
    if (cause !== null) this.query({ cause, afterSync: false, failures: 0 });
  }
}
