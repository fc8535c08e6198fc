// Binance's unfilled order count, for the gateway's one account: every order placed adds one to
// the count of each interval (10 seconds and a day, aligned to the clock), an order's first fill
// takes one off again, and an order past either limit is refused 429 (-1015). Refusals here are
// the account's, so they never lead to the address's ban. Rules: docs/0068-gateway-notes.md.
import type { BinanceError } from './wire.ts';

const TEN_S = 10_000;
const DAY = 86_400_000;

export interface OrderLimits {
  readonly ordersPer10s: number;
  readonly ordersPerDay: number;
}

/** One interval's count, restarted when the clock enters a new window. */
class Window {
  private window = -1;
  private n = 0;

  constructor(readonly ms: number) {}

  count(t: number): number {
    this.roll(t);
    return this.n;
  }

  add(t: number, by: number): void {
    this.roll(t);
    this.n = Math.max(0, this.n + by);
  }

  /** The window `t` falls in. */
  id(t: number): number {
    return Math.floor(t / this.ms);
  }

  private roll(t: number): void {
    const w = this.id(t);
    if (w !== this.window) {
      this.window = w;
      this.n = 0;
    }
  }
}

/** An order counted before its request was answered, to take back if the venue refused it. */
export interface CountedOrder {
  readonly tenWindow: number;
  readonly dayWindow: number;
}

export class UnfilledOrders {
  private readonly ten = new Window(TEN_S);
  private readonly day = new Window(DAY);

  constructor(
    private readonly limits: OrderLimits,
    private readonly now: () => number,
  ) {}

  /** Why a new order is refused now (either interval's count at its limit), or null. */
  refusal(): BinanceError | null {
    const t = this.now();
    const { ordersPer10s, ordersPerDay } = this.limits;
    if (this.ten.count(t) >= ordersPer10s)
      return tooMany(`${ordersPer10s} orders per 10 SECOND`, (this.ten.id(t) + 1) * TEN_S - t);
    if (this.day.count(t) >= ordersPerDay)
      return tooMany(`${ordersPerDay} orders per 1 DAY`, (this.day.id(t) + 1) * DAY - t);
    return null;
  }

  /** Counts an order about to go to the venue; its answer's X-MBX-ORDER-COUNT-* headers read
   *  the counts with it (its own first fill, if immediate, is taken off after). */
  place(): { readonly counted: CountedOrder; readonly headers: Record<string, string> } {
    const t = this.now();
    this.ten.add(t, 1);
    this.day.add(t, 1);
    return {
      counted: { tenWindow: this.ten.id(t), dayWindow: this.day.id(t) },
      headers: {
        'X-MBX-ORDER-COUNT-10S': String(this.ten.count(t)),
        'X-MBX-ORDER-COUNT-1D': String(this.day.count(t)),
      },
    };
  }

  /** Takes back an order the venue refused, in the windows it was counted in if they still run. */
  refused(counted: CountedOrder): void {
    const t = this.now();
    if (this.ten.id(t) === counted.tenWindow) this.ten.add(t, -1);
    if (this.day.id(t) === counted.dayWindow) this.day.add(t, -1);
  }

  /** An order traded for the first time: it no longer counts as unfilled. Binance may take off
   *  more for an order whose first fill is as maker or large; one is the least it takes off, so a
   *  client kept under the limit here is kept under it there. */
  firstFill(): void {
    const t = this.now();
    this.ten.add(t, -1);
    this.day.add(t, -1);
  }

  /** GET /api/v3/rateLimit/order's answer. */
  report(): Array<Record<string, unknown>> {
    const t = this.now();
    return [
      {
        rateLimitType: 'ORDERS',
        interval: 'SECOND',
        intervalNum: 10,
        limit: this.limits.ordersPer10s,
        count: this.ten.count(t),
      },
      {
        rateLimitType: 'ORDERS',
        interval: 'DAY',
        intervalNum: 1,
        limit: this.limits.ordersPerDay,
        count: this.day.count(t),
      },
    ];
  }
}

function tooMany(limit: string, waitMs: number): BinanceError {
  return {
    status: 429,
    code: -1015,
    msg: `Too many new orders; current limit is ${limit}.`,
    retryAfterS: Math.max(1, Math.ceil(waitMs / 1000)),
  };
}
