// Writes types/: the declarations of 'execsim/strategy' (src/strategy/strategy-api.ts and the
// few core types it names), which package.json's `exports` gives an editor or `tsc` in a project
// that depends on execsim. Shipped in the repository so a project needs no build of ours to get
// them; test/tooling/strategy-types.test.ts fails when they differ from what this writes now.
// Usage: node scripts/write-strategy-types.js [outDir]   (default: types/)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

/** Every file under `dir`, relative to it, sorted. */
function filesUnder(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

/** The declarations as files (path relative to the types folder, text). */
export function strategyTypes() {
  const tmp = mkdtempSync(join(tmpdir(), 'execsim-types-'));
  try {
    execFileSync(
      process.execPath,
      [
        join(root, 'node_modules/typescript/bin/tsc'),
        join(root, 'src/strategy/strategy-api.ts'),
        ...['--declaration', '--emitDeclarationOnly', '--outDir', tmp, '--rootDir', join(root, 'src')],
        ...['--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022'],
        ...['--strict', '--exactOptionalPropertyTypes', '--skipLibCheck', '--allowImportingTsExtensions'],
        '--removeComments',
        'false',
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    // A declaration keeps the sources' '.ts' imports; a project resolves the '.js' spelling.
    return filesUnder(tmp).map((path) => ({
      path: path.split('\\').join('/'),
      text: readFileSync(join(tmp, path), 'utf8').replace(/(['"]\.{1,2}\/[^'"]*)\.ts(['"])/g, '$1.js$2'),
    }));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = process.argv[2] ?? join(root, 'types');
  rmSync(out, { recursive: true, force: true });
  for (const f of strategyTypes()) {
    mkdirSync(dirname(join(out, f.path)), { recursive: true });
    writeFileSync(join(out, f.path), f.text);
  }
  console.log(`types: ${filesUnder(out).length} files in ${relative(root, out) || out}`);
}
