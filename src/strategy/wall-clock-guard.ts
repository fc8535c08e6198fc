// While a strategy's code runs, the host's globals that read the time, wait for it, draw
// randomness or defer work are swapped for functions that throw, and put back when it returns, so
// a strategy waits only on the run's clock and the same module is reproducible in a backtest. This
// is the one module that touches those globals.
// Design notes: docs/0067-strategy-host-notes.md#srcstrategywall-clock-guardts

/** Thrown inside a strategy that reached for the wall clock. */
export class WallClockRefused extends Error {
  constructor(what: string) {
    super(
      `${what} reads or waits for the wall clock: a strategy runs on the run's clock (pass inputs.scheduler ` +
        'to time-based rxjs operators, or use onTimer), so that a backtest of it is reproducible',
    );
    this.name = 'WallClockRefused';
  }
}

type Global = Record<string, unknown>;

const refuse = (what: string) =>
  function refused(): never {
    throw new WallClockRefused(what);
  };

const G = globalThis as unknown as Global;
const RealDate = Date;
const realMath = Math.random;
const perf = globalThis.performance;
const realPerfNow = perf.now;

/** Date as a strategy sees it: a Date of a given time is fine, the current one is not. */
const GuardedDate = new Proxy(RealDate, {
  construct(target, args: unknown[], newTarget) {
    if (args.length === 0) throw new WallClockRefused('new Date()');
    return Reflect.construct(target, args, newTarget) as object;
  },
  apply() {
    throw new WallClockRefused('Date()');
  },
  get(target, key, receiver) {
    if (key === 'now') return refuse('Date.now');
    return Reflect.get(target, key, receiver) as unknown;
  },
});

const GuardedPromise = new Proxy(Promise, {
  construct() {
    throw new WallClockRefused('a Promise');
  },
  get(target, key, receiver) {
    const v = Reflect.get(target, key, receiver) as unknown;
    // `x instanceof Promise` makes no Promise (zod's parse asks it of every result).
    if (key === Symbol.hasInstance) return v;
    return typeof v === 'function' ? refuse(`Promise.${String(key)}`) : v;
  },
});

const SWAPPED: readonly [string, unknown][] = [
  ['setTimeout', refuse('setTimeout')],
  ['setInterval', refuse('setInterval')],
  ['setImmediate', refuse('setImmediate')],
  ['queueMicrotask', refuse('queueMicrotask')],
  ['Date', GuardedDate],
  ['Promise', GuardedPromise],
];
const saved: unknown[] = SWAPPED.map(([name]) => G[name]);

let depth = 0;

/** Runs `work` with the wall clock out of reach; nested calls share one swap. The outermost call
 *  always puts the globals back, even if an inner one was cut short without unwinding. */
export function withoutWallClock<T>(work: () => T): T {
  const outermost = depth === 0;
  if (outermost) swap(true);
  depth++;
  try {
    return work();
  } finally {
    if (outermost) {
      depth = 0;
      swap(false);
    } else depth--;
  }
}

/** Runs `work` with the wall clock back, inside a guard or not (the host reading its clock on a
 *  strategy's behalf). */
export function unguarded<T>(work: () => T): T {
  if (depth === 0) return work();
  swap(false);
  try {
    return work();
  } finally {
    swap(true);
  }
}

function swap(guard: boolean): void {
  for (let i = 0; i < SWAPPED.length; i++) {
    const [name, guarded] = SWAPPED[i] as [string, unknown];
    G[name] = guard ? guarded : saved[i];
  }
  Math.random = guard ? refuse('Math.random') : realMath;
  perf.now = guard ? refuse('performance.now') : realPerfNow;
}
