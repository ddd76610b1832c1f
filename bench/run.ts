import { benchAlerts } from './alerts.bench.js';
import { targetText, type BenchRow } from './bench-row.js';
import { benchDataPlane } from './data-plane.bench.js';
import { benchDigest } from './digest.bench.js';
import { benchSlack } from './slack.bench.js';

/** Runs every benchmark and prints one ratio table; each ratio is measured side by side in this run. */
async function main(): Promise<void> {
  const engine = process.env.DATABASE_URL ? 'PostgreSQL server' : 'embedded PGlite';
  console.log(`dualkey benchmarks on ${engine}, node ${process.version}\n`);
  const rows: BenchRow[] = [...(await benchDataPlane()), ...(await benchAlerts()), ...(await benchDigest()), ...(await benchSlack())];
  const w = Math.max(...rows.map((r) => r.name.length));
  const num = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1)).padStart(10);
  console.log(`\n${'benchmark'.padEnd(w)}  ${'dualkey'.padStart(10)}  ${'baseline'.padStart(10)}  ratio`);
  for (const r of rows) {
    const how = r.lowerIsBetter ? `${r.unit}, lower is better; ratio = times the baseline` : `${r.unit}, higher is better`;
    const target = targetText(r);
    console.log(`${r.name.padEnd(w)}  ${num(r.dualkey)}  ${num(r.baseline)}  ${(r.dualkey / r.baseline).toFixed(2)}  (${how})${target ? `  ${target}` : ''}`);
  }
}

await main();
