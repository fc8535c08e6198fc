// The scenario's faults where the gateway itself meets the wire, beside those the simulated venue
// applies: request faults on reads (answered here, never sent to the venue), the wait a 429
// states, and stream stalls on the websockets' events. Windows count from the gateway's start.
// Details: docs/0068-gateway-notes.md.
import type { Rng } from '../core/clock/rng.ts';
import type { Scenario } from '../scenario/schema.ts';
import { parseDurationMs } from '../core/model/time-fields.ts';
import type { VenueClock } from './gateway-clock.ts';

type Fault = Scenario['faults'][number];
type Windowed<K extends Fault['kind']> = Extract<Fault, { kind: K }> & {
  readonly fromMs: number;
  readonly untilMs: number;
};

export type ReadFate =
  | { readonly kind: 'deliver' }
  | { readonly kind: 'rate_limited' }
  | { readonly kind: 'server_error' }
  | { readonly kind: 'timeout'; readonly timeoutMs: number };

export interface RateLimitWait {
  readonly waitS: number;
  readonly resetAtS: number;
}

export class WireFaults {
  private readonly windows: Array<Windowed<Fault['kind']>>;

  constructor(
    faults: Scenario['faults'],
    startedAt: number,
    private readonly rng: Rng,
    private readonly now: () => number,
    readonly onFault: (fault: string, detail: string) => void = () => {},
  ) {
    this.windows = faults.flatMap((f) =>
      'from' in f
        ? [{ ...f, fromMs: startedAt + parseDurationMs(f.from), untilMs: startedAt + parseDurationMs(f.until) }]
        : [],
    );
  }

  private active<K extends Fault['kind']>(kind: K, t: number): Windowed<K> | undefined {
    return this.windows.find((w) => w.kind === kind && t >= w.fromMs && t < w.untilMs) as Windowed<K> | undefined;
  }

  /** What happens to a read request now. */
  readFate(what: string): ReadFate {
    const t = this.now();
    const outage = this.active('outage', t);
    if (outage) {
      this.onFault('outage', `${what}: timed out after ${outage.timeoutMs} ms`);
      return { kind: 'timeout', timeoutMs: outage.timeoutMs };
    }
    const e5 = this.active('http_5xx', t);
    if (e5 && this.rng.next() < e5.probability) {
      this.onFault('http_5xx', `${what}: 503`);
      return { kind: 'server_error' };
    }
    const rl = this.active('rate_limit', t);
    if (rl && rl.scope === 'all' && this.rng.next() < rl.probability) {
      this.onFault('rate_limit', `${what}: 429`);
      return { kind: 'rate_limited' };
    }
    return { kind: 'deliver' };
  }

  /** How long a 429 now asks the client to wait: whole seconds until the rate-limit window ends
   *  (at least 1), and when that is (epoch seconds). */
  rateLimitWait(): RateLimitWait {
    const t = this.now();
    const until = this.active('rate_limit', t)?.untilMs ?? t + 1000;
    const waitS = Math.max(1, Math.ceil((until - t) / 1000));
    return { waitS, resetAtS: Math.ceil(t / 1000) + waitS };
  }

  /** The stream stall in force now, if any. */
  stall(): { readonly untilMs: number; readonly mode: 'queue' | 'drop' } | null {
    const w = this.active('stream_stall', this.now());
    return w ? { untilMs: w.untilMs, mode: w.mode } : null;
  }
}

/**
 * Sends a websocket's events through the stream-stall windows: straight through when no stall is
 * in force, held (in order) until the window ends or dropped while one is.
 */
export class StallGate {
  private held: Array<() => void> = [];
  private flushAt: number | null = null;
  /** The flush armed last; earlier ones are stale. */
  private armed = 0;

  constructor(
    private readonly faults: WireFaults,
    private readonly clock: VenueClock,
    private readonly stream: string,
  ) {}

  send(deliver: () => void): void {
    const stall = this.faults.stall();
    if (stall?.mode === 'drop') {
      this.faults.onFault('stream_stall', `${this.stream}: event dropped`);
      return;
    }
    if (stall || this.held.length > 0) {
      // Also after the window while earlier events still wait: the order is kept.
      if (this.held.length === 0) this.faults.onFault('stream_stall', `${this.stream}: events held`);
      this.held.push(deliver);
      const at = stall ? stall.untilMs : this.clock.now();
      if (this.flushAt === null || at > this.flushAt) this.arm(at);
      return;
    }
    deliver();
  }

  private arm(at: number): void {
    const token = ++this.armed;
    this.flushAt = at;
    this.clock.schedule(() => this.flush(token), Math.max(0, at - this.clock.now()));
  }

  private flush(token: number): void {
    if (token !== this.armed) return; // a later window moved it
    // A timer may fire a millisecond before the wall clock reaches its time, and another window
    // may begin as this one ends: while a stall is in force, wait on.
    const stall = this.faults.stall();
    if (stall) {
      this.clock.schedule(() => this.flush(token), Math.max(1, stall.untilMs - this.clock.now()));
      return;
    }
    this.flushAt = null;
    const held = this.held;
    this.held = [];
    for (const deliver of held) deliver();
  }
}
