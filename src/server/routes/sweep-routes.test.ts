import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { shownScenarioFile } from './sweep-routes.ts';

describe("a stored sweep's scenario file over HTTP", () => {
  const dir = path.resolve('/srv/execsim/scenarios');

  it('is its name within the scenarios directory, subfolders included', () => {
    expect(shownScenarioFile(path.join(dir, 'twap-calm.yaml'), dir)).toBe('twap-calm.yaml');
    expect(shownScenarioFile(path.join(dir, '(request).yaml'), dir)).toBe('(request).yaml');
    expect(shownScenarioFile(path.join(dir, 'paper', 'aapl.yaml'), dir)).toBe('paper/aapl.yaml');
  });

  it('is its base name alone outside it, never a path of the server', () => {
    expect(shownScenarioFile('/home/quant/private/desk.yaml', dir)).toBe('desk.yaml');
    expect(shownScenarioFile(path.join(dir, '..', 'secrets', 'x.yaml'), dir)).toBe('x.yaml');
    expect(shownScenarioFile('/srv/execsim/scenarios-old/a.yaml', dir)).toBe('a.yaml');
  });
});
