// A venue lives in its folders: src/live/<venue>/, src/gateway/<venue>/ and its rules file in
// src/core/venues/, each listed by one line of its registry. This guard reads every source file
// of src/ outside those folders for a vendor's name in code (comments may name one as an example)
// and fails on any, but for the registries and the allowed files below, each with why.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** The vendors execsim ships; a venue added later adds its name here. */
const VENDOR = /alpaca|binance/i;

/** The venues' own folders and rules files. */
const VENUE_HOME = /^src\/(live|gateway)\/(alpaca|binance)\/|^src\/core\/venues\/(alpaca|binance)-[a-z-]+\.ts$/;

/** Each names a venue on its import and in its one list line. */
const REGISTRIES = [
  'src/core/venues/registered-venue-rules.ts',
  'src/live/registered-venues.ts',
  'src/gateway/registered-gateways.ts',
];

/** Shared files that name a vendor, and why that is no venue's knowledge in a shared place. */
const ALLOWED: ReadonlyArray<readonly [prefix: string, why: string]> = [
  ['src/sim/replay/', "recorded market data in Binance's message format, replayed by the simulator: a data format"],
  ['src/sim/market/replay-', "the replay market model over that data format's messages"],
  ['src/scenario/build-replay.ts', "builds the replay market from that data format's file"],
  ['src/scenario/market-schema.ts', "the replay market's `format:` names that data format (binance-spot)"],
  ['src/cli/record-', 'execsim record records the market streams that data format is made of, from Binance by default'],
  ['src/scenario/replay-formats.ts', 'names the data formats a replay reads (binance-raw, binance-archive)'],
  ['src/scenario/tardis-source.ts', "reads Tardis's files into the replay's messages, which are in that data format"],
  [
    'src/scenario/archive-source.ts',
    "reads Binance's public trade archives (a data format) into the replay's messages",
  ],
  ['src/scenario/imported-replay-source.ts', 'picks the replay source by the data format a scenario names'],
  ['src/scenario/import-recording.ts', 'converts the data formats a replay reads into its raw recording format'],
  ['src/cli/data-import-command.ts', 'the import command names the data formats it converts (--from binance-archive)'],
  ['src/cli/usage.ts', "the CLI's usage lists those formats for data import (--from binance-archive)"],
];

function sources(dir = 'src'): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = `${dir}/${d.name}`;
    if (d.isDirectory()) return sources(path);
    return d.name.endsWith('.ts') && !d.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The lines of `source` that name a vendor in code: comments (whole-line and trailing) are left out. */
export function vendorLines(file: string, source: string): string[] {
  const out: string[] = [];
  source.split('\n').forEach((line, i) => {
    if (/^\s*(\/\/|\*|\/\*)/.test(line)) return;
    const code = line.replace(/\s\/\/\s.*$/, '');
    if (VENDOR.test(code)) out.push(`${file}:${i + 1}: ${line.trim()}`);
  });
  return out;
}

const shared = (file: string) =>
  !VENUE_HOME.test(file) && !REGISTRIES.includes(file) && !ALLOWED.some(([p]) => file.startsWith(p));

describe('a venue lives in its folders', () => {
  it('no shared source file names a vendor in code', () => {
    const found = sources()
      .filter(shared)
      .flatMap((f) => vendorLines(f, readFileSync(f, 'utf8')));
    expect(found, "move it into the venue's folder, or ask a registry by the venue's name").toEqual([]);
  });

  it('a registry names the venues only in its imports and its one list line', () => {
    for (const file of REGISTRIES) {
      const lines = vendorLines(file, readFileSync(file, 'utf8'));
      expect(lines.filter((l) => /: import /.test(l)).length, file).toBeGreaterThan(0);
      expect(
        lines.filter((l) => !/: import /.test(l)),
        file,
      ).toHaveLength(1);
    }
  });

  it('the guard catches a vendor named in code, not in a comment', () => {
    expect(vendorLines('src/x.ts', "if (venue === 'binance-spot') return 1;")).toHaveLength(1);
    expect(vendorLines('src/x.ts', "import { ALPACA_EQUITIES } from './alpaca-equities.ts';")).toHaveLength(1);
    expect(vendorLines('src/x.ts', '// Binance answers -2011 here')).toEqual([]);
    expect(vendorLines('src/x.ts', ' * as Alpaca does')).toEqual([]);
    expect(vendorLines('src/x.ts', "const n = 1; // Binance's limit")).toEqual([]);
    expect(shared('src/live/binance/binance-convert.ts')).toBe(false);
    expect(shared('src/core/venues/alpaca-equities.ts')).toBe(false);
    expect(shared('src/live/report-sink.ts')).toBe(true);
    expect(shared('src/core/venues/venue-rules.ts')).toBe(true);
  });

  it('every allowed file still names a vendor (a stale allowance hides nothing)', () => {
    for (const [prefix] of ALLOWED) {
      const files = sources().filter((f) => f.startsWith(prefix));
      const named = files.filter((f) => vendorLines(f, readFileSync(f, 'utf8')).length > 0);
      expect(named.length, prefix).toBeGreaterThan(0);
    }
  });
});
