// A swap of a service session's strategy, as an operator asks for it over HTTP, made into what the
// strategy slot takes (strategy-slot.ts): the candidate module is resolved from the session file's
// folder and must stay inside it (loading a module runs it: a request must not name code from
// anywhere on the server's disk), is loaded as the live strategy was (its warm-up timeout and
// failure policy are the live one's), and must sample the market as the live one does. A problem
// is the request's, naming the field ('module', 'params.window'); nothing is recorded for it.
import { barLengthsText, sameFeed } from '../strategy/strategy-port.ts';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { LoadedScenario } from '../scenario/load-scenario.ts';
import type { ScenarioFile } from '../scenario/scenario-fields.ts';
import { loadStrategy, StrategyLoadError } from '../strategy/load-strategy.ts';
import type { SwapAsk, SwapAskAnswer } from '../node/swap-decision.ts';
import type { CandidateRef, Instantiable, StrategySlot, SwapAnswer, SwapRequest } from '../strategy/strategy-slot.ts';

export type SessionSwap = SwapRequest | { readonly field: string; readonly message: string };

export interface SessionSwapParts {
  readonly slot: StrategySlot;
  /** The session file's folder. */
  readonly dir: string;
  /** The strategy the session file names (its feed, warm-up timeout and failure policy). */
  readonly base: Instantiable;
  /** Runs `work` as one unit of work of the session's process; settles once it committed (null:
   *  the process stopped first). */
  readonly unit: <T>(work: () => T) => Promise<T | null>;
  /** Decides the request inside its unit (a keyed request: once); absent, it is simply made. */
  readonly decide?: (request: () => SwapAnswer) => SwapAnswer;
}

/** What a session offers the HTTP route that swaps its strategy (SessionPort's swapStrategy): a
 *  bad module or parameters is answered at once, with nothing recorded; a request is handed to
 *  the slot as a unit of work. */
export function sessionSwaps(parts: SessionSwapParts): {
  swapStrategy(fields: SwapAsk): Promise<SwapAskAnswer | null>;
} {
  return {
    swapStrategy: (fields) => {
      const req = sessionSwapRequest(fields, parts.dir, parts.base);
      if ('field' in req) return Promise.resolve({ outcome: 'invalid', field: req.field, message: req.message });
      const make = (): SwapAnswer => parts.slot.request(req);
      return parts.unit(() => (parts.decide ? parts.decide(make) : make()));
    },
  };
}

/** The slot's request for `fields`, or the field at fault. `dir` is the session file's folder. */
export function sessionSwapRequest(fields: SwapAsk, dir: string, live: Instantiable): SessionSwap {
  const candidate = loadCandidate(fields.module, fields.params, dir, live);
  if ('field' in candidate) return candidate;
  return {
    candidate,
    samples: fields.samples,
    timeoutMs: fields.timeoutMs,
    thresholds: { minCorrelation: fields.minCorrelation, maxMeanDifference: fields.maxMeanDifference },
    override: fields.override,
    actor: fields.actor,
    reason: fields.reason,
  };
}

/**
 * How a restarted session finds the strategy an accepted swap put live (StrategySlot's
 * `candidate`): the module the log names, loaded again from the session file's folder with the
 * logged parameters; null when it cannot be loaded or its code is no longer the logged code (the
 * slot then records the strategy as failed at start rather than run other code).
 */
export function sessionCandidate(dir: string, live: Instantiable): (ref: CandidateRef) => Instantiable | null {
  return (ref) => {
    let params: unknown;
    try {
      params = JSON.parse(ref.params);
    } catch {
      return null;
    }
    if (typeof params !== 'object' || params === null) return null;
    const c = loadCandidate(ref.module, params as Record<string, unknown>, dir, live);
    return 'field' in c || c.codeHash !== ref.codeHash || c.paramsJson !== ref.params ? null : c;
  };
}

/** How a live process (a paper run, a session) finds the strategy an accepted swap put live: one
 *  its file loaded with the logged code and parameters (the strategy, a swap_strategy action's
 *  candidate: a resumed paper run names their modules by absolute path), else the module loaded
 *  again from the file's folder (a swap asked for over HTTP). */
export function liveCandidates(loaded: LoadedScenario<ScenarioFile>): (ref: CandidateRef) => Instantiable | null {
  const base = loaded.strategy;
  if (!base) return () => null;
  const known = [base, ...loaded.swaps.map((w) => w.candidate)];
  const fromFile = sessionCandidate(dirname(loaded.file), base);
  return (ref) => known.find((c) => c.codeHash === ref.codeHash && c.paramsJson === ref.params) ?? fromFile(ref);
}

type Problem = { readonly field: string; readonly message: string };

function loadCandidate(
  module: string,
  params: Readonly<Record<string, unknown>>,
  dir: string,
  live: Instantiable,
): Instantiable | Problem {
  const path = resolve(dir, module);
  const rel = relative(dir, path);
  if (rel === '' || rel.split(sep)[0] === '..' || isAbsolute(rel))
    return {
      field: 'module',
      message: `a swap's module must be inside the session file's folder (paths relative to it); ${JSON.stringify(module)} is not`,
    };
  let candidate: Instantiable;
  try {
    candidate = loadStrategy({
      module,
      path,
      params,
      warmupTimeoutMs: live.warmupTimeoutMs,
      callbackBudgetMs: live.callbackBudgetMs,
      onFailure: live.onFailure,
    });
  } catch (err) {
    // Said relative to the session's folder, as the request named it: an HTTP answer does not
    // show where the server's files are.
    if (err instanceof StrategyLoadError)
      return { field: err.field, message: err.message.split(`${resolve(dir)}${sep}`).join('') };
    throw err;
  }
  if (!sameFeed(candidate, live))
    return {
      field: 'module',
      message:
        `${module} samples quotes every ${candidate.quoteMs} ms with ${barLengthsText(candidate)} ms bars, the live ` +
        `strategy every ${live.quoteMs} ms with ${barLengthsText(live)} ms bars: a swap keeps the feed (feed.quoteMs, feed.barMs, feed.bars)`,
    };
  return candidate;
}
