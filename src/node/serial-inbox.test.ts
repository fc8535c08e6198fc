// The process boundary: the serial inbox (one unit at a time, a commit after each, no re-entry, a
// failed unit stops it), a simulated process's life, and the clock and venue facades over either.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/clock/virtual-clock.ts';
import { ProcessLife } from './process-life.ts';
import { SerialInbox } from './serial-inbox.ts';
import { UnitBroker, UnitClock } from './unit-runner.ts';
import { clientOrderId, parentOrderId, symbol } from '../core/model/ids.ts';
import type { OrderRequest } from '../core/model/order.ts';
import { venueRules } from '../core/venues/index.ts';
import { ScriptedVenue } from '../../test/support/scripted-venue/scripted-venue.ts';

describe('SerialInbox', () => {
  it('handles work posted from inside a unit after it, with a commit after each unit', () => {
    const trace: string[] = [];
    const inbox = new SerialInbox(
      () => trace.push('commit'),
      () => trace.push('failed'),
    );
    inbox.post(() => {
      trace.push('a:start');
      inbox.post(() => trace.push('b'));
      trace.push('a:end');
    });
    expect(trace).toEqual(['a:start', 'a:end', 'commit', 'b', 'commit']);
    expect(inbox.handled).toBe(2);
  });

  it('any nesting of posts runs every unit exactly once, in posting order, never two at a time', () => {
    // A random tree of units (node i > 0 hangs under node parents[i-1] % i), each posting its
    // children when it runs: they must run in posting order, one at a time.
    const tree = fc.array(fc.nat(), { maxLength: 40, size: 'max' }).map((parents) => {
      const nodes: Array<{ children: unknown[] }> = [{ children: [] }];
      parents.forEach((p, i) => {
        const node = { children: [] };
        nodes[p % (i + 1)]!.children.push(node);
        nodes.push(node);
      });
      return nodes[0]!;
    });
    fc.assert(
      fc.property(tree, (root) => {
        let depth = 0;
        let maxDepth = 0;
        let commits = 0;
        const handled: number[] = [];
        let next = 0;
        const inbox = new SerialInbox(
          () => commits++,
          (err) => {
            throw err;
          },
        );
        const expected: number[] = [];
        const unit = (node: { children: unknown[] }): (() => void) => {
          const id = next++;
          expected.push(id);
          return () => {
            depth++;
            maxDepth = Math.max(maxDepth, depth);
            handled.push(id);
            for (const c of node.children) inbox.post(unit(c as { children: unknown[] }));
            depth--;
          };
        };
        inbox.post(unit(root));
        expect(maxDepth).toBe(1);
        expect(handled).toEqual(expected);
        expect(commits).toBe(handled.length);
      }),
    );
  });

  it('a unit that throws stops the inbox: told once, its commit never runs, nothing after it runs', () => {
    const trace: string[] = [];
    const failures: unknown[] = [];
    const inbox = new SerialInbox(
      () => trace.push('commit'),
      (e) => failures.push(e),
    );
    inbox.post(() => {
      inbox.post(() => trace.push('queued behind'));
      throw new Error('boom');
    });
    inbox.post(() => trace.push('later'));
    expect(trace).toEqual([]);
    expect(failures).toHaveLength(1);
    expect(inbox.failed).toBeInstanceOf(Error);
  });

  it('UnitClock over an inbox: every timer is a unit of work, and stop() cancels the waiting ones', () => {
    const clock = new VirtualClock(0);
    const commits: number[] = [];
    const inbox = new SerialInbox(
      () => commits.push(clock.now()),
      () => {},
    );
    const live = new UnitClock(clock, inbox, { cancelOnStop: true });
    const fired: string[] = [];
    live.schedule(() => fired.push('s'), 10);
    live.post((x: string) => fired.push(x), 20, 'p');
    live.schedule(() => fired.push('never'), 15).unsubscribe();
    live.schedule(() => fired.push('after stop'), 40);
    expect(live.pending).toBe(3);
    clock.advanceTo(30);
    expect(fired).toEqual(['s', 'p']);
    expect(commits).toEqual([10, 20]);
    live.stop();
    expect(live.pending).toBe(0);
    clock.advanceTo(50);
    expect(fired).toEqual(['s', 'p']);
  });
});

/** A venue answered by hand (the scripted venue, held to the broker contract) on Alpaca's rules. */
function handVenue(clock = new VirtualClock(0)): ScriptedVenue {
  return new ScriptedVenue({ clock, rules: venueRules('alpaca-equities'), symbol: 'AAPL', byHand: true });
}

const calls = (v: ScriptedVenue) => v.calls.map((c) => `${c.call}${c.id ? ` ${c.id}` : ''}`);
const order = (id: string): OrderRequest => ({
  clientOrderId: clientOrderId(id),
  parentId: parentOrderId('p'),
  sliceNum: 1,
  totalSlices: 1,
  scheduledTime: 0,
  symbol: symbol('AAPL'),
  side: 'buy',
  type: 'limit',
  tif: 'GTC',
  qty: 1,
  limitPrice: 10_000,
});

describe('UnitBroker', () => {
  it('over an inbox: answers are units after the one running, observed as they arrive; nothing leaves once stopped', () => {
    const venue = handVenue();
    const trace: string[] = [];
    const inbox = new SerialInbox(
      () => trace.push('commit'),
      () => {},
    );
    const broker = new UnitBroker(venue, inbox, (m) => trace.push(`observed ${m.kind}`));
    broker.setReportHandler((m) => trace.push(`handled ${m.kind}`));
    broker.queryAccount();
    inbox.post(() => {
      venue.reply({ call: 'account' });
      trace.push('unit');
    });
    expect(trace).toEqual(['observed AccountReport', 'unit', 'commit', 'handled AccountReport', 'commit']);
    broker.submit(order('a'));
    inbox.stop();
    broker.submit(order('b'));
    broker.cancel(clientOrderId('a'), null);
    expect(calls(venue)).toEqual(['account', 'submit a']);
  });

  it('over a simulated process: dead, it sends nothing and hears nothing; it dies right after the Nth submit', () => {
    const venue = handVenue();
    const crashes: string[] = [];
    const handled: string[] = [];
    const life = new ProcessLife(() => crashes.push('crashed'), 2);
    const broker = new UnitBroker(venue, life);
    broker.setReportHandler((m) => handled.push(m.kind));
    life.run(() => {
      broker.submit(order('a'));
      broker.submit(order('b'));
      broker.submit(order('never'));
    }, undefined);
    expect(calls(venue)).toEqual(['submit a', 'submit b']);
    expect(crashes).toEqual(['crashed']);
    life.alive = false;
    broker.queryOpenOrders();
    venue.reply({ call: 'submit', id: clientOrderId('a') });
    expect(calls(venue)).toEqual(['submit a', 'submit b']);
    expect(handled).toEqual([]);
  });

  it('UnitClock over a dead process runs nothing it scheduled, posted or slotted', () => {
    const clock = new VirtualClock(0);
    const life = new ProcessLife(() => {});
    const pclock = new UnitClock(clock, life);
    const fired: string[] = [];
    pclock.schedule(() => fired.push('schedule'), 5);
    pclock.post(() => fired.push('post'), 5);
    pclock.post((x: string) => fired.push(x), 5, 'post arg');
    pclock.slot().post(() => fired.push('slot'), 5);
    clock.advanceTo(1);
    life.alive = false;
    clock.advanceTo(10);
    expect(fired).toEqual([]);
  });
});
