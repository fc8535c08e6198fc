// Preloaded with `node --import` (test/cli/cli-store-commands-load.test.ts): registers a module
// hook that appends the URL of every file module the process loads, one per line, to the file
// EXECSIM_LOADED_MODULES names.
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(
    "import { appendFileSync } from 'node:fs';" +
      'export async function load(url, context, next) {' +
      "  if (url.startsWith('file:')) appendFileSync(process.env.EXECSIM_LOADED_MODULES, url + '\\n');" +
      '  return next(url, context);' +
      '}',
  )}`,
);
