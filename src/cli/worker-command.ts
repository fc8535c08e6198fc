// `execsim worker --queue redis://host:port [--lock-ms N] [--name NAME]`: runs queued sweeps'
// chunks (src/sweep/queue/worker.ts) until SIGINT, SIGTERM or SIGHUP; then the chunk in
// hand goes back to the queue after its current path and the process exits with 0. One line on
// stderr per chunk done or refused. Exit codes: 0 stopped on request, 2 bad input or a Redis that
// does not answer within a few seconds (or is a read-only replica).
import { codeVersion } from '../store/code-version.ts';
import {
  CHUNK_QUEUE,
  connectRedis,
  parseQueueUrl,
  QueueUnreachableError,
  QueueUrlError,
  redact,
} from '../sweep/queue/protocol.ts';
import { DEFAULT_LOCK_MS } from '../sweep/queue/defaults.ts';
import { startSweepWorker, type WorkerEvent } from '../sweep/queue/worker.ts';
import { parseCommand, UsageError, type Io } from './io.ts';
import { WORKER_HELP, WORKER_USAGE } from './worker-help.ts';

const OPTIONS = {
  queue: { type: 'string' },
  'lock-ms': { type: 'string' },
  name: { type: 'string' },
} as const;

export async function workerCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand(args, OPTIONS, WORKER_USAGE);
  if (values.help) {
    io.out(WORKER_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`worker takes no arguments, got "${positionals[0]}"`, WORKER_USAGE);
  if (values.queue === undefined)
    throw new UsageError('--queue is required: the Redis to take jobs from (redis://host:port)', WORKER_USAGE);
  let url: string;
  try {
    url = parseQueueUrl(values.queue);
  } catch (err) {
    if (err instanceof QueueUrlError) throw new UsageError(err.message, WORKER_USAGE);
    throw err;
  }
  let lockMs = DEFAULT_LOCK_MS;
  if (values['lock-ms'] !== undefined) {
    const t = values['lock-ms'];
    if (!/^\d+$/.test(t) || Number(t) < 500 || Number(t) > 3_600_000)
      throw new UsageError(`--lock-ms: "${t}" is not a whole number of ms from 500 to 3600000`, WORKER_USAGE);
    lockMs = Number(t);
  }
  if (values.name !== undefined && !/^[\w.:@-]{1,100}$/.test(values.name))
    throw new UsageError(`--name: "${values.name}" must be 1..100 letters, digits or . : @ - _`, WORKER_USAGE);

  let redis;
  try {
    redis = await connectRedis(
      url,
      (err) => io.err(`execsim: Redis ${redact(url)}: ${err.message}: retrying until it answers`),
      undefined,
      () => io.err(`execsim: Redis ${redact(url)}: connected again`),
    );
  } catch (err) {
    if (err instanceof QueueUnreachableError) {
      io.err(`execsim: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const onEvent = (e: WorkerEvent): void => {
    if (e.kind === 'chunk-done') io.err(`execsim worker: ${e.jobId}: ${e.units} path${e.units === 1 ? '' : 's'} done`);
    else if (e.kind === 'error') io.err(`execsim worker: ${e.message}`);
    else io.err(`execsim worker: ${e.jobId}: ${e.reason}`);
  };
  const worker = startSweepWorker(redis, {
    lockMs,
    onEvent,
    ...(values.name === undefined ? {} : { name: values.name }),
  });
  io.err(
    `execsim worker ${worker.name}: code version ${codeVersion()}, taking chunks from ${CHUNK_QUEUE} on ${redact(url)}`,
  );
  // Until a signal, or (started through npm) npm gone: launcher-watch.ts.
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      remove?.();
      unwatch?.();
      resolve();
    };
    const remove = io.onInterrupt?.(stop);
    const unwatch = io.onLauncherGone?.(() => {
      io.err('execsim worker: the npm process that started it has ended (npx or npm stopped)');
      stop();
    });
  });
  await worker.close();
  // Redis gone at the end: BullMQ clients that could not close keep timers running for ever.
  if (redis.status !== 'ready') io.exitSoon?.(0);
  redis.disconnect();
  return 0;
}
