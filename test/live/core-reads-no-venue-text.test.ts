// Core never decides anything by a venue's error code or text: the adapter puts a failure class
// on every failure report (src/core/model/reports.ts FailureClass) and core reads only that. This
// guard reads src/core's source for comparisons and pattern tests on `.code`, `.reason` or
// `.message`, and for regular expressions that match venue error phrases. The few comparisons of
// our own enumerations (zod issue codes, our reasons for ignoring a report, a scenario's expected
// refusal code) are listed with why they are not venue text. Nor does core hold a venue's status
// spellings: a string in src/core that a venue's status tables read as a status must be one of
// our own names (the spellings are read in each venue's folder under src/live/).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FILL_STATUS_OF, FILL_STATUSES } from '../../src/core/fills/fill-status.ts';
import { ALPACA_ORDER_STATUSES, ALPACA_TRADE_EVENTS } from '../../src/live/alpaca/alpaca-statuses.ts';
import { canonicalSpelling, statusOfSpelling } from '../../src/live/binance/binance-status-spelling.ts';

const READS_TEXT = [
  // report.code === '-2011', msg.reason !== 'x'
  /\.(code|reason|message)\s*(===|!==|==|!=)/,
  // '-2011' === report.code
  /(===|!==|==|!=)\s*[A-Za-z_$][\w$.]*\.(code|reason|message)\b/,
  // /unknown order/i.test(msg.reason), text.includes(report.message)
  /\.(test|match|matchAll|includes|startsWith|endsWith|search|indexOf)\([^)]*\.(code|reason|message)\b/,
  // msg.reason.includes('...'), report.code.startsWith('4')
  /\.(code|reason|message)\s*\??\.(test|match|matchAll|includes|startsWith|endsWith|search|indexOf|toLowerCase|toUpperCase)\(/,
  // a regular expression literal with a venue error phrase in it
  /\/[^/\n]*(unknown order|no such order|not found|rate limit|too many|timed? ?out|unavailable|insufficient|not cancel|duplicate)[^/\n]*\/[gimsuy]*/i,
];

/** Comparisons of our own enumerations, not of a venue's words: [file, text on the line]. */
const ALLOWED: ReadonlyArray<readonly [string, string, string]> = [
  ['src/core/config/parse-config.ts', "issue.code === 'unrecognized_keys'", 'a zod issue code (config parsing)'],
  ['src/core/config/parse-config.ts', "i.code !== 'custom'", 'a zod issue code (config parsing)'],
  ['src/core/report/expectations.ts', 's.code === want.code', "a scenario's expected pre-trade denial code"],
  [
    'src/core/report/expectations.ts',
    'failed.message.includes(want.reasonIncludes)',
    "a scenario's expected words in its own strategy's failure (StrategyFailed)",
  ],
  ['src/core/report/recon-metrics.ts', "e.reason !== 'duplicate_trade'", 'our ReportIgnored reason'],
  ['src/core/report/late-fills.ts', "e.reason === 'duplicate_trade'", 'our ReportIgnored reason'],
  ['src/core/report/child-notes.ts', "e.reason === 'stale_answer'", 'our ReportIgnored reason'],
  ['src/core/report/child-notes.ts', '.reason === null', 'our own note of why a child ended'],
];

/** The words the venues' status tables read (Alpaca's, already canonical, and Binance's). */
const ALPACA_WORDS: ReadonlySet<string> = new Set([
  ...Object.keys(ALPACA_ORDER_STATUSES),
  ...Object.keys(ALPACA_TRADE_EVENTS),
]);
const isVenueStatus = (text: string): boolean =>
  statusOfSpelling(text) !== 'unknown' || ALPACA_WORDS.has(canonicalSpelling(text));

/** Our own words that a venue's spelling table also reads as a status, and what they are. */
const OWN_WORDS: ReadonlyMap<string, string> = new Map([
  ...[...Object.keys(FILL_STATUS_OF), ...FILL_STATUSES].map((s) => [s, 'our order or fill status'] as const),
  ['open', 'a transition target (order-status.ts) and a reconciliation read'],
  ['partial', 'a fill-verification claim and a fill result kind'],
  ['fill', "a market sample's trigger"],
]);

/** String literals in `source` (outside comments) that read as a venue status but are not ours. */
function spellings(file: string, source: string): string[] {
  const out: string[] = [];
  source.split('\n').forEach((line, i) => {
    if (/^\s*(\/\/|\*|\/\*)/.test(line)) return;
    for (const m of line.matchAll(/'([^'\\\n]{1,64})'|"([^"\\\n]{1,64})"/g)) {
      const text = m[1] ?? m[2] ?? '';
      if (isVenueStatus(text) && !OWN_WORDS.has(text)) out.push(`${file}:${i + 1}: ${text}`);
    }
  });
  return out;
}

function coreSources(dir = 'src/core'): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return coreSources(path);
    return d.name.endsWith('.ts') && !d.name.endsWith('.test.ts') ? [path] : [];
  });
}

function findings(file: string, source: string): string[] {
  const out: string[] = [];
  source.split('\n').forEach((line, i) => {
    if (/^\s*(\/\/|\*|\/\*)/.test(line)) return; // comments
    if (!READS_TEXT.some((re) => re.test(line))) return;
    if (ALLOWED.some(([f, text]) => f === file && line.includes(text))) return;
    out.push(`${file}:${i + 1}: ${line.trim()}`);
  });
  return out;
}

describe('core reads no venue error text', () => {
  it('no comparison or pattern test on a code, reason or message in src/core', () => {
    const found = coreSources().flatMap((f) => findings(f, readFileSync(f, 'utf8')));
    expect(found, 'classify in the adapter and read the report’s failure class instead').toEqual([]);
  });

  it('the guard catches the ways core used to read venue text', () => {
    for (const bad of [
      "if (report.code === '-2011') return 'not_found';",
      "if ('-2013' === msg.code) lost();",
      'if (NOT_FOUND.test(msg.reason)) retry();',
      "const limited = msg.reason.includes('429');",
      'if (/unknown order|order does not exist/i.test(message)) gone();',
      "if (e.message?.toLowerCase() === 'x') y();",
    ])
      expect(findings('src/core/x.ts', bad), bad).toHaveLength(1);
    expect(findings('src/core/x.ts', "if (msg.failure === 'transient') retry();")).toEqual([]);
  });

  it('the classifier core had (now the live adapter’s) would fail the guard', () => {
    const file = 'src/live/alpaca/alpaca-error-classifier.ts';
    expect(findings(file, readFileSync(file, 'utf8')).length).toBeGreaterThan(5);
  });

  it('no venue status spelling in src/core, only our own status names', () => {
    const found = coreSources().flatMap((f) => spellings(f, readFileSync(f, 'utf8')));
    expect(found, "map the spelling in the venue's adapter (src/live/<venue>/)").toEqual([]);
  });

  it('the spelling guard catches venue spellings and the table core used to hold', () => {
    for (const bad of [
      "if (o.status === 'FILLED') done();",
      'const s = "Partially Filled";',
      "['canceled', 'CANCELED'],",
      "done_for_day: ['done_for_day'],",
    ])
      expect(spellings('src/core/x.ts', bad), bad).not.toEqual([]);
    expect(spellings('src/core/x.ts', "if (o.status === 'filled' || claim === 'partial') done();")).toEqual([]);
    const binance = 'src/live/binance/binance-status-spelling.ts';
    // Binance's table lists our own names beside its words, which the guard lets pass.
    expect(spellings(binance, readFileSync(binance, 'utf8')).length).toBeGreaterThan(0);
  });

  it('every allowed line still exists (a stale allowance hides nothing)', () => {
    for (const [file, text] of ALLOWED) expect(readFileSync(file, 'utf8'), `${file}: ${text}`).toContain(text);
  });
});
