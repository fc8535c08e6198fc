// The node host with either runner: timed inputs reach the process running at their time as units
// of its runner, wait in order while a baseline is read, are refused and named while no process
// runs (or when the process holding them dies), and are counted as pending until they have run.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/clock/virtual-clock.ts';
import { parentOrderId } from '../core/model/ids.ts';
import type { CommandResult, NodeCommand } from './node-commands.ts';
import { AT_ONCE, NodeHost, type HostedProcess, type HostInput } from './node-host.ts';
import { ProcessLife } from './process-life.ts';
import { SerialInbox } from './serial-inbox.ts';
import { UnitClock, type UnitRunner } from './unit-runner.ts';

const OK: CommandResult = { outcome: 'accepted', ids: [] };
const cancel = (label: string): HostInput<string> => ({
  label,
  command: { kind: 'CancelParent', parentId: parentOrderId(label), reason: 'test' },
});

/** A process whose node and strategy write down what reached them, and in which unit. */
function process(runner: UnitRunner, units: { n: number }) {
  const seen: string[] = [];
  const p: HostedProcess<string> = {
    runner,
    node: {
      handle: (c: NodeCommand) => {
        seen.push(`${c.kind === 'CancelParent' ? c.parentId : c.kind}@${units.n}`);
        return OK;
      },
    },
    strategy: { request: (swap: string) => seen.push(`swap:${swap}@${units.n}`) },
  };
  return { p, seen };
}

/** A ProcessLife that counts its units. */
function life(units: { n: number }): ProcessLife {
  return new ProcessLife(
    () => {},
    null,
    () => void units.n++,
  );
}

describe('NodeHost on a simulated process', () => {
  it('delivers each input at its time as a unit of the process running then, and refuses it while none runs', () => {
    const clock = new VirtualClock(0);
    const units = { n: 0 };
    let current: ReturnType<typeof process> | null = process(life(units), units);
    const host = new NodeHost<string>({ clock, current: () => current?.p ?? null, holdSwaps: false });
    host.schedule(cancel('a'), 10);
    host.schedule({ label: 'swap s', swap: 's' }, 20);
    host.schedule(cancel('b'), 30);
    expect(host.pending).toBe(3);
    clock.advanceTo(25);
    expect(current.seen).toEqual(['a@0', 'swap:s@1']);
    const first = current;
    current = null;
    clock.advanceTo(40);
    expect(first.seen).toHaveLength(2);
    expect(host.takeRefused()).toEqual(['b']);
    expect(host.takeRefused()).toEqual([]);
    expect(host.pending).toBe(0);
  });

  it('holds commands while the baseline is read and lets them go in order; a dead process refuses what it held', () => {
    const clock = new VirtualClock(0);
    const units = { n: 0 };
    const proc = process(life(units), units);
    const host = new NodeHost<string>({ clock, current: () => proc.p, holdSwaps: false });
    host.hold();
    for (const [label, at] of [
      ['x', 5],
      ['y', 1],
      ['z', 3],
    ] as const)
      host.schedule(cancel(label), at);
    host.schedule({ label: 'swap s', swap: 's' }, 2);
    clock.advanceTo(10);
    // A backtest hands a swap over at once; commands wait.
    expect(proc.seen).toEqual(['swap:s@0']);
    expect(host.pending).toBe(3);
    host.release();
    clock.advanceTo(11);
    expect(proc.seen).toEqual(['swap:s@0', 'y@1', 'z@2', 'x@3']);
    expect(host.pending).toBe(0);

    host.hold();
    host.schedule(cancel('w'), 1);
    clock.advanceTo(12);
    host.processEnded();
    expect(host.takeRefused()).toEqual(['w']);
    expect(host.pending).toBe(0);
  });

  it('a crashed ProcessLife is no process: its inputs are refused', () => {
    const clock = new VirtualClock(0);
    const units = { n: 0 };
    const l = life(units);
    const proc = process(l, units);
    const host = new NodeHost<string>({ clock, current: () => proc.p, holdSwaps: false });
    host.schedule(cancel('a'), 1);
    l.alive = false;
    clock.advanceTo(2);
    expect(proc.seen).toEqual([]);
    expect(host.takeRefused()).toEqual(['a']);
  });
});

describe('NodeHost on the serial inbox', () => {
  it('arrivals on the process clock are units of the inbox; held swaps wait too and run in order', () => {
    const clock = new VirtualClock(0);
    const units = { n: 0 };
    const inbox = new SerialInbox(
      () => void units.n++,
      (err) => {
        throw err;
      },
    );
    const unitClock = new UnitClock(clock, inbox, { cancelOnStop: true });
    const proc = process(AT_ONCE, units);
    const host = new NodeHost<string>({ clock: unitClock, current: () => proc.p, holdSwaps: true });
    host.hold();
    host.schedule(cancel('a'), 1);
    host.schedule({ label: 'swap s', swap: 's' }, 2);
    host.schedule(cancel('b'), 50);
    clock.advanceTo(5);
    expect(proc.seen).toEqual([]);
    expect(units.n).toBe(2);
    host.release();
    clock.advanceTo(6);
    expect(proc.seen).toEqual(['a@2', 'swap:s@3']);
    // The process stops: what it had not run yet never runs, and keeps nothing waiting.
    inbox.stop();
    unitClock.stop();
    expect(unitClock.pending).toBe(0);
    clock.advanceTo(100);
    expect(proc.seen).toEqual(['a@2', 'swap:s@3']);
  });
});

describe('NodeHost property', () => {
  it('each input is delivered once, or refused once, in the order of its time then scheduling', () => {
    const input = fc.record({ at: fc.integer({ min: 0, max: 50 }), swap: fc.boolean() });
    fc.assert(
      fc.property(
        fc.array(input, { maxLength: 20, size: 'max' }),
        fc.option(fc.integer({ min: 0, max: 60 }), { nil: null }),
        fc.option(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 30 })), { nil: null }),
        fc.boolean(),
        (inputs, releaseAt, down, holdSwaps) => {
          const clock = new VirtualClock(0);
          const units = { n: 0 };
          const l = life(units);
          const proc = process(l, units);
          let alive = true;
          const host = new NodeHost<string>({ clock, current: () => (alive ? proc.p : null), holdSwaps });
          if (releaseAt !== null) {
            host.hold();
            clock.schedule(() => host.release(), releaseAt);
          }
          if (down !== null) {
            clock.schedule(() => {
              alive = false;
              host.processEnded();
            }, down[0]);
            clock.schedule(() => void (alive = true), down[0] + down[1]);
          }
          inputs.forEach((x, i) => host.schedule(x.swap ? { label: `${i}`, swap: `${i}` } : cancel(`${i}`), x.at));
          clock.advanceTo(200);
          const delivered = proc.seen.map((s) => s.replace(/^swap:/, '').replace(/@.*$/, ''));
          const refused = host.takeRefused();
          expect([...delivered, ...refused].sort()).toEqual(inputs.map((_, i) => `${i}`).sort());
          expect(new Set(delivered).size).toBe(delivered.length);
          expect(host.pending).toBe(0);
          // Units: one per delivered input.
          expect(units.n).toBe(delivered.length);
          // Without a hold, in order of time, then of scheduling.
          if (releaseAt === null) {
            const byTime = delivered.map((d) => Number(d));
            for (let k = 1; k < byTime.length; k++) {
              const [a, b] = [inputs[byTime[k - 1]!]!, inputs[byTime[k]!]!];
              expect(a.at < b.at || (a.at === b.at && byTime[k - 1]! < byTime[k]!)).toBe(true);
            }
          }
        },
      ),
    );
  });
});
