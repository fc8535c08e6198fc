// `execsim events <runId>`: a stored run's event log, as text (one line per event: seq, time
// since the run's start, the time itself, kind, compact payload in the instrument's decimals and
// ISO times: store/readable-events.ts) or NDJSON (--json, one event per line, as stored: integer
// units), filtered by kind and by a seq range. Read-only; streamed from the database in batches,
// so a log of millions of events is never held whole. Every payload is parsed on the way, though
// the store only writes JSON: one edited by hand since must not make an invalid NDJSON line.
import { unknownEventKind } from '../core/model/event-kinds.ts';
import type { RunSummary } from '../store/read-model-port.ts';
import { described, StoreError } from '../store/open-database.ts';
import { ReadModel } from '../store/read-model.ts';
import { instrumentsOf, isoTime, ReadableEvents } from '../store/readable-events.ts';
import { StoredDataError } from '../store/stored-data.ts';
import { parsedPayload, storedText, unreadablePayload } from '../store/stored-values.ts';
import { DB_FLAG_HELP, dbPath, parseCommand, parseCount, UsageError, type Io } from './io.ts';

/** Longest payload printed whole in text mode; --json always has it whole. */
export const TEXT_PAYLOAD_MAX = 300;

export const EVENTS_USAGE =
  'usage: execsim events <runId> [--kind K[,K...]] [--from SEQ] [--to SEQ] [--json] [--db PATH]';
export const EVENTS_HELP = `${EVENTS_USAGE}
Prints a stored run's event log in order: one line per event with its seq, its time since the
run's start (+hours:minutes:seconds, virtual time), the time itself (ISO-8601 UTC), its kind and
its payload as compact JSON, quantities, prices and fees as the instrument's decimals and times
as ISO-8601 (payloads above ${TEXT_PAYLOAD_MAX} characters are cut; --json has them whole, as
stored: integer lots, ticks, notional units and epoch milliseconds).
  --kind K[,K]  only events of these kinds (comma-separated, or the flag repeated), e.g.
                --kind OrderCreated,FillReport
  --from SEQ    only events with seq >= SEQ
  --to SEQ      only events with seq <= SEQ
  --json        NDJSON: one JSON object per line, one line per event:
                { seq, time (epoch ms, virtual), offsetMs (since the run's start), kind, payload
                (as stored) }
${DB_FLAG_HELP}; never created
  -h, --help    this help
A kind that the run does not have is named on stderr with the kinds it has; a name that is no
event kind at all (a typo) is refused with the kind it most likely meant. An event that cannot
be read (a payload that is not JSON, a time that is not a number: the database edited by hand)
is printed with the stored text of what cannot be read (--json: as a string, with
"unreadable": ["payload"] naming the fields, offsetMs null without a time) and named on stderr.
Exit codes: 0, 1 an event could not be read, 2 bad input (an unknown run id, a bad flag, a
--kind that is no event kind, no database, a run whose start time cannot be read).`;

const BATCH = 1_000;

export function eventsCommand(args: readonly string[], io: Io): number {
  const { values, positionals } = parseCommand(
    args,
    {
      kind: { type: 'string', multiple: true },
      from: { type: 'string' },
      to: { type: 'string' },
      json: { type: 'boolean', default: false },
      db: { type: 'string' },
    },
    EVENTS_USAGE,
  );
  if (values.help) {
    io.out(EVENTS_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('events needs exactly one run id', EVENTS_USAGE);
  const id = positionals[0] as string;
  const from =
    values.from === undefined ? 1 : parseCount('--from', values.from, 0, Number.MAX_SAFE_INTEGER, EVENTS_USAGE);
  const to =
    values.to === undefined
      ? Number.MAX_SAFE_INTEGER
      : parseCount('--to', values.to, 0, Number.MAX_SAFE_INTEGER, EVENTS_USAGE);
  if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`, EVENTS_USAGE);
  const kinds = [...new Set((values.kind ?? []).flatMap((k) => k.split(',')).map((k) => k.trim()))];
  const badKind = kinds.find((k) => !/^[A-Za-z][A-Za-z0-9_]*$/.test(k));
  if (badKind !== undefined)
    throw new UsageError(
      `--kind: "${badKind}" is not an event kind (kinds are names such as OrderCreated)`,
      EVENTS_USAGE,
    );

  const path = dbPath(values.db, io);
  const model = ReadModel.open(path);
  try {
    const run = model.summary(id);
    if (!run) throw new UsageError(`no run with id "${id}" (see \`execsim runs\`)`, EVENTS_USAGE);
    // Every line's time since the start needs it: a run row edited by hand stops here, before
    // any line is printed.
    if (typeof run.simStart !== 'number' || !Number.isFinite(run.simStart))
      throw new StoreError(
        `database ${path}: run ${id}: its sim_start ${JSON.stringify(storedText(run.simStart))} is not a time (a number of epoch milliseconds), so no event's time since the start can be given`,
      );
    if (kinds.length > 0) noteMissingKinds(model, id, kinds, io);
    const unreadable = printEvents(model, run, { kinds, from, to, json: values.json }, io);
    if (unreadable.first === null) return 0;
    // Named once, as `show` names it: the stored run is not what execsim wrote (exit 1).
    const n = unreadable.others.length;
    const more =
      n === 0
        ? ''
        : ` (and ${n} more event${n === 1 ? '' : 's'} that cannot be read: seq ${unreadable.others.slice(0, 5).join(', ')}${n > 5 ? ', …' : ''})`;
    io.err(`execsim: run ${id}: ${unreadable.first}${more}`);
    return 1;
  } catch (err) {
    throw described(err, path);
  } finally {
    model.close();
  }
}

interface Filter {
  readonly kinds: readonly string[];
  readonly from: number;
  readonly to: number;
  readonly json: boolean;
}

/** Kinds asked for that the run has none of: a name that is no event kind is refused (a typo
 *  would otherwise look like an empty log; GET /runs/{id}/events refuses it too), unless the run
 *  has it (a log stored by another version of execsim), and the others are named on stderr with
 *  the kinds the run has. */
function noteMissingKinds(model: ReadModel, id: string, kinds: readonly string[], io: Io): void {
  const has = new Set(model.eventKinds(id));
  const missing = kinds.filter((k) => !has.has(k));
  if (missing.length === 0) return;
  const unknown = missing.map(unknownEventKind).find((why): why is string => why !== null);
  if (unknown !== undefined) throw new UsageError(`--kind: ${unknown}`, EVENTS_USAGE);
  const near = (k: string) => [...has].find((h) => h.toLowerCase() === k.toLowerCase());
  const hints = missing.map((k) =>
    near(k)
      ? `${k} (did you mean ${near(k)}?)`
      : k === 'MarketSampled'
        ? `${k} (market samples are kept beside the log, not in it: the charts and GET /runs/{id}/series read them)`
        : k,
  );
  io.err(
    `execsim: run ${id} has no events of kind ${hints.join(', ')}; its kinds are ${[...has].sort().join(', ') || 'none (no events stored)'}`,
  );
}

/** What printEvents could not read: the first such event's problem and the others' seqs. */
interface Unreadable {
  first: string | null;
  others: number[];
}

/** Prints the events; an event the database no longer holds readably (a payload that is not
 *  JSON, a time that is not a number: the file edited by hand) is printed with the stored text of
 *  what cannot be read, marked, and returned, so that every --json line stays JSON. */
function printEvents(model: ReadModel, run: RunSummary, f: Filter, io: Io): Unreadable {
  const readable = f.json ? null : readableEvents(model, run.id, f);
  const rows = model.eventLines(run.id, { from: f.from, to: f.to, kinds: f.kinds });
  const simStart = run.simStart;
  // The log is gap-free: its event count is its last seq.
  const seqWidth = String(Math.min(f.to, run.events)).length;
  const unreadable: Unreadable = { first: null, others: [] };
  let batch: string[] = [];
  for (const [seq, time, kind, payload] of rows) {
    const e = readEvent(seq, time, kind, payload);
    if (e.problem !== null) {
      if (unreadable.first === null) unreadable.first = e.problem;
      else unreadable.others.push(seq);
    }
    const offset = e.time === null ? null : e.time - simStart;
    if (f.json) {
      const marks = e.unreadable.length > 0 ? `,"unreadable":${JSON.stringify(e.unreadable)}` : '';
      batch.push(
        `{"seq":${seq},"time":${e.time ?? JSON.stringify(storedText(time))},"offsetMs":${offset === null ? null : Math.round(offset * 1e6) / 1e6},"kind":${JSON.stringify(e.kind)},"payload":${e.payload ?? JSON.stringify(storedText(payload))}${marks}}`,
      );
    } else {
      const when =
        offset === null || e.time === null
          ? `time ${JSON.stringify(storedText(time))}`
          : `${formatOffset(offset)}  ${isoTime(e.time)}`;
      const what =
        e.payload === null
          ? `(not JSON) ${cut(JSON.stringify(storedText(payload)))}`
          : cut(readable === null ? e.payload : JSON.stringify(readable.payload(e.kind, parsedPayload(e.payload))));
      batch.push(`${String(seq).padStart(seqWidth)}  ${when}  ${e.kind}  ${what}`);
    }
    if (batch.length >= BATCH) {
      io.out(batch.join('\n'));
      batch = [];
    }
  }
  if (batch.length > 0) io.out(batch.join('\n'));
  return unreadable;
}

/** The run's payloads in its instruments' units; for a run of several, the orders and parents
 *  before the first event printed are learnt first (their symbols say whose units an event is in). */
function readableEvents(model: ReadModel, id: string, f: Filter): ReadableEvents {
  const readable = new ReadableEvents(instrumentsOf(storedScenario(model, id)));
  if (readable.needsOrders && (f.from > 1 || f.kinds.length > 0))
    for (const [, , kind, payload] of model.eventLines(id, { to: f.to, kinds: ['OrderCreated', 'ParentOrderCreated'] }))
      readable.learn(kind, parsedPayload(payload));
  return readable;
}

/** The run's stored scenario, or null when it is not JSON (the database edited by hand): its
 *  events are then printed in their stored units rather than not at all. */
function storedScenario(model: ReadModel, id: string): unknown {
  try {
    return model.scenarioOf(id)?.scenario ?? null;
  } catch (err) {
    if (err instanceof StoredDataError) return null;
    throw err;
  }
}

interface ReadEvent {
  /** The time, or null when the stored one is not a finite number. */
  readonly time: number | null;
  readonly kind: string;
  /** The payload as one line of JSON, or null when the stored one is not JSON. */
  readonly payload: string | null;
  /** The fields that cannot be read, and the first one's problem (null: none). */
  readonly unreadable: readonly string[];
  readonly problem: string | null;
}

/** One stored event as printed. A payload is parsed to know that it is JSON (the store only ever
 *  writes JSON, but the file may have been edited since) and printed as stored, unless it spans
 *  lines: then it is written again on one. */
function readEvent(seq: number, time: unknown, kind: unknown, payload: unknown): ReadEvent {
  const kindText = storedText(kind);
  const fields: string[] = [];
  let problem: string | null = null;
  const timeOk = typeof time === 'number' && Number.isFinite(time);
  if (!timeOk) {
    fields.push('time');
    problem = `event seq ${seq} (${kindText}): the time ${JSON.stringify(storedText(time))} is not a number`;
  }
  const parsed = typeof payload === 'string' ? parsedPayload(payload) : undefined;
  if (parsed === undefined) {
    fields.push('payload');
    problem ??= unreadablePayload(seq, kindText);
  }
  return {
    time: timeOk ? time : null,
    kind: kindText,
    payload:
      parsed === undefined ? null : /[\r\n]/.test(payload as string) ? JSON.stringify(parsed) : (payload as string),
    unreadable: fields,
    problem,
  };
}

function cut(payload: string): string {
  return payload.length <= TEXT_PAYLOAD_MAX
    ? payload
    : `${payload.slice(0, TEXT_PAYLOAD_MAX)}… (+${payload.length - TEXT_PAYLOAD_MAX} characters)`;
}

/** Virtual time since the run's start as +H:MM:SS.mmm (hours unbounded; sub-millisecond times,
 *  which latency jitter gives, to the microsecond). */
export function formatOffset(ms: number): string {
  const us = Math.round(Math.abs(ms) * 1000);
  const h = Math.floor(us / 3_600_000_000);
  const m = Math.floor((us % 3_600_000_000) / 60_000_000);
  const inMinute = us % 60_000_000;
  const frac = inMinute % 1_000_000;
  const fracText = frac % 1000 === 0 ? String(frac / 1000).padStart(3, '0') : String(frac).padStart(6, '0');
  const two = (n: number) => String(n).padStart(2, '0');
  return `${ms < 0 ? '-' : '+'}${two(h)}:${two(m)}:${two(Math.floor(inMinute / 1_000_000))}.${fracText}`;
}
