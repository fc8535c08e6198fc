import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../core/model/events.ts';
import { makeInstrument } from '../../core/model/instrument.ts';
import { LivePrinter } from './live-printer.ts';
import { RunWatch } from './run-watch.ts';

const BTC = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });
const started: LogEntry = {
  seq: 1,
  time: 0,
  event: { kind: 'RunStarted', scenario: 'x', symbol: 'BTCUSDT', startTime: 0 },
};
const gate: LogEntry = {
  seq: 2,
  time: 1,
  event: { kind: 'StartupGateChanged', state: 'ready', actor: 'system', reason: 'reconciled' },
};

function printer(tty: boolean) {
  const lines: string[] = [];
  const drawn: string[] = [];
  const p = new LivePrinter(new RunWatch([BTC]), {
    line: (t) => void lines.push(t),
    tty: tty ? { write: (t) => void drawn.push(t), columns: 60 } : null,
    statusEveryMs: 0,
  });
  return { p, lines, drawn };
}

describe('the live printer', () => {
  it('off a terminal: event lines and the status as plain lines, nothing drawn', () => {
    const { p, lines } = printer(false);
    p.entry(started);
    p.tick();
    p.entry(gate);
    expect(lines[0]).toMatch(/run started: x on BTCUSDT$/);
    expect(lines[1]).toMatch(
      /^status \d+\.\d s: position BTCUSDT 0; parents 0 working, children 0 working; fills 0; net 0$/,
    );
    expect(lines[2]).toMatch(/readiness: ready \(system\): reconciled$/);
  });

  it('on a terminal: the status redrawn in place, cleared for each event line and drawn again, cut to the width', () => {
    const { p, lines, drawn } = printer(true);
    p.tick();
    expect(drawn).toHaveLength(1);
    expect(drawn[0]?.startsWith('\rstatus ')).toBe(true);
    expect(drawn[0]?.length).toBeLessThanOrEqual(60);
    p.entry(gate);
    // Cleared (blanks, then back to the line's start), the line written, the status drawn again.
    expect(drawn[1]).toMatch(/^\r +\r$/);
    expect(lines).toHaveLength(1);
    expect(drawn[2]?.startsWith('\rstatus ')).toBe(true);
    p.stop();
    expect(drawn.at(-1)).toMatch(/^\r +\r$/);
    // An entry without a line draws nothing.
    const before = drawn.length;
    p.entry({ seq: 3, time: 2, event: { kind: 'SignalExecuted', fingerprint: 'f', at: 2 } });
    expect(drawn).toHaveLength(before);
  });

  it('a fault in a line stops the lines once, never the run that writes the entries', () => {
    const { p, lines } = printer(false);
    p.entry(started);
    // A parent created twice: the watch's ledger throws; the printer says so once and goes quiet.
    const parent: LogEntry = {
      seq: 2,
      time: 1,
      event: {
        kind: 'ParentOrderCreated',
        parentId: 'p' as never,
        symbol: 'BTCUSDT',
        side: 'buy',
        qty: 1,
        type: 'market',
        tif: 'IOC',
        limitPrice: null,
        totalSlices: 1,
        route: 'single',
        arrivalBid: null,
        arrivalAsk: null,
        source: 'x',
      },
    };
    p.entry(parent);
    expect(() => p.entry({ ...parent, seq: 3 })).not.toThrow();
    p.entry({ ...parent, seq: 4 });
    p.tick();
    expect(lines.filter((l) => l.startsWith('execsim: progress lines stopped'))).toHaveLength(1);
    expect(lines.at(-1)).toMatch(/^execsim: progress lines stopped: .*created twice/);
  });
});
