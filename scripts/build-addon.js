// Builds the time-budget addon (native/time-budget: one watchdog thread per isolate that stops a
// strategy call past its budget, src/strategy/time-budget.ts) with node-gyp, against the running
// Node's headers. Runs at `npm install` and `npm ci` (the install script, before the bundle is
// built). Without a compiler, or when node-gyp fails, it says so and exits 0: strategy calls are
// then bounded by vm timeouts (correct, about 0.1 ms a call slower). Plain JavaScript.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const dir = join(root, 'native', 'time-budget');

/** node-gyp: npm's own (npm names it to install scripts), else the one beside this Node's npm. */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(
      dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
  ];
  return candidates.find((c) => c && existsSync(c)) ?? null;
}

/** This Node's own headers when they are installed beside it (node-gyp downloads them otherwise),
 *  unless npm names a folder (its nodedir setting). */
function nodeDir() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = join(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'common.gypi')) ? [`--nodedir=${prefix}`] : [];
}

const gyp = nodeGyp();
const why = (() => {
  if (gyp === null) return 'node-gyp not found';
  const r = spawnSync(process.execPath, [gyp, 'rebuild', '--release', ...nodeDir()], { cwd: dir, encoding: 'utf8' });
  if (r.status === 0) return null;
  const lines = `${r.stderr ?? ''}${r.stdout ?? ''}`.trim().split('\n');
  return `node-gyp exited ${r.status ?? r.signal}: ${lines.slice(-3).join(' | ')}`;
})();
if (why === null) console.log('build-addon: native/time-budget built');
else
  console.warn(
    `build-addon: the time-budget addon was not built (${why}); strategy calls will be bounded by vm timeouts, ` +
      'which are slower: install a C++ compiler, make and python3, then run node scripts/build-addon.js',
  );
