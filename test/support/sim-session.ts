// A real service session on the sandbox session file's simulated venue, in this process, over a
// scratch store (removed after the test file's tests), and a TWAP submitted as the HTTP routes
// submit it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parentOrderId } from '../../src/core/model/ids.ts';
import { inProcessVenueOptions } from '../../src/gateway/in-process-venue.ts';
import type { CommandResult } from '../../src/node/node-commands.ts';
import { openSession, type ServiceSession } from '../../src/runtime/session-root.ts';
import { simulatedScenario } from '../../src/scenario/load-scenario.ts';
import { loadSessionFile } from '../../src/scenario/session-file.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { RunStore } from '../../src/store/run-store.ts';
import { afterEveryFile } from './file-hooks.ts';

export const SESSION_FILE = 'scenarios/session/sandbox-btcusdt.yaml';

const scratchDirs: string[] = [];
afterEveryFile(() => {
  for (const d of scratchDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A new sim session of the sandbox file (or `sessionFile`) over a store in a scratch file (its
 *  path beside it). */
export async function openSimSession(
  sessionFile = SESSION_FILE,
): Promise<{ session: ServiceSession; store: RunStore; file: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-session-'));
  scratchDirs.push(dir);
  const file = path.join(dir, 'session.db');
  const store = new RunStore(openDatabase(file));
  const loaded = loadSessionFile(sessionFile);
  const session = await openSession(loaded, {
    store,
    venue: inProcessVenueOptions(simulatedScenario(loaded.loaded)),
  });
  return { session, store, file };
}

/** Submits a market TWAP buy of `lots` in `slices` slices over `durationMs`. */
export function submitTwap(
  session: ServiceSession,
  id: string,
  lots: number,
  slices: number,
  durationMs: number,
): Promise<CommandResult> {
  return session.submit({
    kind: 'SubmitParent',
    request: {
      parentId: parentOrderId(id),
      side: 'buy',
      qty: lots,
      type: 'market',
      tif: 'IOC',
      route: 'twap',
      twap: {
        durationMs,
        sliceCount: slices,
        unfilled: 'carry',
        stops: { maxSpread: 0.005, maxPriceDeviation: 0.01, minLiquidity: 0 },
      },
      source: 'http',
    },
    confirmations: [],
    confirmedBy: null,
  });
}
