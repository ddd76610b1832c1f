import { boundMeetsTarget, targetMet, targetText, type BenchRow } from './bench-row.js';

/** One benchmark group: a name to select it by (`npm run bench -- <name>…`) and what it measures. */
interface BenchGroup {
  name: string;
  run: () => Promise<BenchRow[]>;
}

// Loaded lazily so that running one group does not import (or start) the others.
const groups: BenchGroup[] = [
  { name: 'data-plane', run: async () => (await import('./data-plane.bench.js')).benchDataPlane() },
  { name: 'alerts', run: async () => (await import('./alerts.bench.js')).benchAlerts() },
  { name: 'digest', run: async () => (await import('./digest.bench.js')).benchDigest() },
  { name: 'mariadb', run: async () => (await import('./mariadb.bench.js')).benchMariadb() },
  { name: 'slack', run: async () => (await import('./slack.bench.js')).benchSlack() },
  { name: 'key-lifecycle', run: async () => (await import('./key-lifecycle.bench.js')).benchKeyLifecycle() },
  { name: 'cli', run: async () => (await import('./cli.bench.js')).benchCli() },
  { name: 'pkcs11', run: async () => (await import('./pkcs11.bench.js')).benchPkcs11() },
  { name: 'console', run: async () => (await import('./console.bench.js')).benchConsole() },
  { name: 'azure', run: async () => (await import('./azure-vault.bench.js')).benchAzureVault() },
  { name: 'scale', run: async () => (await import('./scale.bench.js')).benchScale() },
];

/** Runs the selected benchmarks (all by default) and prints one ratio table; each ratio is measured side by side in this run. */
async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !groups.some((g) => g.name === w));
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(', ')}; choose from ${groups.map((g) => g.name).join(', ')}`);
    process.exit(2);
  }
  const engine = process.env.DATABASE_URL ? 'PostgreSQL server' : 'embedded PGlite';
  console.log(`dualkey benchmarks on ${engine}, node ${process.version}\n`);
  const rows: BenchRow[] = [];
  for (const group of groups) {
    if (wanted.length === 0 || wanted.includes(group.name)) rows.push(...(await group.run()));
  }
  const w = Math.max(...rows.map((r) => r.name.length));
  const num = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1)).padStart(10);
  console.log(`\n${'benchmark'.padEnd(w)}  ${'dualkey'.padStart(10)}  ${'baseline'.padStart(10)}  ratio`);
  for (const r of rows) {
    const how = r.lowerIsBetter ? `${r.unit}, lower is better; ratio = times the baseline` : `${r.unit}, higher is better`;
    const target = targetText(r);
    console.log(`${r.name.padEnd(w)}  ${num(r.dualkey)}  ${num(r.baseline)}  ${(r.dualkey / r.baseline).toFixed(2)}  (${how})${target ? `  ${target}` : ''}`);
  }
  const verdicts = rows.map(targetMet).filter((v) => v !== undefined);
  const met = verdicts.filter(Boolean).length;
  const outOfReach = rows.filter((r) => targetMet(r) === false && boundMeetsTarget(r) === false).length;
  const why = outOfReach ? ` (${outOfReach} of them out of reach on this machine: a bound measured in the same run misses the target too)` : '';
  console.log(`\n${verdicts.length} rows with a target: ${met} met, ${verdicts.length - met} MISSED${why}`);
}

await main();
