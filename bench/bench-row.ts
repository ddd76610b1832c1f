/** One measured row of the ratio table: dualkey and its baseline, measured side by side in the same run. */
export interface BenchRow {
  name: string;
  dualkey: number;
  baseline: number;
  unit: string;
  /** Durations: lower is better, and the ratio reads "times the baseline". Default: throughput, higher is better. */
  lowerIsBetter?: boolean;
  /** What the issue asks for, checked against the ratio (higher-is-better rows) or the dualkey value (durations). */
  target?: { kind: 'ratio_at_least'; value: number } | { kind: 'value_below'; value: number };
}

/** "≥ 0.80 ✓" / "< 250 ms ✗": the target and whether this run met it. */
export function targetText(row: BenchRow): string {
  const t = row.target;
  if (!t) return '';
  if (t.kind === 'ratio_at_least') return `target ratio ≥ ${t.value.toFixed(2)} ${row.dualkey / row.baseline >= t.value ? 'met' : 'MISSED'}`;
  return `target < ${t.value} ${row.unit} ${row.dualkey < t.value ? 'met' : 'MISSED'}`;
}

/** The median of a non-empty list. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
