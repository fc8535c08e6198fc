// A scenario's timed restarts are refused at load when the run would skip them: timed at or after
// the end of the run, or while another restart has the process down. The property holds the
// check to the run itself: a file loads exactly when every crash it names happens.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../src/scenario/load-scenario.ts';
import { runCrashable } from '../support/crash-run.ts';

const FILE = 'restarts.yaml';

const scenario = (restarts: readonly string[]): string => `name: restarts
seed: 5
venue: { name: binance-spot }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: PT10M
market:
  model: static_book
  bids: [["99.90", "1.000"]]
  asks: [["100.10", "1.000"]]
restarts:
${restarts.map((r) => `  - ${r}\n`).join('')}`;

/** The message parsing the restarts gives, or null when the file loads. */
function refusal(restarts: readonly string[]): string | null {
  try {
    parseScenario(scenario(restarts), FILE);
    return null;
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    return err.message;
  }
}

describe('timed restarts a run would skip are refused at load', () => {
  it('refuses a crash at the end of the run, naming the field', () => {
    expect(refusal(['{ at: PT10M, downtime: PT5S }'])).toBe(
      `${FILE}: restarts[0].at: PT10M is at or after the end of the run (duration PT10M): ` +
        'the process would not crash and restart within the run',
    );
    expect(refusal(['{ between: [PT10M, PT10M], downtime: PT5S }'])).toMatch(
      /^restarts\.yaml: restarts\[0\]\.between: is at the end of the run \(duration PT10M\)/,
    );
    expect(refusal(['{ at: PT9M59.999S, downtime: PT5S }'])).toBeNull();
  });

  it('refuses a crash inside the downtime of an earlier one, naming both and the downtime', () => {
    expect(refusal(['{ at: PT4M, downtime: PT2M }', '{ at: PT5M, downtime: PT10S }'])).toBe(
      `${FILE}: restarts[1].at: PT5M is inside the downtime of restarts[0] (PT4M to PT6M): the process is down ` +
        'then, so the crash would be skipped (a crash at the instant of a restart runs before it)',
    );
    // Listed later in the file but earlier in time: the later crash is the one named.
    expect(refusal(['{ at: PT5M, downtime: PT10S }', '{ at: PT4M, downtime: PT2M }'])).toMatch(
      /restarts\[0\]\.at: PT5M is inside the downtime of restarts\[1\] \(PT4M to PT6M\)/,
    );
    // The instant of the restart is still down; a millisecond later is not.
    expect(refusal(['{ at: PT4M, downtime: PT2M }', '{ at: PT6M, downtime: PT10S }'])).toMatch(/restarts\[1\]\.at/);
    expect(refusal(['{ at: PT4M, downtime: PT2M }', '{ at: PT6M0.001S, downtime: PT10S }'])).toBeNull();
    expect(refusal(['{ at: PT4M, downtime: PT0S }', '{ at: PT4M, downtime: PT10S }'])).toMatch(/restarts\[1\]\.at/);
  });

  it('refuses a window that may draw a crash inside a downtime', () => {
    expect(refusal(['{ at: PT4M, downtime: PT1M }', '{ between: [PT4M30S, PT6M], downtime: PT10S }'])).toMatch(
      /restarts\[1\]\.between: PT4M30S to PT6M may draw a crash inside the downtime of restarts\[0\] \(PT4M to PT5M\)/,
    );
    expect(refusal(['{ between: [PT1M, PT2M], downtime: PT1M }', '{ at: PT2M30S, downtime: PT10S }'])).toMatch(
      /restarts\[1\]\.at: PT2M30S may be inside the downtime of restarts\[0\] \(a crash drawn in PT1M to PT2M, down PT1M after it\)/,
    );
    // A pair is named once, at the crash that starts later.
    expect(refusal(['{ at: PT4M, downtime: PT1M }', '{ between: [PT3M, PT4M30S], downtime: PT10S }'])).toMatch(
      /^restarts\.yaml: restarts\[0\]\.at: PT4M may be inside the downtime of restarts\[1\][^\n]*$/,
    );
    // A window ends before its `to`: its latest crash is a millisecond before it.
    expect(refusal(['{ between: [PT3M, PT3M50S], downtime: PT10S }', '{ at: PT4M, downtime: PT10S }'])).toBeNull();
    expect(refusal(['{ between: [PT3M, PT3M50.001S], downtime: PT10S }', '{ at: PT4M, downtime: PT10S }'])).toMatch(
      /restarts\[1\]\.at/,
    );
    // Crashes after a submit happen only while a process runs: nothing to check at load.
    expect(refusal(['{ at: PT4M, downtime: PT2M }', '{ afterSubmit: 1, downtime: PT10S }'])).toBeNull();
  });

  it('names no restart by an index of the list shortened by an unreadable entry', () => {
    // The checks across fields run again without restarts[0]: its later entries are [0] and [1]
    // there, so an overlap found then would name the wrong entries; it is left for the next load.
    expect(
      refusal(['{ at: soon, downtime: PT5S }', '{ at: PT4M, downtime: PT2M }', '{ at: PT5M, downtime: PT10S }']),
    ).toMatch(/^restarts\.yaml: restarts\[0\]: must be [^\n]*$/);
  });

  it('loads a file exactly when the run makes every crash it names', () => {
    const restart = fc
      .tuple(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 0, max: 40 }))
      .map(([at, down]) => `{ at: PT${at}S, downtime: PT${down}S }`);
    fc.assert(
      fc.property(fc.array(restart, { minLength: 1, maxLength: 4 }), (restarts) => {
        const refused = refusal(restarts);
        const { scenario: s } = parseScenario(scenario([]).replace('restarts:\n', ''), FILE);
        // The run of the same restarts, given to it past the check.
        const withRestarts = { ...s, restarts: restarts.map(parseRestart) };
        const { written } = runCrashable(withRestarts, FILE);
        const restarted = written.filter((e) => e.event.kind === 'ProcessRestarted').length;
        expect(refused === null, refused ?? 'loaded').toBe(restarted === restarts.length);
      }),
      { numRuns: 60 },
    );
  });
});

/** `{ at: PT<a>S, downtime: PT<d>S }` as the parsed restart. */
function parseRestart(text: string): { at: string; downtime: string } {
  const m = /at: (\S+), downtime: (\S+) \}/.exec(text) as RegExpExecArray;
  return { at: m[1] as string, downtime: m[2] as string };
}
