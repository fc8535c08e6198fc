import { describe, expect, it } from 'vitest';
import { resumeCommandLine } from './resume-line.ts';

describe('the resume command line', () => {
  it('gives the database, the venue URL and the market hours, quoting what a shell would split', () => {
    expect(
      resumeCommandLine('run-1', { db: '/tmp/my runs/x.db', venueUrl: 'http://127.0.0.1:8080', marketHours: 'always' }),
    ).toBe("execsim resume run-1 --db '/tmp/my runs/x.db' --venue-url http://127.0.0.1:8080 --market-hours always");
    expect(resumeCommandLine('run-1', { db: 'x.db', venueUrl: 'http://h:1', marketHours: 'venue' })).toBe(
      'execsim resume run-1 --db x.db --venue-url http://h:1',
    );
  });

  it('leaves out a user:password@ part of the URL, as the store does', () => {
    const line = resumeCommandLine('run-1', {
      db: 'x.db',
      venueUrl: 'http://me:s3cret@127.0.0.1:9/',
      marketHours: null,
    });
    expect(line).toBe('execsim resume run-1 --db x.db --venue-url http://127.0.0.1:9/');
    expect(line).not.toContain('s3cret');
  });

  it('says to add --venue-url when the run has none stored', () => {
    expect(resumeCommandLine('run-1', { db: 'x.db', venueUrl: null, marketHours: null })).toBe(
      'execsim resume run-1 --db x.db (its venue URL was not stored: add --venue-url with the URL it ran on)',
    );
  });
});
