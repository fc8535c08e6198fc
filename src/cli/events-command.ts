// `execsim events <runId>`: a stored run's event log, as text (one line per event: seq, time
// since the run's start, kind, compact payload) or NDJSON (--json, one event per line), filtered
// by kind and by a seq range. Read-only; streamed from the database in batches, so a log of
// millions of events is never held whole.
import type { RunSummary } from '../store/read-model-port.ts';
import { described } from '../store/open-database.ts';
import { ReadModel } from '../store/read-model.ts';
import { DB_FLAG_HELP, dbPath, parseCommand, parseCount, UsageError, type Io } from './io.ts';

/** Longest payload printed whole in text mode; --json always has it whole. */
export const TEXT_PAYLOAD_MAX = 300;

export const EVENTS_USAGE =
  'usage: execsim events <runId> [--kind K[,K...]] [--from SEQ] [--to SEQ] [--json] [--db PATH]';
export const EVENTS_HELP = `${EVENTS_USAGE}
Prints a stored run's event log in order: one line per event with its seq, its time since the
run's start (+hours:minutes:seconds, virtual time), its kind and its payload as compact JSON
(payloads above ${TEXT_PAYLOAD_MAX} characters are cut; --json has them whole).
  --kind K[,K]  only events of these kinds (comma-separated, or the flag repeated), e.g.
                --kind OrderCreated,FillReport
  --from SEQ    only events with seq >= SEQ
  --to SEQ      only events with seq <= SEQ
  --json        NDJSON: one JSON object per line, one line per event:
                { seq, time (epoch ms, virtual), offsetMs (since the run's start), kind, payload }
${DB_FLAG_HELP}; never created
  -h, --help    this help
A kind that the run does not have is named on stderr with the kinds it has.
Exit codes: 0, 2 bad input (an unknown run id, a bad flag, no database).`;

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
    if (kinds.length > 0) noteMissingKinds(model, id, kinds, io);
    printEvents(model, run, { kinds, from, to, json: values.json }, io);
    return 0;
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

/** Kinds asked for that the run has none of: named on stderr with the kinds it has (a typo
 *  would otherwise look like an empty log). */
function noteMissingKinds(model: ReadModel, id: string, kinds: readonly string[], io: Io): void {
  const has = new Set(model.eventKinds(id));
  const missing = kinds.filter((k) => !has.has(k));
  if (missing.length === 0) return;
  const near = (k: string) => [...has].find((h) => h.toLowerCase() === k.toLowerCase());
  const hints = missing.map((k) => (near(k) ? `${k} (did you mean ${near(k)}?)` : k));
  io.err(
    `execsim: run ${id} has no events of kind ${hints.join(', ')}; its kinds are ${[...has].sort().join(', ') || 'none (no events stored)'}`,
  );
}

function printEvents(model: ReadModel, run: RunSummary, f: Filter, io: Io): void {
  const rows = model.eventLines(run.id, { from: f.from, to: f.to, kinds: f.kinds });
  const simStart = run.simStart;
  // The log is gap-free: its event count is its last seq.
  const seqWidth = String(Math.min(f.to, run.events)).length;
  let batch: string[] = [];
  for (const [seq, time, kind, payload] of rows) {
    const offset = time - simStart;
    batch.push(
      f.json
        ? `{"seq":${seq},"time":${time},"offsetMs":${Math.round(offset * 1e6) / 1e6},"kind":${JSON.stringify(kind)},"payload":${payload}}`
        : `${String(seq).padStart(seqWidth)}  ${formatOffset(offset)}  ${kind}  ${cut(payload)}`,
    );
    if (batch.length >= BATCH) {
      io.out(batch.join('\n'));
      batch = [];
    }
  }
  if (batch.length > 0) io.out(batch.join('\n'));
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
