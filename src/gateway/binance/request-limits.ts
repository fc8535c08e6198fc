// Binance's request limits, per client address, on the gateway's clock: request weight per
// minute (reported in a header, 429 past it), and a ban (418) for a client that keeps sending while
// told to wait. Windows are aligned to the clock, as Binance counts them. The order limits are the
// account's (unfilled-orders.ts). Figures and codes: docs/0068-gateway-notes.md.
import type { BinanceError } from './wire.ts';

export interface LimitSettings {
  readonly weightPerMinute: number;
  /** The account's unfilled orders per 10 seconds and per day (unfilled-orders.ts). */
  readonly ordersPer10s: number;
  readonly ordersPerDay: number;
  /** The how-manieth request refused again while told to wait is banned. */
  readonly banAfter: number;
  /** The first ban, ms (each later one doubles). */
  readonly firstBanMs: number;
}

export const BINANCE_LIMITS: LimitSettings = {
  weightPerMinute: 6000,
  ordersPer10s: 100,
  ordersPerDay: 200_000,
  banAfter: 3,
  firstBanMs: 120_000,
};

const MINUTE = 60_000;

/** One client's counts. */
class Counts {
  weightWindow = -1;
  weight = 0;
  /** Told to wait until then (epoch ms), and how many requests came meanwhile. */
  waitUntil = 0;
  ignored = 0;
  bannedUntil = 0;
  bans = 0;
}

/** What a request's answer carries: its headers, or the refusal instead. */
export interface RequestAdmission {
  readonly headers: Record<string, string>;
  readonly refused: BinanceError | null;
}

export class RequestLimits {
  private readonly clients = new Map<string, Counts>();

  constructor(
    private readonly settings: LimitSettings,
    private readonly now: () => number,
  ) {}

  private counts(client: string): Counts {
    let c = this.clients.get(client);
    if (!c) {
      c = new Counts();
      this.clients.set(client, c);
    }
    const t = this.now();
    const minute = Math.floor(t / MINUTE);
    if (c.weightWindow !== minute) {
      c.weightWindow = minute;
      c.weight = 0;
    }
    return c;
  }

  /** Counts a request of `weight`, or says why it is refused. */
  admit(client: string, weight: number): RequestAdmission {
    const c = this.counts(client);
    const t = this.now();
    const s = this.settings;
    if (t < c.bannedUntil) return { headers: this.usedHeaders(c), refused: this.banned(c, t) };
    c.weight += weight;
    if (c.weight <= s.weightPerMinute) return { headers: this.usedHeaders(c), refused: null };
    const refused = {
      until: (Math.floor(t / MINUTE) + 1) * MINUTE,
      code: -1003,
      msg: `Too much request weight used; current limit is ${s.weightPerMinute} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.`,
    };
    // Refused again while told to wait: the banAfter-th time is a ban.
    if (t < c.waitUntil) {
      c.ignored++;
      if (c.ignored >= s.banAfter) {
        c.bannedUntil = t + s.firstBanMs * 2 ** Math.min(c.bans, 10);
        c.bans++;
        c.waitUntil = 0;
        c.ignored = 0;
        return { headers: this.usedHeaders(c), refused: this.banned(c, t) };
      }
    } else c.ignored = 0;
    c.waitUntil = Math.max(c.waitUntil, refused.until);
    return {
      headers: this.usedHeaders(c),
      refused: {
        status: 429,
        code: refused.code,
        msg: refused.msg,
        retryAfterS: Math.max(1, Math.ceil((refused.until - t) / 1000)),
      },
    };
  }

  private banned(c: Counts, t: number): BinanceError {
    return {
      status: 418,
      code: -1003,
      msg: `Way too much request weight used; IP banned until ${c.bannedUntil}. Please use WebSocket Streams for live updates to avoid bans.`,
      retryAfterS: Math.max(1, Math.ceil((c.bannedUntil - t) / 1000)),
    };
  }

  private usedHeaders(c: Counts): Record<string, string> {
    return { 'X-MBX-USED-WEIGHT-1M': String(c.weight) };
  }
}
