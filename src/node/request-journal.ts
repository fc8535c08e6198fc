// The node's request journal: every command that came with an idempotency key and what the node
// decided, as a fold of the log, consulted inside the unit that would run the command, so a
// request sent twice (at once, or after a restart) is decided once. How pending decisions settle
// or are forgotten: docs/0065-the-host-layer.md.
import type { ExecEvent, LogEntry } from '../core/model/events.ts';
import type { RequestDecided } from '../core/model/request-events.ts';
import type { EventSink } from '../core/ports/event-sink.ts';
import { signalParentRejected, type CommandResult } from './node-commands.ts';

/** What identifies a request: its route, its key, and a hash of everything else it said. */
export interface RequestTag {
  /** Method and path template: 'POST /orders/slice'. */
  readonly route: string;
  readonly key: string;
  readonly hash: string;
}

/** What the journal knows of a tag: nothing, the decision for the same request, or that another
 *  request (another hash) used the key on this route. */
export type RequestLookup =
  | { readonly kind: 'new' }
  | { readonly kind: 'decided'; readonly result: CommandResult }
  | { readonly kind: 'conflict'; readonly reason: string };

interface Entry {
  readonly hash: string;
  result: CommandResult;
  waitsFor: RequestDecided['waitsFor'];
}

export class RequestJournal implements EventSink {
  private readonly entries = new Map<string, Entry>();
  /** Pending entries by what settles them ('p:' parent id, 's:' signal id), oldest first. */
  private readonly pending = new Map<string, Entry[]>();
  /** Entries settled by a signal's acceptance, by the parent id it names, until that parent is
   *  made or rejected (in the same unit): a rejected one turns the answer into its refusal. */
  private readonly signalParents = new Map<string, Entry>();

  /** Folds a process's durable log (a restart): decisions, then what settled them; whatever is
   *  still pending after it is forgotten (its wait died with that process; nothing was sent). */
  restore(prior: readonly LogEntry[]): void {
    for (const e of prior) this.apply(e.event);
    if (this.pending.size === 0) return;
    const undecided = new Set([...this.pending.values()].flat());
    for (const [slotKey, entry] of this.entries) if (undecided.has(entry)) this.entries.delete(slotKey);
    this.pending.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  /** What the journal knows of `tag`. */
  lookup(tag: RequestTag): RequestLookup {
    const entry = this.entries.get(slot(tag));
    if (entry === undefined) return { kind: 'new' };
    if (entry.hash === tag.hash) return { kind: 'decided', result: entry.result };
    return {
      kind: 'conflict',
      reason: `the key ${tag.key} was used for another ${tag.route} request (other parameters or body): a key names one request`,
    };
  }

  write(entry: LogEntry): void {
    this.apply(entry.event);
  }

  /** The event a command's decision is logged as. */
  static decision(tag: RequestTag, result: CommandResult, waitsFor: RequestDecided['waitsFor']): RequestDecided {
    return {
      kind: 'RequestDecided',
      route: tag.route,
      key: tag.key,
      hash: tag.hash,
      outcome: result.outcome,
      ids: result.outcome === 'accepted' ? [...result.ids] : [],
      check: result.outcome === 'refused' ? result.check : null,
      code: result.outcome === 'refused' ? result.code : null,
      reason: result.outcome === 'accepted' ? null : result.reason,
      waitsFor: result.outcome === 'pending' ? waitsFor : null,
    };
  }

  private apply(e: ExecEvent): void {
    switch (e.kind) {
      case 'RequestDecided': {
        const entry: Entry = { hash: e.hash, result: resultOf(e), waitsFor: e.waitsFor };
        this.entries.set(slot(e), entry);
        if (e.outcome === 'pending' && e.waitsFor !== null) {
          const on = 'parentId' in e.waitsFor ? `p:${e.waitsFor.parentId}` : `s:${e.waitsFor.signalId}`;
          const list = this.pending.get(on);
          if (list) list.push(entry);
          else this.pending.set(on, [entry]);
        }
        return;
      }
      case 'ParentOrderCreated':
        this.signalParents.delete(e.parentId);
        this.settle(`p:${e.parentId}`, { outcome: 'accepted', ids: [e.parentId] });
        return;
      case 'ParentRejected': {
        const bySignal = this.signalParents.get(e.parentId);
        if (bySignal !== undefined) {
          this.signalParents.delete(e.parentId);
          bySignal.result = signalParentRejected(e.parentId, e);
        }
        this.settle(`p:${e.parentId}`, refused(e.stage ?? 'plan', e.code ?? 'plan', e.reason));
        return;
      }
      case 'SignalAccepted': {
        const entry = this.settle(`s:${e.signalId}`, { outcome: 'accepted', ids: [e.parentId] });
        if (entry !== undefined) this.signalParents.set(e.parentId, entry);
        return;
      }
      case 'SignalRejected':
        this.settle(`s:${e.signalId}`, refused(e.stage, e.code, e.reason));
        return;
      default:
        return;
    }
  }

  /** Settles the oldest entry waiting `on`, and returns it (undefined when none waits). */
  private settle(on: string, result: CommandResult): Entry | undefined {
    const list = this.pending.get(on);
    if (list === undefined) return undefined;
    const entry = list.shift() as Entry;
    entry.result = result;
    entry.waitsFor = null;
    if (list.length === 0) this.pending.delete(on);
    return entry;
  }
}

const slot = (t: { readonly route: string; readonly key: string }): string => `${t.route} ${t.key}`;

const refused = (check: string, code: string, reason: string): CommandResult => ({
  outcome: 'refused',
  check,
  code,
  reason,
});

function resultOf(e: RequestDecided): CommandResult {
  if (e.outcome === 'accepted') return { outcome: 'accepted', ids: e.ids };
  if (e.outcome === 'refused') return refused(e.check ?? 'node', e.code ?? 'refused', e.reason ?? '');
  return { outcome: 'pending', reason: e.reason ?? 'waiting for the venue' };
}
