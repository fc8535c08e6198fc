// The state a stored run is shown in: its stored status, except that a 'running' run whose
// writer is gone (its pid dead on this host, or no heartbeat for STALE_HEARTBEAT_MS) is
// 'crashed'; and when deleting it is refused (its writer pid is alive here).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pidAlive, runState, STALE_HEARTBEAT_MS, writerAliveHere, type Liveness } from '../../src/store/run-state.ts';
import type { RunRow } from '../../src/store/run-store.ts';

const NOW = Date.parse('2024-08-09T12:00:00.000Z');
const HERE = 'this-host';
const ALIVE = 4242;
const live: Liveness = { nowMs: NOW, host: HERE, isAlive: (pid) => pid === ALIVE };

type Row = Pick<RunRow, 'status' | 'writer_pid' | 'writer_host' | 'heartbeat_at'>;
const row = (over: Partial<Row>): Row => ({
  status: 'running',
  writer_pid: ALIVE,
  writer_host: HERE,
  heartbeat_at: new Date(NOW - 1_000).toISOString(),
  ...over,
});
const ago = (ms: number) => new Date(NOW - ms).toISOString();

describe('runState', () => {
  it.each([
    ['a running run with a live writer here and a fresh heartbeat', row({}), 'running'],
    ['its writer pid dead on this host', row({ writer_pid: 99999 }), 'crashed'],
    [
      'its heartbeat stale (writer suspended, or its pid reused)',
      row({ heartbeat_at: ago(STALE_HEARTBEAT_MS + 1) }),
      'crashed',
    ],
    ['a writer on another host with a fresh heartbeat', row({ writer_host: 'other', writer_pid: 99999 }), 'running'],
    [
      'a writer on another host with a stale heartbeat',
      row({ writer_host: 'other', heartbeat_at: ago(STALE_HEARTBEAT_MS + 1) }),
      'crashed',
    ],
    [
      'a run stored before writers were recorded',
      row({ writer_pid: null, writer_host: null, heartbeat_at: null }),
      'crashed',
    ],
    ['finished', row({ status: 'finished', writer_pid: 99999 }), 'finished'],
    ['failed', row({ status: 'failed', heartbeat_at: null }), 'failed'],
    ['interrupted', row({ status: 'interrupted', writer_pid: 99999 }), 'interrupted'],
  ] as const)('%s: %s', (_what, r, state) => {
    expect(runState(r, live)).toBe(state);
  });

  it('a stored status other than running is shown as it is, and a crashed run stays crashed as time goes on', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('running', 'finished', 'failed', 'interrupted' as const),
        fc.option(fc.constantFrom(ALIVE, 99999)),
        fc.option(fc.constantFrom(HERE, 'other')),
        fc.option(fc.integer({ min: -5_000, max: 10 * STALE_HEARTBEAT_MS })),
        fc.nat(10 * STALE_HEARTBEAT_MS),
        (status, pid, host, age, later) => {
          const r: Row = { status, writer_pid: pid, writer_host: host, heartbeat_at: age === null ? null : ago(age) };
          const state = runState(r, live);
          if (status !== 'running') expect(state).toBe(status);
          else expect(['running', 'crashed']).toContain(state);
          if (state === 'crashed') expect(runState(r, { ...live, nowMs: NOW + later })).toBe('crashed');
        },
      ),
    );
  });
});

describe('writerAliveHere', () => {
  it('is true only for a running run whose pid is alive on this host', () => {
    expect(writerAliveHere(row({ heartbeat_at: ago(10 * STALE_HEARTBEAT_MS) }), live)).toBe(true);
    expect(writerAliveHere(row({ writer_pid: 99999 }), live)).toBe(false);
    expect(writerAliveHere(row({ writer_host: 'other' }), live)).toBe(false);
    expect(writerAliveHere(row({ status: 'interrupted' }), live)).toBe(false);
  });

  it('pidAlive sees this process and not a pid past the largest possible', () => {
    expect(pidAlive(process.pid)).toBe(true);
    expect(pidAlive(2 ** 22 + 1)).toBe(false);
  });
});
