// The `faults:` section: venue faults as windows (from, until: offsets from the start) or
// instants (at). Each kind is one entry of a discriminated union, so a typo in `kind` names the
// kinds that exist.
import { z } from 'zod';
import { duration, probability } from './common-schema.ts';

const window = { from: duration, until: duration };

export const faultSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('outage'),
    ...window,
    mode: z.enum(['timeout_before', 'timeout_after', 'mixed']).default('mixed'),
    timeoutMs: z.number().int().min(1).max(600_000).default(5000),
  }),
  z.strictObject({ kind: z.literal('http_5xx'), ...window, probability: probability.default(1) }),
  // all: the request-weight limit (every request, lookups too); orders: the new-order count limit.
  z.strictObject({
    kind: z.literal('rate_limit'),
    ...window,
    probability: probability.default(1),
    scope: z.enum(['all', 'orders']).default('all'),
  }),
  z.strictObject({
    kind: z.literal('reject_window'),
    ...window,
    code: z.string().default('-1003'),
    reason: z.string().default('Too many requests; venue is refusing new orders.'),
  }),
  z.strictObject({ kind: z.literal('lost_reports'), ...window, probability: probability.default(1) }),
  z.strictObject({ kind: z.literal('delayed_reports'), ...window, delayMs: z.number().int().min(1).max(3_600_000) }),
  // Our market-data view stops updating and says nothing of it: consumers keep reading the last
  // quote as if it were current (only its age tells).
  z.strictObject({ kind: z.literal('stale_quotes'), ...window }),
  // Our market-data path fails: no quote reaches the view (as in stale_quotes), and the venue's
  // market-data port reports the failure (as a live adapter whose stream dropped), so the quote
  // fallback serves the last quote while it is young enough. A gateway's wire shows a stale quote
  // (stream_stall and outage are the wire's own failures).
  z.strictObject({ kind: z.literal('market_data_outage'), ...window }),
  z.strictObject({ kind: z.literal('spread_shift'), ...window, factor: z.number().positive() }),
  z.strictObject({ kind: z.literal('liquidity_drop'), ...window, depthFactor: z.number().min(0) }),
  z.strictObject({ kind: z.literal('halt'), ...window }),
  // The gateway's websockets go silent for the window (sockets stay open, pings are answered);
  // queue: what would have been sent goes out in order when the window ends; drop: it is lost.
  // A backtest has no websockets: there it records the window's edges and changes nothing.
  z.strictObject({ kind: z.literal('stream_stall'), ...window, mode: z.enum(['queue', 'drop']).default('queue') }),
  z.strictObject({ kind: z.literal('price_jump'), at: duration, bps: z.number().min(-9_999).max(100_000) }),
]);
