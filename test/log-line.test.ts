// The writer thread gets canonical lines and parses only the payloads the projections read
// (log-line.ts): for every bundled scenario the writer thread may store (a run without restarts),
// the order ledger folded from the lines as the writer reads them is the one folded from the log.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalLine } from '../src/core/log/event-log.ts';
import type { LogEntry } from '../src/core/model/events.ts';
import { OrderLedger } from '../src/core/order/order-ledger.ts';
import { runScenario } from '../src/runtime/backtest-run.ts';
import { entryOfLine, PARSED_KINDS } from '../src/runtime/log-line.ts';
import { loadScenarioFile } from '../src/scenario/load-scenario.ts';

const files = readdirSync('scenarios').filter((f) => f.endsWith('.yaml'));

const state = (l: OrderLedger) => ({
  orders: l.orders,
  parents: l.parents,
  orphans: l.orphans,
  position: l.position,
  cash: l.cash,
  baseline: l.baseline,
});

describe('a log line as the writer thread reads it', () => {
  it('gives the seq, time and kind of its entry, and the payload of every kind the projections fold', () => {
    const kinds = new Set<string>();
    let checked = 0;
    for (const file of files) {
      const loaded = loadScenarioFile(`scenarios/${file}`);
      if (loaded.scenario.restarts.length > 0) continue;
      const entries: LogEntry[] = [];
      runScenario(loaded, { onEntry: (entry) => entries.push(entry) });
      const fromLog = new OrderLedger();
      const fromLines = new OrderLedger();
      for (const entry of entries) {
        const read = entryOfLine(canonicalLine(entry));
        expect([read.seq, read.time, read.event.kind]).toEqual([entry.seq, entry.time, entry.event.kind]);
        kinds.add(entry.event.kind);
        fromLog.apply(entry);
        fromLines.apply(read);
        expect(fromLines.appliedTrades).toEqual(fromLog.appliedTrades);
      }
      expect(state(fromLines), file).toEqual(state(fromLog));
      expect(fromLines.takeChanged(), file).toEqual(fromLog.takeChanged());
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
    // The bundled scenarios log kinds that are read and kinds that are not.
    expect([...kinds].some((k) => PARSED_KINDS.has(k))).toBe(true);
    expect(kinds.has('MarketSampled') && !PARSED_KINDS.has('MarketSampled')).toBe(true);
  });
});
