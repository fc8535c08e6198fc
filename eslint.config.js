// Lint: typescript-eslint recommended everywhere, plus the determinism ban for src/core, src/sim
// and src/node: hidden time, randomness, timers and async code would make runs irreproducible; plus
// the layering of src/ and no import cycles (our own rules, eslint-rules/).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import local from './eslint-rules/index.js';

const determinismMessage =
  'src/core, src/sim and src/node must be deterministic: use the Clock port and the seeded Rng instead';

// No getters or setters in object literals where runs and sweep paths are built: each literal's
// accessors are new closures, so every object gets a hidden class of its own in V8's old
// generation, and that hidden class keeps the closures (and the whole run they capture) alive
// through every young-generation collection until a full one. In a sweep that promoted about
// 100 KB per path (bench/RESULTS.md). A class puts its accessors on the prototype, shared.
const accessorLiteral = {
  selector: 'ObjectExpression > Property[kind=/^(get|set)$/]',
  message:
    'no get/set in an object literal here: its per-object hidden class pins what the accessors capture through young-generation GCs; use a class',
};

// No function literal assigned to a property where runs and sweep paths are built
// (`this.x = () => ...`, `obj.y = function`): V8 allocates such a closure straight into the old
// generation (it takes it for a method), and there it keeps what it captures, the whole run,
// through every young-generation collection after the run has ended; the objects it pins are
// promoted, and V8 then tenures their allocation sites too. One such closure in the quote
// fallback's constructor made a calm sweep promote 137 MB for 2,000 paths instead of 10 MB
// (bench/RESULTS.md). Pass the function to a constructor or a method, or use a class method.
const propertyFunction = {
  selector:
    'AssignmentExpression[left.type="MemberExpression"][right.type=/^(ArrowFunctionExpression|FunctionExpression)$/]',
  message:
    'no function literal assigned to a property here: V8 puts it in the old generation, where it pins what it captures through young-generation GCs; pass it to a constructor or method',
};

// Counts are written with groupedDigits (src/core/model/count-text.ts), never toLocaleString: its
// first call in a process loads ICU's number formatter, about 20 ms of CPU that every `execsim run`
// paid for its usage text (bench/RESULTS.md). The pages' fractions (src/server/pages/format.ts) are
// formatted in the long-lived server.
const localeText = {
  property: 'toLocaleString',
  message: 'write counts with groupedDigits (src/core/model/count-text.ts): toLocaleString loads ICU at its first call',
};

// Layers of src/, checked on resolved paths (eslint-rules/layers.js); each names every layer it
// may import, so a new edge is a decision made here. From the bottom:
//   core      the deterministic heart: itself and a few pure packages (no vendor SDK, no I/O);
//   sim       the simulated venue and markets, built on core;
//   node      the trading node: core's components wired into one process, driven by commands,
//             behind the process boundary (deterministic, like core);
//   store     the SQLite store (its writer thread included): rows in, rows out, on core's types;
//   live      live venue adapters (vendor SDKs, wall clock), on core's ports;
//   strategy  the user's strategy modules: the API they are written against, the host that runs
//             one beside a node on its clock, and the loader (esbuild, node:vm);
//   scenario  scenario files and what they name (recordings, strategy modules) turned into node
//             configs, commands and simulated venues: no run machinery;
//   gateway   venue-compatible servers over the simulated venue;
//   host      what hosts a node around the roots: a backtest's world of processes, the live
//             process on the wall clock and its venue I/O, a service session, run reports;
//   runtime   the composition roots: a backtest, a paper run, a service session;
//   sweep     sweeps, grids, worker-thread pools and the BullMQ queue, over runtime's runs;
//   server    the HTTP API and pages, over the store and sweep's pool, and a service session's node commands;
//   cli       the commands, on top: nothing imports it.
// src/boot holds the plain-JavaScript thread entry points, outside these rules; live may use its
// bundle runner (a package's bundle with a code cache, src/live/package-bundle.ts). Tests may also
// use their test packages and test/support.
const purePackages = ['zod', 'rxjs', '@js-joda/core', '@js-joda/timezone', 'node:crypto'];
const layers = (packages) => ({
  core: { may: ['core'], packages },
  sim: { may: ['core', 'sim'], packages },
  node: { may: ['core', 'node'], packages },
  store: { may: ['core', 'store'] },
  live: { may: ['core', 'live', 'boot'] },
  strategy: { may: ['core', 'node', 'strategy'] },
  scenario: { may: ['core', 'sim', 'node', 'strategy', 'scenario'] },
  gateway: { may: ['core', 'sim', 'scenario', 'gateway'] },
  host: { may: ['core', 'sim', 'node', 'store', 'live', 'strategy', 'scenario', 'host'] },
  runtime: { may: ['core', 'sim', 'node', 'store', 'live', 'strategy', 'scenario', 'host', 'runtime'] },
  sweep: { may: ['core', 'store', 'scenario', 'runtime', 'sweep'] },
  server: { may: ['core', 'node', 'store', 'scenario', 'sweep', 'server'] },
  cli: { may: ['core', 'store', 'live', 'scenario', 'gateway', 'runtime', 'sweep', 'server', 'cli'] },
});

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'coverage/', 'dist/', 'dist.*/', 'types/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
      // Prettier wraps code at 120; strings, template literals and regular expressions it cannot
      // break are the only longer lines.
      'max-len': [
        'error',
        { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true },
      ],
    },
  },
  {
    // The pages' browser script: a classic script over uPlot's global, no modules.
    files: ['src/server/pages/static/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { document: 'readonly', window: 'readonly', fetch: 'readonly', uPlot: 'readonly' },
    },
  },
  { plugins: { local } },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    rules: {
      'local/layers': ['error', { layers: layers(purePackages) }],
      'local/no-cycle': ['error', { allow: [] }],
    },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    ignores: ['**/*.test.ts', 'src/server/pages/format.ts'],
    rules: { 'no-restricted-properties': ['error', localeText] },
  },
  {
    files: ['src/**/*.test.ts'],
    rules: {
      'local/layers': [
        'error',
        { layers: layers([...purePackages, 'vitest', 'fast-check']), outside: ['test/support'] },
      ],
    },
  },
  {
    // Strategies too (the bundled examples, and src/strategy's host), but not the guard that
    // takes those globals away from them, nor the loader and its bundler (file system, esbuild).
    files: [
      'src/core/**/*.ts',
      'src/sim/**/*.ts',
      'src/node/**/*.ts',
      'src/strategy/**/*.ts',
      'scenarios/strategies/**/*.ts',
    ],
    ignores: [
      '**/*.test.ts',
      'src/strategy/wall-clock-guard.ts',
      'src/strategy/load-strategy.ts',
      'src/strategy/strategy-bundle.ts',
    ],
    rules: {
      'no-restricted-globals': [
        'error',
        ...[
          'setTimeout',
          'setInterval',
          'setImmediate',
          'clearTimeout',
          'clearInterval',
          'clearImmediate',
          'queueMicrotask',
          'Promise',
          'performance',
          'process',
        ].map((name) => ({ name, message: determinismMessage })),
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: determinismMessage },
        { object: 'Math', property: 'random', message: determinismMessage },
        { object: 'performance', property: 'now', message: determinismMessage },
        { object: 'crypto', property: 'randomUUID', message: determinismMessage },
        localeText,
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'NewExpression[callee.name="Date"][arguments.length=0]', message: determinismMessage },
        { selector: 'CallExpression[callee.name="Date"]', message: determinismMessage },
        { selector: 'FunctionDeclaration[async=true]', message: determinismMessage },
        { selector: 'FunctionExpression[async=true]', message: determinismMessage },
        { selector: 'ArrowFunctionExpression[async=true]', message: determinismMessage },
        { selector: 'AwaitExpression', message: determinismMessage },
        { selector: 'ForOfStatement[await=true]', message: determinismMessage },
        { selector: 'MemberExpression[property.name="then"]', message: determinismMessage },
        accessorLiteral,
        propertyFunction,
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'node:timers', message: determinismMessage },
            { name: 'node:timers/promises', message: determinismMessage },
            { name: 'node:fs', message: 'src/core, src/sim and src/node do no I/O' },
            { name: 'node:fs/promises', message: 'src/core, src/sim and src/node do no I/O' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/host/**/*.ts', 'src/runtime/**/*.ts', 'src/sweep/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-syntax': ['error', accessorLiteral, propertyFunction] },
  },
);
