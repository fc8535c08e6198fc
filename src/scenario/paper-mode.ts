// What a scenario means as a paper run: the same file runs as a backtest or against a venue's paper
// account, so the sections describing the simulated world are ignored with one warning each rather
// than refused (the switch is one flag). What stays, and what a paper-only file may leave out:
// docs/0070-store-service-and-cli-notes.md#srcscenariopaper-modets.
import { canonicalJson } from '../core/log/canonical-json.ts';
import { simulatedVenueDefaults, type ScenarioFile } from './schema.ts';

/** The simulated venue's own settings: a real venue has its own. */
const SIMULATED_VENUE_FIELDS = ['latency', 'queue', 'fees', 'fillOnTouch', 'clockSkewMs'] as const;

/** One line per section a paper run ignores, naming it and why. */
export function paperWarnings(s: ScenarioFile): string[] {
  const w: string[] = [];
  const ignored = (field: string, why: string, are = false) =>
    w.push(`${field} ${are ? 'are' : 'is'} ignored in a paper run: ${why}`);
  // A paper-only file leaves them out (schema.ts): nothing to warn of then.
  if (s.market !== undefined) ignored('market', 'prices, depth and trades come from the venue');
  // The further instruments trade on the venue's markets from the account's own holdings.
  const simulated = s.otherInstruments.filter((o) => o.market !== undefined || Number(o.base) !== 0);
  if (simulated.length > 0)
    ignored(
      `otherInstruments' market and base (${simulated.map((o) => o.symbol).join(', ')})`,
      "each symbol's prices come from the venue and its position is the account's",
      true,
    );
  if (s.start !== undefined)
    ignored('start', "orders' and signals' at: times count from the run's start on the wall clock");
  if (s.faults.length > 0)
    ignored('faults', "the venue's own failures are the faults (kill the process and resume to test a crash)");
  if (s.restarts.length > 0) ignored('restarts', 'crash the process for real (kill -9) and run execsim resume');
  if (s.externalOrders.length > 0) ignored('externalOrders', 'other traders are real');
  // The simulated venue's settings the file changes from their defaults (a file that states
  // none has nothing ignored to hear about).
  const defaults = simulatedVenueDefaults(s.venue.name);
  const changed = SIMULATED_VENUE_FIELDS.filter((k) => canonicalJson(s.venue[k]) !== canonicalJson(defaults[k]));
  if (changed.length > 0)
    ignored(
      changed
        .map((k, i) => (i === 0 ? `venue.${k}` : k))
        .join(', ')
        .replace(/, ([^,]*)$/, ' and $1'),
      "the venue's own latency, matching, fees and clock apply",
      changed.length > 1,
    );
  if (s.venue.account !== undefined)
    ignored('venue.account', "the paper account's own position and cash are the run's baseline");
  if (s.liquidity?.adv !== undefined && Object.keys(s.liquidity.adv).length > 0)
    ignored('liquidity.adv', "the average daily volume is read from the venue's daily bars");
  return w;
}
