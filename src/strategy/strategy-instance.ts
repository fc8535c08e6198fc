// One instance of a strategy, in whichever of its two forms it takes: the reactive form's streams
// and the subscription to what it returns, or the handler form's callbacks, read once from the
// object create() returned. The host makes it inside its guarded start call, then hands it each
// input as work (a stream's next, or a callback) to run inside a guarded call of its own.
import type { Subscription } from 'rxjs';
import { Subject } from 'rxjs';
import { copyPlain, isAsyncFunction, showPlain } from './plain-copy.ts';
import type {
  Bar,
  OwnFill,
  ParentUpdate,
  Quote,
  StrategyContext,
  StrategyDefinition,
  StrategyHandlers,
  Trades,
} from './strategy-api.ts';
import type { StrategyCalls } from './strategy-calls.ts';
import { OutputError } from './strategy-output.ts';
import type { StrategyScheduler } from './strategy-scheduler.ts';

/** What the host hands a strategy, by the reactive form's stream that carries it. */
interface Inputs {
  readonly quotes: Quote;
  readonly trades: Trades;
  readonly bars: Bar;
  readonly fills: OwnFill;
  readonly parents: ParentUpdate;
}

/** The streams of the reactive form. */
type Streams = { readonly [K in keyof Inputs]: Subject<Inputs[K]> };

/** The handler form's callback of each input. */
const CALLBACK = {
  quotes: 'onQuote',
  trades: 'onTrades',
  bars: 'onBar',
  fills: 'onFill',
  parents: 'onParent',
} as const satisfies { readonly [K in keyof Inputs]: keyof Handlers };

/** A handler-form strategy's callbacks, read once when create() returns (a function each, or
 *  undefined), and the object they are called on. */
interface Handlers {
  readonly target: StrategyHandlers;
  readonly onQuote: Callback | undefined;
  readonly onTrades: Callback | undefined;
  readonly onBar: Callback | undefined;
  readonly onFill: Callback | undefined;
  readonly onParent: Callback | undefined;
  readonly onTimer: Callback | undefined;
  readonly timerMs: unknown;
}
type Callback = (this: StrategyHandlers, input: unknown) => unknown;

export class StrategyInstance {
  private handlers: Handlers | null = null;
  private streams: Streams | null = null;
  private subscription: Subscription | null = null;

  /**
   * Makes the instance of `def` (inside the host's start call, which guards and bounds it): the
   * reactive form gets its streams and a scheduler (`schedulerFor` makes it), and what it returns
   * is subscribed to, its outputs and its error going to `calls`; the handler form's callbacks
   * are read from the object create() returns. Throws OutputError for a malformed return.
   */
  create(
    def: StrategyDefinition<unknown>,
    params: unknown,
    context: StrategyContext,
    calls: StrategyCalls,
    schedulerFor: () => StrategyScheduler,
  ): void {
    if ('reactive' in def) {
      const streams: Streams = {
        quotes: new Subject(),
        trades: new Subject(),
        bars: new Subject(),
        fills: new Subject(),
        parents: new Subject(),
      };
      this.streams = streams;
      const scheduler = schedulerFor();
      const out = def.reactive(params, {
        ...context,
        quotes: streams.quotes.asObservable(),
        trades: streams.trades.asObservable(),
        bars: streams.bars.asObservable(),
        fills: streams.fills.asObservable(),
        parents: streams.parents.asObservable(),
        scheduler,
      });
      if (typeof (out as { subscribe?: unknown } | null)?.subscribe !== 'function')
        throw new OutputError(`reactive() must return an Observable, got ${showPlain(copyPlain(out, 2, true))}`);
      this.subscription = out.subscribe({
        next: (o) => calls.emit(o),
        error: (err: unknown) => calls.fail('stream', err),
      });
    } else {
      const handlers = def.create(params, context) as unknown;
      if (typeof handlers !== 'object' || handlers === null)
        throw new OutputError(
          `create() must return an object of handlers, got ${showPlain(copyPlain(handlers, 2, true))}`,
        );
      this.handlers = handlersOf(handlers as StrategyHandlers);
    }
  }

  /** The work of handing the strategy one input (its stream's next, or its callback), or null
   *  when it takes none of that kind. */
  input<K extends keyof Inputs>(kind: K, value: Inputs[K]): (() => unknown) | null {
    const streams = this.streams;
    if (streams) {
      const stream: Subject<Inputs[K]> = streams[kind];
      return () => stream.next(value);
    }
    const h = this.handlers;
    const callback = h?.[CALLBACK[kind]];
    return h && callback ? () => callback.call(h.target, value) : null;
  }

  /** The handler form's onTimer, with the timerMs it asked for (unchecked); null without one. */
  timer(): { readonly timerMs: unknown; readonly fire: (now: number) => unknown } | null {
    const h = this.handlers;
    if (!h?.onTimer || h.timerMs === undefined) return null;
    return { timerMs: h.timerMs, fire: (now) => h.onTimer?.call(h.target, now) };
  }

  /** The subscription to the reactive form's output, handed over once (to be ended); null after,
   *  or for the handler form. */
  takeSubscription(): Subscription | null {
    const subscription = this.subscription;
    this.subscription = null;
    return subscription;
  }
}

/** The callbacks of the object create() returned, read once (inside the start call). An async
 *  callback is refused here, when the strategy starts, rather than at its first call. */
function handlersOf(target: StrategyHandlers): Handlers {
  const { onQuote, onTrades, onBar, onFill, onParent, onTimer, timerMs } = target;
  const given = { onQuote, onTrades, onBar, onFill, onParent, onTimer };
  for (const [name, v] of Object.entries(given))
    if (isAsyncFunction(v))
      throw new OutputError(`${name} is an async function: a strategy is synchronous (no async functions)`);
  const fn = (v: unknown): Callback | undefined => (typeof v === 'function' ? (v as Callback) : undefined);
  return {
    target,
    onQuote: fn(onQuote),
    onTrades: fn(onTrades),
    onBar: fn(onBar),
    onFill: fn(onFill),
    onParent: fn(onParent),
    onTimer: fn(onTimer),
    timerMs: copyPlain(timerMs, 1, true),
  };
}

/** A copy of the parameters for one instance (the same values), or them when they cannot be
 *  copied (a schema that made something other than data). */
export function paramsCopy(params: unknown): unknown {
  try {
    return structuredClone(params);
  } catch {
    return params;
  }
}
