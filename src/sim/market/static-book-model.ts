// The static book: levels set once at the start and never refreshed. Whatever we take stays
// taken, which makes it the clearest model for walking levels and for partial fills.
import type { MarketModel, MarketSink } from './market-model.ts';

export interface StaticBookSpec {
  readonly bids: ReadonlyArray<readonly [number, number]>;
  readonly asks: ReadonlyArray<readonly [number, number]>;
}

export class StaticBookModel implements MarketModel {
  constructor(
    private readonly sink: MarketSink,
    private readonly spec: StaticBookSpec,
  ) {}

  start(): void {
    for (const [p, q] of this.spec.bids) this.sink.setLevel('bid', p, q);
    for (const [p, q] of this.spec.asks) this.sink.setLevel('ask', p, q);
    this.sink.refreshTop();
  }

  jump(_bps: number): void {
    throw new Error('a static book cannot jump: the scenario schema refuses price_jump with static_book');
  }
}
