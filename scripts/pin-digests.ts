// Prints every bundled scenario's digest as the GOLDEN table of test/backtest/scenarios.test.ts wants it,
// and with --write replaces that table: for re-pinning after an intended change of behaviour.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { runScenario } from '../src/runtime/backtest-run.ts';
import { loadScenarioFile } from '../src/scenario/load-scenario.ts';

const lines: string[] = [];
for (const f of readdirSync('scenarios')
  .filter((x) => x.endsWith('.yaml'))
  .sort()) {
  const loaded = loadScenarioFile(`scenarios/${f}`);
  // Quoted only where a key needs quotes, as the formatter writes it.
  const name = loaded.scenario.name;
  const key = /^[A-Za-z_$][\w$]*$/.test(name) ? name : `'${name}'`;
  lines.push(`  ${key}: '${runScenario(loaded).digest}',`);
}
const table = `const GOLDEN: Record<string, string> = {\n${lines.join('\n')}\n};`;
if (process.argv.includes('--write')) {
  const file = 'test/backtest/scenarios.test.ts';
  const src = readFileSync(file, 'utf8');
  const next = src.replace(/const GOLDEN: Record<string, string> = \{[\s\S]*?\n\};/, table);
  if (next === src) console.error('GOLDEN table unchanged');
  writeFileSync(file, next);
}
console.log(table);
