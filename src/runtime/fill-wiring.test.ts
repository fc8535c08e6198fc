import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../scenario/load-scenario.ts';
import type { Scenario } from '../scenario/schema.ts';
import { fillWiring } from './fill-wiring.ts';

describe('fillWiring', () => {
  const loaded = loadScenarioFile(new URL('../../scenarios/twap-calm.yaml', import.meta.url).pathname).scenario;

  it('gives a loaded scenario the same config on every path, parsed once', () => {
    const first = fillWiring(loaded)?.config;
    expect(first).toBeDefined();
    expect(fillWiring(loaded)?.config).toBe(first);
  });

  it('parses a scenario that can still change afresh: a changed field is seen', () => {
    const s = structuredClone(loaded) as Scenario & { fillDetection: { timeoutMs: number } };
    s.fillDetection.timeoutMs = 45_000;
    expect(fillWiring(s)?.config.timeoutMs).toBe(45_000);
    s.fillDetection.timeoutMs = 50_000;
    expect(fillWiring(s)?.config.timeoutMs).toBe(50_000);
  });
});
