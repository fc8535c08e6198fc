// Reconciliation and restart recovery settings, validated, every default here: periodic every
// 5 minutes, 60 s overlap, pages of 500, startup timeout 300 s, misfire grace 60 s; the values
// marked "ours" are our own choice.
import { z } from 'zod';
import { parseConfig } from '../config/parse-config.ts';

const ms = (min: number, max: number) =>
  z
    .number('must be a number of milliseconds')
    .int('must be a whole number of milliseconds')
    .min(min, `must be at least ${min} ms`)
    .max(max, `must be at most ${max} ms`);

export const reconConfigSchema = z.strictObject({
  /** Periodic reconciliation interval; null: startup reconciliation only. 5 minutes. */
  periodMs: ms(1_000, 86_400_000).nullable().default(300_000),
  /** Orders updated since the high-water mark minus this are asked for (so an update stamped
   *  just before the mark is not missed): 60 s. */
  overlapMs: ms(0, 3_600_000).default(60_000),
  /** Orders per page of the since-query: 500 (Alpaca's limit). */
  pageLimit: z
    .number('must be a number')
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(1_000, 'must be at most 1000')
    .default(500),
  /** Startup reconciliation and recovery must finish within this, else the gate stays shut
   *  with an alert until an operator forces it open: 300 s. */
  startupTimeoutMs: ms(1_000, 3_600_000).default(300_000),
  /** Past-due slices within this run at once at startup (venue open): 60 s. */
  graceMs: ms(0, 3_600_000).default(60_000),
  /** A failed reconciliation query is asked again after this. Ours: 1 s. */
  retryMs: ms(1, 60_000).default(1_000),
  /** Queries of a pass still unanswered after this are asked again (an answer can be lost
   *  without an error). Ours: 30 s. */
  stallMs: ms(1_000, 600_000).default(30_000),
  /** A position mismatch is confirmed by a second account query this much later before it is
   *  corrected (fills still in flight explain a first mismatch). Ours: 2 s. */
  settleMs: ms(1, 60_000).default(2_000),
});

export type ReconConfig = Readonly<z.output<typeof reconConfigSchema>>;

export class ReconConfigError extends Error {
  override readonly name = 'ReconConfigError';
}

export function parseReconConfig(input: unknown): ReconConfig {
  return parseConfig(reconConfigSchema, input, {
    label: 'reconciliation config',
    fields: '(periodMs, overlapMs, pageLimit, startupTimeoutMs, graceMs, retryMs, stallMs, settleMs)',
    error: ReconConfigError,
  });
}
