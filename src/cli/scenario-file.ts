// The scenario file a command is given, read as `execsim run` reads its arguments: a path that
// does not exist is named in one wording by every command (run, sweep, sweep --queue, gateway),
// `<path>: no such file or directory`, before the loader's own checks (a folder, a device, a
// file that cannot be read, its content).
import { statSync } from 'node:fs';
import { loadScenarioSource, ScenarioError, type ScenarioSource } from '../scenario/load-scenario.ts';

/** What every command says of a path that does not exist. */
export const noSuchFile = (path: string): string => `${path}: no such file or directory`;

/** Throws the ScenarioError naming `path` when nothing is there. */
export function requireScenarioPath(path: string): void {
  try {
    statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR')
      throw new ScenarioError(noSuchFile(path));
    // Anything else (a folder that cannot be searched) is the loader's to name.
  }
}

/** The scenario file at `path` with its text (loadScenarioSource), a missing one named as above. */
export function loadScenarioArg(path: string): ScenarioSource {
  requireScenarioPath(path);
  return loadScenarioSource(path);
}
