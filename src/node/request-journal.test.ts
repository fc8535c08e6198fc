// The request journal as a fold of the log: a decision answers the same request again, another
// request under the key conflicts, a pending decision is settled by the event that decides it
// (the earliest waiting request first), and a restart forgets what no process can decide any more.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExecEvent, LogEntry } from '../core/model/events.ts';
import { parentOrderId } from '../core/model/ids.ts';
import type { CommandResult } from './node-commands.ts';
import { RequestJournal, type RequestTag } from './request-journal.ts';

const tag = (key: string, hash = 'h1', route = 'POST /orders'): RequestTag => ({ route, key, hash });
const entries = (events: readonly ExecEvent[]): LogEntry[] =>
  events.map((event, i) => ({ seq: i + 1, time: i, event }));
const decided = (
  t: RequestTag,
  r: CommandResult,
  waitsFor: { parentId: string } | { signalId: string } | null = null,
) => RequestJournal.decision(t, r, waitsFor);
const accepted = (...ids: string[]): CommandResult => ({ outcome: 'accepted', ids });
const pending: CommandResult = { outcome: 'pending', reason: 'waiting' };
/** A market parent of one lot made: what settles a request pending on it. */
const parentCreated = (parentId: string, route: 'single' | 'twap'): ExecEvent => ({
  kind: 'ParentOrderCreated',
  parentId: parentOrderId(parentId),
  symbol: 'BTCUSDT',
  side: 'buy',
  qty: 1,
  type: 'market',
  tif: 'IOC',
  limitPrice: null,
  totalSlices: 1,
  route,
  arrivalBid: null,
  arrivalAsk: null,
  source: 'test',
});

describe('the request journal', () => {
  it('answers a decided request again, refuses another under its key, and keeps routes apart', () => {
    const j = new RequestJournal();
    j.restore(entries([decided(tag('k1'), accepted('k1', 'c1'))]));
    expect(j.lookup(tag('k1'))).toEqual({ kind: 'decided', result: { outcome: 'accepted', ids: ['k1', 'c1'] } });
    expect(j.lookup(tag('k1', 'h2')).kind).toBe('conflict');
    expect(j.lookup(tag('k1', 'h1', 'POST /signals'))).toEqual({ kind: 'new' });
    expect(j.lookup(tag('k2'))).toEqual({ kind: 'new' });
  });

  it('settles pending requests by what decides them, the earliest first', () => {
    const j = new RequestJournal();
    const events: ExecEvent[] = [
      decided(tag('a', 'h', 'POST /signals'), pending, { signalId: 's' }),
      decided(tag('b', 'h', 'POST /signals'), pending, { signalId: 's' }),
      decided(tag('o'), pending, { parentId: 'o' }),
    ];
    for (const e of entries(events)) j.write(e);
    expect(j.lookup(tag('a', 'h', 'POST /signals'))).toMatchObject({ result: { outcome: 'pending' } });
    const write = (event: ExecEvent) => j.write({ seq: 99, time: 99, event });
    write({ kind: 'SignalAccepted', signalId: 's', fingerprint: 'f', parentId: parentOrderId('sig-f') });
    write({
      kind: 'SignalRejected',
      signalId: 's',
      fingerprint: 'f',
      stage: 'dedup',
      code: 'duplicate-signal',
      reason: 'copy',
    });
    write({
      kind: 'ParentRejected',
      parentId: parentOrderId('o'),
      stage: 'reduce_only',
      code: 'reduce-only-flat',
      reason: 'flat',
    });
    expect(j.lookup(tag('a', 'h', 'POST /signals'))).toEqual({ kind: 'decided', result: accepted('sig-f') });
    expect(j.lookup(tag('b', 'h', 'POST /signals'))).toEqual({
      kind: 'decided',
      result: { outcome: 'refused', check: 'dedup', code: 'duplicate-signal', reason: 'copy' },
    });
    expect(j.lookup(tag('o'))).toMatchObject({ result: { outcome: 'refused', code: 'reduce-only-flat' } });
  });

  it('forgets, at a restart, a request still pending: nothing was sent, so it may come again', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('x', 'y', 'z'), fc.boolean()), { maxLength: 12, size: 'max' }),
        (steps) => {
          // Each step: a request pending on parent `p<i>`, settled (made) or not before the restart.
          const events: ExecEvent[] = [];
          const settled = new Set<string>();
          steps.forEach(([key, made], i) => {
            const k = `${key}${i}`;
            events.push(decided(tag(k), pending, { parentId: `p${i}` }));
            if (made) {
              settled.add(k);
              events.push(parentCreated(`p${i}`, 'single'));
            }
          });
          const j = new RequestJournal();
          j.restore(entries(events));
          steps.forEach(([key], i) => {
            const k = `${key}${i}`;
            if (settled.has(k)) expect(j.lookup(tag(k))).toEqual({ kind: 'decided', result: accepted(`p${i}`) });
            else expect(j.lookup(tag(k))).toEqual({ kind: 'new' });
          });
          expect(j.size).toBe(settled.size);
        },
      ),
      { numRuns: 200 },
    );
  });
  it("answers a pending signal accepted with its parent's fate: accepted when made, refused when rejected", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('made', 'rejected'), { maxLength: 10 }), (fates) => {
        // Each signal s<i> waits for the venue, then is accepted under parent sig-<i>, which is
        // made or rejected in the same unit.
        const events: ExecEvent[] = fates.map((_, i) =>
          decided(tag(`k${i}`, 'h', 'POST /signals'), pending, { signalId: `s${i}` }),
        );
        fates.forEach((fate, i) => {
          const pid = parentOrderId(`sig-${i}`);
          events.push({ kind: 'SignalAccepted', signalId: `s${i}`, fingerprint: `f${i}`, parentId: pid });
          if (fate === 'rejected') events.push({ kind: 'ParentRejected', parentId: pid, reason: `plan ${i}` });
          if (fate === 'made') events.push(parentCreated(pid, 'twap'));
        });
        // A rejection under the same id after the parent's fate was known changes nothing.
        events.push(
          ...fates.map((_, i): ExecEvent => ({
            kind: 'ParentRejected',
            parentId: parentOrderId(`sig-${i}`),
            reason: 'late',
          })),
        );
        const j = new RequestJournal();
        for (const e of entries(events)) j.write(e);
        fates.forEach((fate, i) => {
          const answer = j.lookup(tag(`k${i}`, 'h', 'POST /signals'));
          if (fate === 'rejected')
            expect(answer).toEqual({
              kind: 'decided',
              result: {
                outcome: 'refused',
                check: 'plan',
                code: 'plan',
                reason: `the signal was accepted (it holds its dedup window), but its parent sig-${i} was rejected: plan ${i}`,
              },
            });
          else expect(answer).toEqual({ kind: 'decided', result: accepted(`sig-${i}`) });
        });
      }),
      { numRuns: 200 },
    );
  });
});
