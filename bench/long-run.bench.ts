// The bench's TWAP scenario stretched over 1 h, 12 h and 48 h of simulated time: CPU ms per
// simulated hour for each. A run whose cost is linear in simulated time shows the same figure
// for every horizon; a figure that grows with the horizon means something that only grows with
// the run (a tape, an array, a map) is walked or copied. --dense runs the dense-book hour
// (bench/fixtures/dense-book-hour.yaml: 20 levels a tick apart, one order of ours resting far from
// the market all along) stretched the same way instead.
// Run: node --import tsx bench/long-run.bench.ts [--dense] [hours ...]   (default: 1 12 48)
import os from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { runScenario } from '../src/runtime/backtest-run.ts';
import { parseScenario } from '../src/scenario/load-scenario.ts';
import { DENSE_BOOK_HOUR_FILE } from './dense-book.bench.ts';
import { TWAP_ONE_HOUR } from './twap.bench.ts';

/** The one-hour TWAP scenario stretched to `hours`: horizon, TWAP duration, slices and quantity
 *  and the pre-trade limits all scale with it, so every simulated hour has the same work (120 slices of 1/12 BTC). */
export function stretchedTwap(hours: number): string {
  const replace = (text: string, from: string, to: string): string => {
    if (!text.includes(from)) throw new Error(`the TWAP bench scenario no longer contains ${from}`);
    return text.replace(from, to);
  };
  let yaml = TWAP_ONE_HOUR;
  yaml = replace(yaml, 'name: twap-one-hour', `name: twap-${hours}h`);
  yaml = replace(yaml, 'duration: PT1H5M', `duration: PT${hours}H5M`);
  yaml = replace(yaml, 'qty: "10"', `qty: "${10 * hours}"`);
  // The pre-trade limits are on the parent's notional, which grows with the quantity.
  yaml = replace(
    yaml,
    'preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" }',
    `preTrade: { largeOrderNotional: "${1_000_000 * hours}", hardLimitNotional: "${2_000_000 * hours}", maxOrderNotional: "${5_000_000 * hours}" }`,
  );
  yaml = replace(
    yaml,
    'twap: { duration: PT1H, slices: 120,',
    `twap: { duration: PT${hours}H, slices: ${120 * hours},`,
  );
  return yaml;
}

/** The dense-book hour stretched to `hours`: horizon and fill detection's deadline (the resting
 *  order stays for the whole run). */
export function stretchedDense(hours: number): string {
  let yaml = readFileSync(DENSE_BOOK_HOUR_FILE, 'utf8');
  for (const [from, to] of [
    ['name: dense-book-hour', `name: dense-book-${hours}h`],
    ['duration: PT1H5M', `duration: PT${hours}H5M`],
    ['fillDetection: { timeoutMs: 4000000 }', `fillDetection: { timeoutMs: ${(hours + 1) * 3_600_000} }`],
  ] as const) {
    if (!yaml.includes(from)) throw new Error(`the dense-book fixture no longer contains ${from}`);
    yaml = yaml.replace(from, to);
  }
  return yaml;
}

export interface LongRunRow {
  hours: number;
  simulatedHours: number;
  cpuMs: number;
  wallMs: number;
  cpuMsPerSimulatedHour: number;
  events: number;
  clockActions: number;
  digest: string;
}

export function runHours(hours: number, dense = false): LongRunRow {
  const loaded = dense
    ? parseScenario(stretchedDense(hours), `dense-book-${hours}h.yaml`)
    : parseScenario(stretchedTwap(hours), `twap-${hours}h.yaml`);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const report = runScenario(loaded);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (dense) {
    if (!report.passed || report.parents[0]?.status !== 'working')
      throw new Error(`the ${hours} h dense-book run did not keep its order resting: the scenario is broken`);
  } else if (!report.passed || report.parents[0]?.filledQty !== String(10 * hours))
    throw new Error(`the ${hours} h TWAP did not fill ${10 * hours}: the scenario is broken`);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const simulatedHours = report.simulatedMs / 3_600_000;
  return {
    hours,
    simulatedHours,
    cpuMs,
    wallMs,
    cpuMsPerSimulatedHour: cpuMs / simulatedHours,
    events: report.events,
    clockActions: report.clockActions,
    digest: report.digest,
  };
}

export function main(hoursList: readonly number[] = [1, 12, 48], dense = false): LongRunRow[] {
  runScenario(parseScenario(dense ? stretchedDense(1) : stretchedTwap(1), 'warm-up.yaml')); // warm-up (JIT)
  return hoursList.map((h) => runHours(h, dense));
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
if (isMain) {
  const dense = process.argv.includes('--dense');
  const args = process.argv
    .slice(2)
    .filter((a) => a !== '--dense')
    .map(Number);
  const hoursList = args.length > 0 ? args : [1, 12, 48];
  if (hoursList.some((h) => !Number.isInteger(h) || h < 1)) throw new Error('hours must be positive integers');
  const cpus = os.cpus();
  console.log(
    `node ${process.version} | ${cpus[0]?.model ?? 'unknown'} | ${cpus.length} cores | load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  for (const r of main(hoursList, dense)) {
    console.log(
      `${dense ? 'dense book' : 'TWAP'} ${String(r.hours).padStart(2)} h (+5 min): ${fmt(r.cpuMs)} ms CPU, ${fmt(r.wallMs)} ms wall, ` +
        `${fmt(r.cpuMsPerSimulatedHour)} ms CPU per simulated hour; ${fmt(r.events)} log events, ${fmt(r.clockActions)} clock actions`,
    );
  }
}
