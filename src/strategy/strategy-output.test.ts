import { describe, expect, it } from 'vitest';
import { makeInstrument } from '../core/model/instrument.ts';
import { OutputError, toCommand } from './strategy-output.ts';

const inst = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.001', minNotional: '5' });
const make = (raw: unknown) =>
  toCommand(
    raw,
    'test',
    () => 'sig-1',
    () => inst,
  );
const signalOf = (raw: unknown) => {
  const c = make(raw).command;
  if (c.kind !== 'EmitSignal') throw new Error('not a signal');
  return c.signal;
};
const refusal = (raw: unknown): string => {
  try {
    make(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(OutputError);
    return (err as Error).message;
  }
  throw new Error('accepted');
};

describe("a strategy signal's execution algorithm", () => {
  it('becomes the trajectory its parent follows, in lots where it names a quantity', () => {
    expect(signalOf({ side: 'buy', qty: 1, algo: { kind: 'vwap' } }).trajectory).toEqual({ kind: 'vwap' });
    expect(
      signalOf({ side: 'buy', qty: 1, algo: { kind: 'is', urgency: 0.1, volatility: 0.02, impact: 0.001 } }).trajectory,
    ).toEqual({ kind: 'almgren-chriss', urgency: 0.1, volatility: 0.02, impact: 0.001 });
    expect(
      signalOf({ side: 'sell', qty: '2', algo: { kind: 'pov', rate: 0.05, minChildQty: '0.01', end: 'stop' } })
        .trajectory,
    ).toEqual({ kind: 'pov', rate: 0.05, maxRate: null, minChildQty: 10, end: 'stop' });
    const twap = signalOf({ side: 'buy', qty: 1, algo: { kind: 'twap' } });
    expect(twap.trajectory).toBeUndefined();
    expect(signalOf({ side: 'buy', qty: 1 }).trajectory).toBeUndefined();
  });

  it('is refused at the field at fault, by the planner’s own rules', () => {
    expect(refusal({ side: 'buy', qty: 1, algo: { kind: 'pov' } })).toBe('signal.algo.rate: required for kind pov');
    expect(refusal({ side: 'buy', qty: 1, algo: { kind: 'pov', rate: 3 } })).toMatch(/^signal\.algo\.rate: /);
    expect(refusal({ side: 'buy', qty: 1, algo: { kind: 'is', urgency: 1, volatility: 0.1, impact: 0 } })).toMatch(
      /^signal\.algo\.impact: /,
    );
    expect(refusal({ side: 'buy', qty: 1, algo: { kind: 'vwap', profile: [1, -1] } })).toMatch(
      /^signal\.algo\.profile\.1: /,
    );
    expect(refusal({ side: 'buy', qty: 1, algo: { kind: 'sniper' } })).toMatch(/^signal\.algo\.kind: /);
    expect(refusal({ side: 'buy', qty: 1, route: 'single', algo: { kind: 'vwap' } })).toMatch(
      /^signal\.algo: a single-routed signal runs no algorithm/,
    );
  });
});

describe("a strategy signal's algorithm module", () => {
  const declared = { seeker: { params: { takeAt: 300, restQty: 40 } } };
  const withModules = (raw: unknown) =>
    toCommand(
      raw,
      'test',
      () => 'sig-1',
      () => inst,
      declared,
    ).command;
  const refused = (raw: unknown): string => {
    try {
      withModules(raw);
    } catch (err) {
      expect(err).toBeInstanceOf(OutputError);
      return (err as Error).message;
    }
    throw new Error('accepted');
  };

  it('names one the file declares: its parent runs it, the signal’s params over the declared ones', () => {
    const c = withModules({ side: 'buy', qty: 1, algo: { kind: 'module', name: 'seeker', params: { restQty: 10 } } });
    expect(c.kind === 'EmitSignal' && c.signal).toMatchObject({
      algo: { algo: 'module', module: 'seeker', params: { takeAt: 300, restQty: 10 } },
    });
    expect(c.kind === 'EmitSignal' && c.signal.trajectory).toBeUndefined();
  });

  it('is refused at the field at fault: an undeclared name, a path, a built-in’s fields, a placement', () => {
    expect(refused({ side: 'buy', qty: 1, algo: { kind: 'module', name: 'sniper' } })).toBe(
      'signal.algo.name: no algorithm module is named "sniper": the file declares seeker (its algorithms section)',
    );
    expect(refusal({ side: 'buy', qty: 1, algo: { kind: 'module', name: 'seeker' } })).toMatch(
      /^signal\.algo\.name: no algorithm module is named "seeker": the file declares none/,
    );
    expect(refused({ side: 'buy', qty: 1, algo: { kind: 'module' } })).toMatch(
      /^signal\.algo\.name: a module is named/,
    );
    expect(refused({ side: 'buy', qty: 1, algo: { kind: 'module', path: './x.ts' } })).toMatch(/^signal\.algo: /);
    expect(refused({ side: 'buy', qty: 1, algo: { kind: 'module', name: 'seeker', rate: 0.1 } })).toBe(
      'signal.algo.rate: not a field of kind module (name, params)',
    );
    expect(refused({ side: 'buy', qty: 1, algo: { kind: 'vwap', name: 'seeker' } })).toBe(
      'signal.algo.name: only a module has a name',
    );
    expect(
      refused({ side: 'buy', qty: 1, algo: { kind: 'module', name: 'seeker' }, placement: { kind: 'chaser' } }),
    ).toBe('signal.placement: a module places its children itself: leave out placement');
  });
});

describe("a strategy signal's placement", () => {
  it('becomes its parent’s policy, with the defaults of a scenario’s block and quantities in lots', () => {
    expect(signalOf({ side: 'buy', qty: 1, placement: { kind: 'chaser' } }).placement).toEqual({
      kind: 'chaser',
      offsetTicks: 0,
      thresholdTicks: 2,
      everyMs: 2_000,
      maxChases: 10,
    });
    expect(
      signalOf({ side: 'buy', qty: 1, placement: { kind: 'passive-then-cross', crossWhenBehindQty: '0.05' } })
        .placement,
    ).toEqual({ kind: 'passive-then-cross', offsetTicks: 0, crossWhenBehind: { lots: 50 } });
    expect(signalOf({ side: 'buy', qty: 1, placement: { kind: 'passive-then-cross' } }).placement).toEqual({
      kind: 'passive-then-cross',
      offsetTicks: 0,
      crossWhenBehind: { share: 0.05 },
    });
    // How often a working passive child is checked, as a scenario order may say it.
    expect(
      signalOf({ side: 'buy', qty: 1, placement: { kind: 'passive-then-cross', crossWhenBehind: 0.1, everyMs: 500 } })
        .placement,
    ).toEqual({ kind: 'passive-then-cross', offsetTicks: 0, crossWhenBehind: { share: 0.1 }, everyMs: 500 });
    expect(signalOf({ side: 'buy', qty: 1, placement: { kind: 'market' } }).placement).toBeUndefined();
  });

  it('is refused at the field at fault', () => {
    expect(refusal({ side: 'buy', qty: 1, placement: { kind: 'chaser', thresholdTicks: -1 } })).toMatch(
      /^signal\.placement\.thresholdTicks: /,
    );
    expect(refusal({ side: 'buy', qty: 1, placement: { kind: 'chaser', crossWhenBehind: 0.1 } })).toBe(
      'signal.placement.crossWhenBehind: not a field of kind chaser',
    );
    expect(
      refusal({ side: 'buy', qty: 1, placement: { kind: 'passive-then-cross', crossWhenBehindQty: '0.0001' } }),
    ).toMatch(/^signal\.placement\.crossWhenBehindQty: /);
    expect(refusal({ side: 'buy', qty: 1, placement: { kind: 'passive-then-cross', everyMs: 50 } })).toMatch(
      /^signal\.placement\.everyMs: /,
    );
    expect(refusal({ side: 'buy', qty: 1, price: 100, placement: { kind: 'market' } })).toMatch(
      /^signal\.placement\.kind: market places a market order/,
    );
    expect(refusal({ side: 'buy', qty: 1, route: 'single', placement: { kind: 'chaser' } })).toMatch(
      /^signal\.placement: a single-routed signal places no slices/,
    );
  });
});

describe('a refused output', () => {
  it('says what a quantity or price must be, and names the value, instead of "Invalid input"', () => {
    for (const qty of [Number.NaN, Number.POSITIVE_INFINITY, null, true])
      expect(refusal({ side: 'buy', qty })).toBe(
        `signal.qty: must be a positive finite number or a decimal string, not ${String(qty)}`,
      );
    for (const qty of [-1, 0]) expect(refusal({ side: 'buy', qty })).toBe('signal.qty: must be greater than 0');
    expect(refusal({ side: 'buy', qty: '1.2.3' })).toBe('signal.qty: must be a decimal');
    expect(refusal({ side: 'buy', qty: 1, price: Number.NaN })).toMatch(/^signal\.price: must be a positive finite/);
  });

  it('names an unknown field as the field, with the one it most likely meant', () => {
    expect(refusal({ side: 'buy', qty: 1, foo: 2 })).toBe('signal.foo: not a field of a signal');
    expect(refusal({ side: 'buy', qty: 1, sid: 'x' })).toBe('signal.sid: not a field of a signal (did you mean "id"?)');
    expect(refusal({ kind: 'cancel', parentId: 'p1', reasn: 'x' })).toBe(
      'cancel.reasn: not a field of a cancel (did you mean "reason"?)',
    );
  });
});
