// The simulated market and venue as they were before generated markets kept their book as a grid
// (synthetic-model.ts, almgren-chriss-model.ts, market-model.ts, book-matcher.ts,
// sim-exchange.ts, sim-venue.ts, venue-queries.ts, build-venue.ts: copies of the previous
// implementation, with imports pointed back at src/ for everything that did not change). A
// benchmark or test runs it through runScenario({ buildVenue: referenceBuildVenue }) to compare
// the two implementations side by side: same scenario, same seed, same event log expected. A
// change of behaviour is made in both (a level our trades emptied is not published as the top).
import type { buildVenue } from '../../src/scenario/build-venue.ts';
import { buildVenue as buildReferenceVenue } from './build-venue.ts';

/** buildVenue of the reference implementation (its venue and exchange are the previous classes,
 *  which the run uses through the same ports). */
export const referenceBuildVenue = buildReferenceVenue as unknown as typeof buildVenue;
