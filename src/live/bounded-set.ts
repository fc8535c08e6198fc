// A set that forgets its oldest members beyond a maximum. An adapter remembers what it has
// already reported (a stream's execution ids, orders reported canceled) to drop the venue's
// repeats; a run of any length must not grow that memory without bound.

/** A set that forgets its oldest members beyond `max` (execution ids, canceled orders). */
export class BoundedSet {
  private readonly items = new Set<string>();
  constructor(private readonly max: number) {}
  has(v: string): boolean {
    return this.items.has(v);
  }
  add(v: string): void {
    this.items.add(v);
    if (this.items.size > this.max) {
      const oldest = this.items.values().next().value;
      if (oldest !== undefined) this.items.delete(oldest);
    }
  }
}
