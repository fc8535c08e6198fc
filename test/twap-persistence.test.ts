// A TWAP's parent, plan and every child are durable (one transaction) before the first slice is
// sent: at the moment the first SubmitOrder is logged, the database already holds them all.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runScenario } from '../src/runtime/backtest-run.ts';
import { loadScenarioFile } from '../src/scenario/load-scenario.ts';
import { openDatabase } from '../src/store/open-database.ts';
import { RunStore } from '../src/store/run-store.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('TWAP persistence', () => {
  it('stores the parent, its plan and every child as pending_new before the first slice goes out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'execsim-twap-'));
    dirs.push(dir);
    const store = new RunStore(openDatabase(join(dir, 'x.db')));
    // A second connection sees only what was committed.
    const reader = openDatabase(join(dir, 'x.db'));
    let checked = false;
    try {
      runScenario(loadScenarioFile('scenarios/twap-calm.yaml'), {
        store,
        onEntry: (entry) => {
          if (checked || entry.event.kind !== 'SubmitOrder') return;
          checked = true;
          const kinds = reader.prepare('SELECT kind, COUNT(*) n FROM events GROUP BY kind').all() as Array<{
            kind: string;
            n: number;
          }>;
          const count = (k: string) => kinds.find((r) => r.kind === k)?.n ?? 0;
          expect(count('ParentOrderCreated')).toBe(1);
          expect(count('TwapPlanned')).toBe(1);
          expect(count('OrderCreated')).toBe(10);
          const children = reader
            .prepare(
              "SELECT slice_num, status, scheduled_time FROM orders WHERE parent_order_id = 'twap-buy' ORDER BY slice_num",
            )
            .all() as Array<{ slice_num: number; status: string; scheduled_time: number }>;
          expect(children.map((c) => c.slice_num)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
          expect(new Set(children.map((c) => c.status))).toEqual(new Set(['pending_new']));
          const parent = reader.prepare("SELECT total_slices FROM orders WHERE client_order_id = 'twap-buy'").get() as {
            total_slices: number;
          };
          expect(parent.total_slices).toBe(10);
        },
      });
    } finally {
      reader.close();
      store.db.close();
    }
    expect(checked).toBe(true);
  });
});
