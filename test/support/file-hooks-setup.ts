// vitest setup file: runs the hooks shared support modules registered in file-hooks.ts after each
// test and after each test file's tests, in every file (setup files run once per test file, also
// where files share one module graph).
import { afterAll, afterEach } from 'vitest';
import { runAfterFile, runAfterTest } from './file-hooks.ts';

afterEach(runAfterTest);
afterAll(runAfterFile);
