import { benchDataPlane, type BenchRow } from './data-plane.bench.js';

/** Runs every benchmark and prints one ratio table; each ratio is measured side by side in this run. */
async function main(): Promise<void> {
  const engine = process.env.DATABASE_URL ? 'PostgreSQL server' : 'embedded PGlite';
  console.log(`dualkey benchmarks on ${engine}, node ${process.version}\n`);
  const rows: BenchRow[] = [...(await benchDataPlane())];
  const w = Math.max(...rows.map((r) => r.name.length));
  console.log(`${'benchmark'.padEnd(w)}  ${'dualkey'.padStart(10)}  ${'baseline'.padStart(10)}  ratio`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(w)}  ${r.dualkey.toFixed(0).padStart(10)}  ${r.baseline.toFixed(0).padStart(10)}  ${(r.dualkey / r.baseline).toFixed(2)}  (${r.unit}, higher is better)`);
  }
}

await main();
