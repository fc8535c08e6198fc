// How the command says why it stopped: a misuse of it with its usage lines, a refusal of what it
// was asked (a session another server runs, a venue it cannot reach) in one line, both exit 2;
// anything else is a bug and is thrown on with its stack.
import { describe, expect, it } from 'vitest';
import { SessionRefused } from '../runtime/session-root.ts';
import { VenueUnavailable } from '../runtime/paper-run.ts';
import { failure, UsageError } from './main.ts';

function said(err: unknown): { code: number; lines: string[] } {
  const lines: string[] = [];
  const code = failure(err, { out: () => {}, err: (t: string) => void lines.push(...t.split('\n')) } as never);
  return { code, lines };
}

describe('failure', () => {
  it('a refusal is one line without the usage; a misuse has the usage after it', () => {
    expect(said(new SessionRefused('session "s" is running: run r is written by process 1 on h'))).toEqual({
      code: 2,
      lines: ['execsim: session "s" is running: run r is written by process 1 on h'],
    });
    expect(said(new VenueUnavailable('cannot reach the venue at http://127.0.0.1:1: refused'))).toEqual({
      code: 2,
      lines: ['execsim: cannot reach the venue at http://127.0.0.1:1: refused'],
    });
    const usage = said(new UsageError('--port: "x" is not a whole number', 'usage: execsim serve [--port N]'));
    expect(usage).toEqual({
      code: 2,
      lines: ['execsim: --port: "x" is not a whole number', 'usage: execsim serve [--port N]'],
    });
  });

  it('throws anything else on: a bug shows its stack', () => {
    const bug = new TypeError('x is not a function');
    expect(() => said(bug)).toThrow(bug);
  });
});
