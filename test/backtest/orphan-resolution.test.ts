// An operator's orphan resolution that cannot be applied is an OrphanResolutionRefused event,
// never a thrown error: an unknown id, an id not detected yet, one resolved already, and an
// adoption without the venue's side. Nothing else changes, and the run carries on.
import { describe, it, expect } from 'vitest';
import type { ExecEvent, LogEntry } from '../../src/core/model/events.ts';
import { clientOrderId, venueOrderId } from '../../src/core/model/ids.ts';
import type { OrphanDetected } from '../../src/core/model/recon-events.ts';
import { OrphanBook } from '../../src/core/recon/orphan-book.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function book() {
  const recorded: ExecEvent[] = [];
  const cancels: string[] = [];
  const adopted: OrphanDetected[] = [];
  const b = new OrphanBook({
    record: (e) => recorded.push(e),
    cancel: (id) => cancels.push(id),
    adopt: (o) => adopted.push(o),
  });
  const refusals = () => recorded.filter((e) => e.kind === 'OrphanResolutionRefused');
  return { b, recorded, cancels, adopted, refusals };
}

const report = (id: string, side: 'buy' | 'sell' | undefined) => ({
  clientOrderId: clientOrderId(id),
  venueOrderId: venueOrderId('v1'),
  status: 'new' as const,
  qty: 5,
  filledQty: 0,
  trades: [],
  ...(side ? { side } : {}),
  limitPrice: 90,
});

describe('OrphanBook.resolve refuses what it cannot apply', () => {
  it('an id never detected: a refusal event naming it, no cancel, no throw', () => {
    const t = book();
    expect(() => t.b.resolve(clientOrderId('nobody'), 'cancel', 'ops', 'typo')).not.toThrow();
    expect(t.refusals()).toEqual([
      {
        kind: 'OrphanResolutionRefused',
        clientOrderId: 'nobody',
        resolution: 'cancel',
        actor: 'ops',
        reason: 'typo',
        refusal: expect.stringMatching(/no orphan nobody has been detected/),
      },
    ]);
    expect(t.cancels).toEqual([]);
    expect(t.b.quarantine()).toBeNull();
  });

  it('an adoption without the venue stating the side is refused and the orphan stays quarantining', () => {
    const t = book();
    t.b.seen(report('x1', undefined));
    t.b.resolve(clientOrderId('x1'), 'adopt', 'ops', 'mine');
    expect(t.refusals()).toEqual([
      expect.objectContaining({
        clientOrderId: 'x1',
        resolution: 'adopt',
        refusal: expect.stringMatching(/did not state its side/),
      }),
    ]);
    expect(t.adopted).toEqual([]);
    expect(t.b.quarantine()).toMatch(/orphan order x1/);
    // The operator can still cancel it.
    t.b.resolve(clientOrderId('x1'), 'cancel', 'ops', 'cancel instead');
    expect(t.cancels).toEqual(['x1']);
  });

  it('a detected orphan resolves as before', () => {
    const t = book();
    t.b.seen(report('x2', 'buy'));
    t.b.resolve(clientOrderId('x2'), 'adopt', 'ops', 'ours');
    expect(t.refusals()).toEqual([]);
    expect(t.adopted.map((o) => o.clientOrderId)).toEqual(['x2']);
  });
});

describe('a scenario resolving an orphan before it is detected', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const file = path.join(root, 'scenarios', 'restart-orphan-at-startup.yaml');
  const text = fs.readFileSync(file, 'utf8');

  it('logs the refusal and runs to the end; the orphan is still detected afterwards', () => {
    // The process restarts at PT1M30S and finds the orphan a few ms later: at PT1M30.001S the
    // external order is placed (so validation accepts the action) but not yet detected.
    const early = text.replace('- { at: PT5M, kind: resolve_orphan', '- { at: PT1M30.001S, kind: resolve_orphan');
    expect(early).not.toBe(text);
    const entries: LogEntry[] = [];
    const r = runScenario(parseScenario(early, file), { onEntry: (e) => entries.push(e) });
    const kinds = entries.map((e) => e.event.kind);
    const refusal = kinds.indexOf('OrphanResolutionRefused');
    expect(refusal).toBeGreaterThan(-1);
    expect(kinds.indexOf('OrphanDetected')).toBeGreaterThan(refusal);
    expect(r.reconciliation.orphansDetected).toBe(1);
    expect(r.reconciliation.orphansResolved).toBe(0);
    expect(r.simulatedMs).toBe(600_000);
  });
});
