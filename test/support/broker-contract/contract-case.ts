// The shape of one broker contract case: what it runs, and the order shapes it needs from the
// venue's rules (a venue whose rules lack one skips the case, naming it).
import type { OrderType, TimeInForce } from '../../../src/core/model/order.ts';
import type { Backend, BackendOptions } from './backend.ts';

/** Opens a fresh backend for the case (closed after it). */
export type Open = (options?: Pick<BackendOptions, 'faults'>) => Promise<Backend>;

export interface ContractCase {
  /** Order types, with a time in force where it matters, the case sends. */
  readonly needs?: ReadonlyArray<readonly [OrderType, TimeInForce?]>;
  readonly run: (open: Open) => Promise<void>;
}
