// A strategy swap asked for with an idempotency key is decided once, as any keyed request is
// (request-journal.ts): its answer is kept as a command result. These two functions turn the
// slot's answer into that result and back, so the same request again gets the same swap number,
// outcome and reason. Accepted results carry them as ids: `swap-N`, the outcome, the reason of a
// rejection; a refusal keeps its swap number in its check.
import type { CommandResult } from './node-commands.ts';

/** A swap of a session's strategy as an operator asks for it (the HTTP body, validated): the
 *  candidate module, relative to the session file's folder (and inside it), its parameters, and
 *  the shadow comparison that decides it. */
export interface SwapAsk {
  readonly module: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly samples: number;
  readonly timeoutMs: number;
  readonly minCorrelation: number;
  readonly maxMeanDifference: number;
  readonly override: boolean;
  readonly actor: string;
  readonly reason: string;
}

/** What became of an asked swap at once: the slot's answer (in shadow, decided later in the log;
 *  accepted, an override; refused or rejected, with why), or not even a request: the module or
 *  its parameters are bad (`field`: 'module', 'params.window'). */
export type SwapAskAnswer =
  RememberedSwap | { readonly outcome: 'invalid'; readonly field: string; readonly message: string };

/** The slot's answer to a swap (strategy-slot.ts SwapAnswer, structurally). */
export type RememberedSwap =
  | { readonly outcome: 'shadow' | 'accepted'; readonly swap: number }
  | { readonly outcome: 'refused' | 'rejected'; readonly swap: number; readonly reason: string };

export function swapResult(a: RememberedSwap): CommandResult {
  if (a.outcome === 'refused')
    return { outcome: 'refused', check: `swap-${a.swap}`, code: 'refused', reason: a.reason };
  return { outcome: 'accepted', ids: [`swap-${a.swap}`, a.outcome, ...(a.outcome === 'rejected' ? [a.reason] : [])] };
}

export function swapDecision(r: CommandResult): RememberedSwap {
  if (r.outcome === 'pending') return { outcome: 'refused', swap: 0, reason: r.reason };
  if (r.outcome === 'refused') {
    const swap = /^swap-(\d+)$/.exec(r.check);
    return { outcome: 'refused', swap: swap ? Number(swap[1]) : 0, reason: r.reason };
  }
  const swap = Number((r.ids[0] ?? 'swap-0').slice('swap-'.length));
  const outcome = r.ids[1];
  if (outcome === 'rejected') return { outcome, swap, reason: r.ids[2] ?? '' };
  return { outcome: outcome === 'accepted' ? 'accepted' : 'shadow', swap };
}
