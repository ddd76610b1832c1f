/** One measured row of the ratio table: dualkey and its baseline, measured side by side in the same run. */
export interface BenchRow {
  name: string;
  dualkey: number;
  baseline: number;
  unit: string;
  /** Durations: lower is better, and the ratio reads "times the baseline". Default: throughput, higher is better. */
  lowerIsBetter?: boolean;
  /** What the issue asks for, checked against the ratio (higher-is-better rows) or the dualkey value (durations). */
  target?: { kind: 'ratio_at_least'; value: number } | { kind: 'ratio_at_most'; value: number } | { kind: 'value_below'; value: number };
  /** A property the target also requires, checked in this run (e.g. "one transaction"): when not held, the target is MISSED whatever the figure. */
  condition?: { held: boolean; text: string };
  /**
   * The best dualkey could do on this machine, measured in the same run, in the target's terms (a ratio, or a
   * duration for `value_below`): a ceiling row's ratio, or the floor a command cannot go under.
   */
  bound?: { value: number; text: string };
}

/** Whether this run met the row's target; undefined for rows without one. */
export function targetMet(row: BenchRow): boolean | undefined {
  const t = row.target;
  if (!t) return undefined;
  if (row.condition && !row.condition.held) return false;
  const ratio = row.dualkey / row.baseline;
  if (t.kind === 'ratio_at_least') return ratio >= t.value;
  if (t.kind === 'ratio_at_most') return ratio <= t.value;
  return row.dualkey < t.value;
}

/** Whether the row's bound itself meets its target; undefined for rows without a target or a bound. */
export function boundMeetsTarget(row: BenchRow): boolean | undefined {
  const t = row.target;
  if (!t || !row.bound) return undefined;
  const v = row.bound.value;
  if (t.kind === 'ratio_at_least') return v >= t.value;
  if (t.kind === 'ratio_at_most') return v <= t.value;
  return v < t.value;
}

/** "≥ 0.80 ✓" / "< 250 ms ✗": the target and whether this run met it. */
export function targetText(row: BenchRow): string {
  const t = row.target;
  if (!t) return '';
  // A miss whose bound misses too says so: no change to dualkey alone can meet that target on this machine.
  const outOfReach = !targetMet(row) && boundMeetsTarget(row) === false;
  const bound = row.bound && t.kind === 'value_below' ? `${row.bound.value.toFixed(0)} ${row.unit}` : row.bound?.value.toFixed(2);
  const verdict = targetMet(row) ? 'met' : outOfReach ? `MISSED (out of reach here: ${row.bound!.text} alone is ${bound})` : 'MISSED';
  const also = row.condition ? ` and ${row.condition.text}${row.condition.held ? '' : ' (NOT held)'}` : '';
  const ratio = row.dualkey / row.baseline;
  // The table rounds: a figure that prints as the target itself gets its next digit, so "0.95 … ≥ 0.95 MISSED" cannot read as a contradiction.
  const ratioShown = ratio.toFixed(2) === t.value.toFixed(2) ? ` (ratio ${ratio.toFixed(3)})` : '';
  if (t.kind === 'ratio_at_least') return `target ratio ≥ ${t.value.toFixed(2)}${also} ${verdict}${ratioShown}`;
  if (t.kind === 'ratio_at_most') return `target ratio ≤ ${t.value.toFixed(2)}${also} ${verdict}${ratioShown}`;
  const valueShown = Math.round(row.dualkey) === t.value ? ` (${row.dualkey.toFixed(1)} ${row.unit})` : '';
  return `target < ${t.value} ${row.unit}${also} ${verdict}${valueShown}`;
}

/** The median of a non-empty list. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The p-th percentile (nearest rank) of a non-empty list. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** How long `fn` takes, in milliseconds. */
export async function timeMs(fn: () => unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}
