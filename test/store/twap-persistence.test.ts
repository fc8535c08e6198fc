// A TWAP's parent, plan and every child are one commit unit. In a run continued from the store
// (a run with restarts) the unit is durable (one transaction) before the first slice is sent: at
// the moment the first SubmitOrder is logged, the database already holds it all. A run without
// restarts groups its commits: another connection sees the unit whole or not at all, never part
// of it.
import { storedRows } from '../support/stored-log.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { RunStore } from '../../src/store/run-store.ts';
import { projectRun } from '../../src/store/deferred-projection.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** What a second connection sees of the run's TWAP: its unit's events and children by status. */
function visibleTwap(reader: Database.Database, parentId: string) {
  // As a reader of orders does: a backtest's rows are built from what its log has stored so far.
  for (const id of reader.prepare('SELECT id FROM runs').pluck().all() as string[]) projectRun(reader, id);
  const log = storedRows(reader);
  const count = (kind: string) =>
    log.filter((r) => r.kind === kind && (JSON.parse(r.payload) as { parentId?: string }).parentId === parentId).length;
  const children = reader
    .prepare('SELECT slice_num, status FROM orders WHERE parent_order_id = ? ORDER BY slice_num')
    .all(parentId) as Array<{ slice_num: number; status: string }>;
  const parent = reader.prepare('SELECT total_slices FROM orders WHERE client_order_id = ?').get(parentId) as
    { total_slices: number } | undefined;
  return {
    parents: count('ParentOrderCreated'),
    plans: count('TwapPlanned'),
    created: count('OrderCreated'),
    children,
    totalSlices: parent?.total_slices ?? null,
  };
}

function withStore(run: (store: RunStore, reader: Database.Database) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'execsim-twap-'));
  dirs.push(dir);
  const store = new RunStore(openDatabase(join(dir, 'x.db')));
  // A second connection sees only what was committed.
  const reader = openDatabase(join(dir, 'x.db'));
  try {
    run(store, reader);
  } finally {
    reader.close();
    store.db.close();
  }
}

describe('TWAP persistence', () => {
  it('a run with restarts stores the parent, its plan and every child as pending_new before the first slice goes out', () => {
    const loaded = loadScenarioFile('scenarios/restart-mid-twap.yaml');
    expect(loaded.scenario.restarts.length).toBeGreaterThan(0);
    let checked = false;
    withStore((store, reader) => {
      runScenario(loaded, {
        store,
        onEntry: (entry) => {
          if (checked || entry.event.kind !== 'SubmitOrder') return;
          checked = true;
          const seen = visibleTwap(reader, 'twap-bid');
          expect(seen.parents).toBe(1);
          expect(seen.plans).toBe(1);
          expect(seen.totalSlices).not.toBeNull();
          expect(seen.created).toBe(seen.totalSlices);
          expect(seen.children.map((c) => c.slice_num)).toEqual(
            Array.from({ length: seen.totalSlices ?? 0 }, (_, i) => i + 1),
          );
          expect(new Set(seen.children.map((c) => c.status))).toEqual(new Set(['pending_new']));
        },
      });
    });
    expect(checked).toBe(true);
  });

  it('a run without restarts groups its commits: the TWAP unit is seen whole or not at all, and whole at the end', () => {
    const loaded = loadScenarioFile('scenarios/twap-calm.yaml');
    expect(loaded.scenario.restarts).toEqual([]);
    let looks = 0;
    withStore((store, reader) => {
      const report = runScenario(loaded, {
        store,
        onEntry: () => {
          looks++;
          const seen = visibleTwap(reader, 'twap-buy');
          if (seen.parents === 0) {
            expect(seen).toEqual({ parents: 0, plans: 0, created: 0, children: [], totalSlices: null });
            return;
          }
          expect(seen.plans).toBe(1);
          expect(seen.created).toBe(10);
          expect(seen.totalSlices).toBe(10);
          expect(seen.children.map((c) => c.slice_num)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        },
      });
      const seen = visibleTwap(reader, 'twap-buy');
      expect(seen.created).toBe(10);
      expect(seen.children).toHaveLength(10);
      expect(store.getRun(report.runId)).toMatchObject({ status: 'finished', event_count: report.events });
    });
    expect(looks).toBeGreaterThan(10);
  });
});
