// The serial inbox: one unit at a time, a commit after each, no re-entry, and a failed unit stops it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/clock/virtual-clock.ts';
import { InboxClock, SerialInbox } from './inbox.ts';

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
    const tree = fc.array(fc.nat(), { maxLength: 40 }).map((parents) => {
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

  it('InboxClock: every timer is a unit of work', () => {
    const clock = new VirtualClock(0);
    const commits: number[] = [];
    const inbox = new SerialInbox(
      () => commits.push(clock.now()),
      () => {},
    );
    const live = new InboxClock(clock, inbox);
    const fired: string[] = [];
    live.schedule(() => fired.push('s'), 10);
    live.post((x: string) => fired.push(x), 20, 'p');
    live.schedule(() => fired.push('never'), 15).unsubscribe();
    clock.advanceTo(30);
    expect(fired).toEqual(['s', 'p']);
    expect(commits).toEqual([10, 20]);
  });
});
