// vitest global setup: one scratch folder for the whole invocation, under the system's temporary
// folder, made the temporary folder (TMPDIR) of every test worker and every process they start,
// and removed when the invocation ends. What a test leaves in the temporary folder (a folder its
// hooks never reached after a failure, Chromium's profile, a killed process's files) goes with it
// instead of piling up run after run. vitest runs a global setup once per project: the first
// makes the folder, the others find it (nested folders would outgrow the length of a Unix socket's
// path, which Chromium's profile needs).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const MADE = 'EXECSIM_TEST_SCRATCH';

export default function setup(): () => void {
  if (process.env[MADE] !== undefined) return () => {};
  const root = mkdtempSync(path.join(tmpdir(), 'execsim-tests-'));
  process.env[MADE] = root;
  process.env['TMPDIR'] = root;
  return () => rmSync(root, { recursive: true, force: true });
}
