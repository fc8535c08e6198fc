// Composition root of a service session: opens the session a file describes, resuming its
// unfinished run (session-store-choice.ts says which) or starting a new stored run (mode
// 'session'), over a connected venue: the session file's simulated venue in this process (sim
// mode) or a venue's paper account through its adapter (paper mode). The session itself, a live
// process answering HTTP commands and queries, is src/host/service-session.ts.
import { randomUUID } from 'node:crypto';
import { runId as toRunId } from '../core/model/ids.ts';
import { paperRefusal } from '../live/venue-registry.ts';
import type { LoadedSession } from '../scenario/session-file.ts';
import { codeVersion } from '../store/code-version.ts';
import { localLiveness } from '../store/run-state.ts';
import { connectVenue } from '../host/connect-venue.ts';
import { LiveProcess, type LiveOptions } from '../host/live-process.ts';
import { ServiceSession, type SessionOptions } from '../host/service-session.ts';
import { SessionRefused, sessionRunToContinue } from '../host/session-store-choice.ts';
import { algorithmCodes } from '../host/changed-code.ts';

export { ServiceSession, type SessionOptions } from '../host/service-session.ts';
export { SessionRefused } from '../host/session-store-choice.ts';

/**
 * Opens the session a file describes: resumes its unfinished paper run, or starts a new run.
 * Throws SessionRefused (nothing started), VenueUnavailable (nothing stored), or what the
 * venue's adapter throws.
 */
export async function openSession(file: LoadedSession, options: SessionOptions): Promise<ServiceSession> {
  const { store } = options;
  const loaded = file.loaded;
  const name = loaded.scenario.name;
  const refusal = file.mode === 'paper' ? paperRefusal(loaded.scenario) : null;
  if (refusal !== null) throw new SessionRefused(`${loaded.file}: venue.name: ${refusal}`);
  const resume = sessionRunToContinue(store, file);
  const warn = options.warn ?? (() => {});
  let session: ServiceSession;
  const holder: { s: ServiceSession | null } = { s: null };
  const liveOptions: LiveOptions = {
    store,
    ...options.venue,
    ...(options.clock ? { clock: options.clock } : {}),
    warn,
    ...(options.note ? { note: options.note } : {}),
    onEntry: (entry) => holder.s?.noteEntry(entry),
    ...(options.preflightTimeoutMs !== undefined ? { preflightTimeoutMs: options.preflightTimeoutMs } : {}),
    ...(options.streamWaitMs !== undefined ? { streamWaitMs: options.streamWaitMs } : {}),
  };
  if (resume !== null) {
    const id = resume.id;
    const entries = [...store.entries(id)];
    const connected = await connectVenue(loaded, liveOptions, id);
    try {
      store.claimRun(id, localLiveness(), 'session');
    } catch (err) {
      await connected.venue.stop();
      throw err;
    }
    const started = entries.find((e) => e.event.kind === 'RunStarted');
    const start = started?.event.kind === 'RunStarted' ? started.event.startTime : resume.sim_start;
    session = new ServiceSession(
      new LiveProcess(connected, liveOptions, toRunId(id), start, entries),
      file.mode,
      true,
      options,
    );
  } else {
    const id = toRunId(`session-${randomUUID()}`);
    const connected = await connectVenue(loaded, liveOptions, id);
    const start = connected.clock.now();
    store.createRun({
      id,
      scenarioName: name,
      scenarioHash: loaded.hash,
      scenarioJson: loaded.canonical,
      seed: loaded.scenario.seed,
      codeVersion: codeVersion(),
      startedAt: new Date(start).toISOString(),
      simStart: start,
      mode: 'session',
      algorithmCodes: algorithmCodes(loaded),
    });
    session = new ServiceSession(new LiveProcess(connected, liveOptions, id, start, null), file.mode, false, options);
  }
  holder.s = session;
  await session.begin();
  return session;
}
