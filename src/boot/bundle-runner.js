// Runs one CommonJS bundle file with the V8 code cache kept beside it: how dist/'s entries run
// (code-loader.js) and how the packages bundled apart run (ccxt's Binance classes, the Alpaca SDK:
// src/live/package-bundle.ts). Plain JavaScript with no import(), so that it runs before any
// loader and can itself be bundled into dist/.
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { setTimeout } from 'node:timers';
import vm from 'node:vm';
import { threadId } from 'node:worker_threads';

/** How long a thread runs before it writes the code cache it did not find (see runBundle). */
const CACHE_AFTER_MS = 2_000;

/**
 * Runs a bundle (one CommonJS file) as Node's CommonJS loader would, in a module wrapper with a
 * require of its own, and returns its exports; compiled with the V8 code cache kept beside it
 * (`<bundle>.v8cache`), so that the functions an earlier process compiled are not parsed and
 * compiled again. Node 20 keeps no such cache for ES modules or for files it loads itself.
 * `requireFrom`: the file the bundle's require resolves packages from (a file of the package
 * bundled, whose own dependencies may sit in its node_modules), the bundle itself by default.
 *
 * A thread that found no cache, or one V8 refused (another Node version, other V8 flags), writes
 * one when the functions it ran are compiled and in it: as its process exits, or once it has run
 * for CACHE_AFTER_MS (a server, a paper run, a worker thread, which a process ends without an exit
 * of the thread's own), whichever comes first. The first command after a build sets what the later
 * ones skip (scripts/build.js runs one, with EXECSIM_CODE_CACHE=write, which makes a thread write
 * its cache whatever it found). A cache is written whole under a name of its own and
 * renamed into place, so a thread never reads half of one; a dist/ that cannot be written keeps
 * running without.
 */
export function runBundle(file, { requireFrom = file } = {}) {
  const cacheFile = `${file}.v8cache`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // None yet: compiled from the source, and written at exit.
  }
  // Latin-1: the build makes a bundle ASCII only (scripts/build.js), so this is its text, read
  // as a copy of its bytes instead of decoded as UTF-8.
  const script = new vm.Script(Module.wrap(readFileSync(file, 'latin1')), {
    filename: file,
    cachedData,
    // No importModuleDynamically: a script compiled from a code cache loses it on Node 20 (its
    // import() fails with ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING), so the build refuses a bundle
    // that holds an import() (the sources load packages with require; see scripts/build.js).
  });
  if (cachedData === undefined || script.cachedDataRejected || process.env.EXECSIM_CODE_CACHE === 'write') {
    let written = false;
    const write = () => {
      if (written) return;
      written = true;
      writeCodeCache(script, cacheFile);
    };
    process.once('exit', write);
    setTimeout(write, CACHE_AFTER_MS).unref();
  }
  const module = { exports: {}, id: file, filename: file, loaded: false };
  script.runInThisContext()(module.exports, createRequire(requireFrom), module, file, dirname(file));
  module.loaded = true;
  return module.exports;
}

function writeCodeCache(script, cacheFile) {
  const tmp = `${cacheFile}.${process.pid}-${threadId}.tmp`;
  try {
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, cacheFile);
  } catch {
    // A dist/ that cannot be written (an install owned by another user): no cache, same code.
    try {
      unlinkSync(tmp);
    } catch {
      // Nothing was written.
    }
  }
}
