// The command that continues an interrupted paper run, as the interrupt line, `execsim runs` and
// `execsim show` print it; apart from resume-help.ts so that the store commands load no venue
// adapter's registry entry.
import { storedVenueUrl } from '../store/stored-venue-url.ts';

/** The command that continues an interrupted paper run, with what it ran with: its database, its
 *  venue's URL and its market hours (a resume without them would look in ./data, trade on the
 *  venue's real paper API, or wait for the venue's next open). A run stored before its URL was
 *  (null) gets no --venue-url, and a note saying to add it. */
export function resumeCommandLine(
  runId: string,
  run: {
    readonly db: string;
    readonly venueUrl: string | null;
    readonly marketHours: 'venue' | 'always' | null;
  },
): string {
  const hours = run.marketHours === 'always' ? ' --market-hours always' : '';
  const command = `execsim resume ${runId} --db ${shellWord(run.db)}`;
  // As the store keeps it: a user:password@ part given in the URL is not printed back.
  const url = run.venueUrl === null ? null : storedVenueUrl(run.venueUrl);
  return url === null
    ? `${command}${hours} (its venue URL was not stored: add --venue-url with the URL it ran on)`
    : `${command} --venue-url ${shellWord(url)}${hours}`;
}

/** A word a POSIX shell reads back as it is: quoted when it holds anything but safe characters. */
function shellWord(text: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
