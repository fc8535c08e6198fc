// Types for the test that imports the plugin (test/tooling/lint-rules.test.ts); the rules are plain
// JavaScript because ESLint loads eslint.config.js without a TypeScript loader.
import type { ESLint } from 'eslint';

declare const plugin: ESLint.Plugin;
export default plugin;
