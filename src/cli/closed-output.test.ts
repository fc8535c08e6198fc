import { describe, expect, it } from 'vitest';
import { endsOnClosedOutput, trading } from './closed-output.ts';

describe('a closed output pipe', () => {
  it('ends a reading command, never one that trades, and `run` only outside its paper runs', async () => {
    for (const command of ['runs', 'show', 'events', 'export', 'sweep', 'data', undefined])
      expect(endsOnClosedOutput(command), String(command)).toBe(true);
    for (const command of ['resume', 'serve', 'gateway', 'record', 'worker'])
      expect(endsOnClosedOutput(command), command).toBe(false);
    expect(endsOnClosedOutput('run')).toBe(true); // a backtest's `| head` ends it
    let during: boolean | null = null;
    let nested: boolean | null = null;
    await trading(async () => {
      during = endsOnClosedOutput('run');
      await trading(async () => {
        nested = endsOnClosedOutput('run');
      });
      expect(endsOnClosedOutput('run')).toBe(false); // the outer paper run still trades
    });
    expect([during, nested, endsOnClosedOutput('run')]).toEqual([false, false, true]);
    // A paper run that fails still ends its trading.
    await expect(trading(() => Promise.reject(new Error('venue gone')))).rejects.toThrow('venue gone');
    expect(endsOnClosedOutput('run')).toBe(true);
  });
});
