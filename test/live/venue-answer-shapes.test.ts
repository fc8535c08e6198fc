// The simulated venue's answers keep their hidden classes from one question to the next: a page
// of orders and its rows, the open orders, an order lookup and the account, each stamped with the
// request's id, asked sixty times over orders of several kinds. Built as a spread followed by more
// fields, each answer got a new class (V8 caches no transition from a spread's copy once the site
// has seen several shapes), and every reader of the venue's messages, the log's encoder and the
// reconciler among them, met a new shape on every answer of a sweep's every path. Checked with
// V8's own %HaveSameMap in a child process (the flag that allows it cannot be set in this one).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/bin-process.ts';

interface AnswerShape {
  readonly kind: string;
  readonly same: boolean;
  readonly rows: number;
  readonly sameRows: boolean;
}

describe('simulated venue answers', () => {
  it('have the same hidden classes each time the same question is asked', () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env['NODE_OPTIONS'];
    const r = spawnSync(
      process.execPath,
      ['--allow-natives-syntax', '--import', 'tsx', path.join(ROOT, 'test', 'support', 'venue-answer-shapes.ts')],
      { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const answers = JSON.parse(r.stdout) as AnswerShape[];
    expect(answers.map((a) => a.kind).sort()).toEqual([
      'AccountReport',
      'OpenOrdersReport',
      'OrderStatusReport',
      'OrdersPageReport',
    ]);
    // Rows of both listings, so their shapes were compared too.
    expect(answers.find((a) => a.kind === 'OrdersPageReport')?.rows).toBeGreaterThan(4);
    expect(answers.find((a) => a.kind === 'OpenOrdersReport')?.rows).toBeGreaterThan(1);
    for (const a of answers)
      expect({ kind: a.kind, same: a.same, sameRows: a.sameRows }).toEqual({
        kind: a.kind,
        same: true,
        sameRows: true,
      });
  });
});
