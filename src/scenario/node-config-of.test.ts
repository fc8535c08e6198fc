import { describe, expect, it } from 'vitest';
import { makeInstrument } from '../core/model/instrument.ts';
import { loadScenarioFile } from './load-scenario.ts';
import { nodeConfigOf } from './node-config-of.ts';
import type { Scenario } from './schema.ts';

describe('nodeConfigOf', () => {
  const inst = (s: Scenario) => makeInstrument(s.instrument);
  const fills = (s: Scenario) => nodeConfigOf(s, inst(s)).fills;
  const loaded = loadScenarioFile(new URL('../../scenarios/twap-calm.yaml', import.meta.url).pathname).scenario;

  it('gives a loaded scenario the same fill config on every path, parsed once', () => {
    const first = fills(loaded)?.config;
    expect(first).toBeDefined();
    expect(fills(loaded)?.config).toBe(first);
  });

  it('parses a scenario that can still change afresh: a changed field is seen', () => {
    const s = structuredClone(loaded) as Scenario & { fillDetection: { timeoutMs: number } };
    s.fillDetection.timeoutMs = 45_000;
    expect(fills(s)?.config.timeoutMs).toBe(45_000);
    s.fillDetection.timeoutMs = 50_000;
    expect(fills(s)?.config.timeoutMs).toBe(50_000);
  });

  it('maps the safety, routing, retry and reconciliation blocks through their own schemas', () => {
    const c = nodeConfigOf(loaded, inst(loaded));
    expect(c.name).toBe(loaded.name);
    expect(c.venue.id).toBe(loaded.venue.name);
    expect(c.instrument.symbol).toBe(loaded.instrument.symbol);
    expect(c.retry.maxAttempts).toBe(loaded.retry.maxAttempts);
    expect(c.recon.startupTimeoutMs).toBe(300_000);
    expect(c.sampleMs).toBe(loaded.report.sampleMs);
    expect(Object.isFrozen(c.dedup)).toBe(true);
    const off = structuredClone(loaded) as Scenario & { fillDetection: { enabled: boolean } };
    off.fillDetection.enabled = false;
    expect(nodeConfigOf(off, inst(off)).fills).toBeNull();
  });
});
