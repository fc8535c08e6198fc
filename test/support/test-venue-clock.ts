// A gateway's VenueClock over a virtual clock, for tests that drive a venue in process on
// virtual time.
import type { VirtualClock } from '../../src/core/clock/virtual-clock.ts';
import type { VenueClock } from '../../src/gateway/gateway-clock.ts';

/** The VenueClock of a virtual clock: a stop drops nothing (the test stops advancing). */
export class TestVenueClock implements VenueClock {
  readonly scheduler;
  constructor(readonly inner: VirtualClock) {
    this.scheduler = inner.scheduler;
  }
  now(): number {
    return this.inner.now();
  }
  schedule(work: () => void, delayMs: number) {
    return this.inner.schedule(work, delayMs);
  }
  post(work: (arg?: unknown) => void, delayMs: number, arg?: unknown): void {
    this.inner.post(work, delayMs, arg);
  }
  afterWork(): void {}
  stop(): void {}
  get pending(): number {
    return this.inner.pending();
  }
}
