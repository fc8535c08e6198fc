// The symbols cell of `execsim runs`: every symbol named up to SHOWN, the rest counted, the first
// always named, nothing that splits a row into more columns.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SHOWN, symbolsCell } from './symbols-cell.ts';

const symbol = fc.stringMatching(/^[A-Z0-9./-]{1,20}$/);

describe('symbolsCell', () => {
  it('names the first symbols, counts the rest, and stays one column', () => {
    fc.assert(
      fc.property(fc.array(symbol, { minLength: 1, maxLength: 12, size: 'max' }), (symbols) => {
        const cell = symbolsCell(symbols);
        expect(cell).not.toMatch(/\s/);
        expect(cell.startsWith(symbols[0] as string)).toBe(true);
        const named = symbols.slice(0, SHOWN).join(',');
        expect(cell).toBe(symbols.length > SHOWN ? `${named}(+${symbols.length - SHOWN})` : named);
      }),
    );
  });

  it('shows a run without a symbol as -, and a blob as SQL writes one', () => {
    expect(symbolsCell([])).toBe('-');
    expect(symbolsCell(['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT'])).toBe('BTCUSDT,ETHUSDT(+2)');
    expect(symbolsCell([Buffer.from([0, 255])])).toBe("x'00ff'");
  });
});
