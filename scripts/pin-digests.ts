// Prints every bundled scenario's digest as the GOLDEN table of test/scenarios.test.ts wants it,
// and with --write replaces that table: for re-pinning after an intended change of behaviour.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { runScenario } from '../src/runtime/backtest-run.ts';
import { loadScenarioFile } from '../src/scenario/load-scenario.ts';

const lines: string[] = [];
for (const f of readdirSync('scenarios')
  .filter((x) => x.endsWith('.yaml'))
  .sort()) {
  const loaded = loadScenarioFile(`scenarios/${f}`);
  lines.push(`  '${loaded.scenario.name}': '${runScenario(loaded).digest}',`);
}
const table = `const GOLDEN: Record<string, string> = {\n${lines.join('\n')}\n};`;
if (process.argv.includes('--write')) {
  const file = 'test/scenarios.test.ts';
  const src = readFileSync(file, 'utf8');
  const next = src.replace(/const GOLDEN: Record<string, string> = \{[\s\S]*?\n\};/, table);
  if (next === src) console.error('GOLDEN table unchanged');
  writeFileSync(file, next);
}
console.log(table);
