// The circuit breaker as this layer needs it: tripped or not, with trips and resets as events.
// The automatic trip conditions (reject storms, losses, stale data, price bands) and cooldowns
// belong to the safety layer (issue 6) and feed trip(); the slice scheduler and the retry logic
// only ask tripped before anything goes out.
import type { CircuitBreakerReset, CircuitBreakerTripped } from '../model/events.ts';

export class CircuitBreaker {
  private trippedBy: string | null = null;

  constructor(private readonly record: (e: CircuitBreakerTripped | CircuitBreakerReset) => void) {}

  get tripped(): boolean {
    return this.trippedBy !== null;
  }

  trip(reason: string): void {
    if (this.trippedBy !== null) return;
    this.trippedBy = reason;
    this.record({ kind: 'CircuitBreakerTripped', reason });
  }

  reset(actor: string, reason: string): void {
    if (this.trippedBy === null) return;
    this.trippedBy = null;
    this.record({ kind: 'CircuitBreakerReset', actor, reason });
  }

  blocks(): string | null {
    return this.trippedBy === null ? null : `circuit breaker tripped: ${this.trippedBy}`;
  }
}
