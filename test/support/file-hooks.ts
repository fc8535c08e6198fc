// Hooks a shared support module needs run for every test file that uses it. A module-level
// `afterEach` in a support module registers with whichever file is being collected when the module
// is first evaluated; where files share one module graph per worker (the unit, in-process and
// shared-io projects), the files that import it after that one get no hook at all: what they open
// is never closed. A support module registers here instead, once, and the setup file
// (file-hooks-setup.ts, run for every test file) runs the hooks after each test and after each
// file's tests.
type Hook = () => unknown;

const eachTest: Hook[] = [];
const eachFile: Hook[] = [];

/** Runs `hook` after every test of every file (after the file's own afterEach hooks). */
export function afterEveryTest(hook: Hook): void {
  eachTest.push(hook);
}

/** Runs `hook` after the tests of every file (after the file's own afterAll hooks). */
export function afterEveryFile(hook: Hook): void {
  eachFile.push(hook);
}

/** The setup file's hooks: each registered hook in turn, the first failure thrown after all ran. */
export const runAfterTest = (): Promise<void> => runAll(eachTest);
export const runAfterFile = (): Promise<void> => runAll(eachFile);

async function runAll(hooks: readonly Hook[]): Promise<void> {
  let failure: { err: unknown } | null = null;
  for (const hook of hooks) {
    try {
      await hook();
    } catch (err) {
      failure ??= { err };
    }
  }
  if (failure !== null) throw failure.err;
}
