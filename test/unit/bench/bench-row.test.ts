import { describe, expect, it } from 'vitest';
import { boundMeetsTarget, targetMet, targetText, type BenchRow } from '../../../bench/bench-row.js';

const ratioRow = (dualkey: number, bound?: number): BenchRow => ({
  name: 'record put',
  dualkey,
  baseline: 100,
  unit: 'ops/s',
  target: { kind: 'ratio_at_least', value: 0.85 },
  ...(bound === undefined ? {} : { bound: { value: bound, text: 'the ceiling row' } }),
});

const durationRow = (dualkey: number, floor: number): BenchRow => ({
  name: 'npx status',
  dualkey,
  baseline: floor,
  unit: 'ms',
  lowerIsBetter: true,
  target: { kind: 'value_below', value: 500 },
  bound: { value: floor, text: 'npx of a bin that does nothing' },
});

describe('bench row verdicts', () => {
  it('prints met for a row at its target, whatever its bound', () => {
    expect(targetMet(ratioRow(90, 0.95))).toBe(true);
    expect(targetText(ratioRow(90, 0.95))).toBe('target ratio ≥ 0.85 met');
  });

  it('prints a plain MISSED when the bound measured alongside would meet the target', () => {
    expect(boundMeetsTarget(ratioRow(70, 0.9))).toBe(true);
    expect(targetText(ratioRow(70, 0.9))).toBe('target ratio ≥ 0.85 MISSED');
  });

  it('says a miss is out of reach when the ceiling row misses the target too', () => {
    expect(boundMeetsTarget(ratioRow(70, 0.8))).toBe(false);
    expect(targetText(ratioRow(70, 0.8))).toBe('target ratio ≥ 0.85 MISSED (out of reach here: the ceiling row alone is 0.80)');
  });

  it('says a duration miss is out of reach when the floor alone is over the limit', () => {
    expect(targetText(durationRow(609, 543))).toBe('target < 500 ms MISSED (out of reach here: npx of a bin that does nothing alone is 543 ms)');
    expect(targetText(durationRow(520, 450))).toBe('target < 500 ms MISSED');
  });

  it('prints the next digit when a figure would print as its own target', () => {
    const row: BenchRow = { name: 'mariadb inserts', dualkey: 1464, baseline: 1546, unit: 'rows/s', target: { kind: 'ratio_at_least', value: 0.95 } };
    expect(targetText(row)).toBe('target ratio ≥ 0.95 MISSED (ratio 0.947)');
    expect(targetText({ ...row, dualkey: 1470 })).toBe('target ratio ≥ 0.95 met (ratio 0.951)');
    expect(targetText(durationRow(500.3, 450))).toBe('target < 500 ms MISSED (500.3 ms)');
    expect(targetText(durationRow(499.6, 450))).toBe('target < 500 ms met (499.6 ms)');
  });

  it('keeps rows without a bound as before', () => {
    expect(boundMeetsTarget(ratioRow(70))).toBeUndefined();
    expect(targetText(ratioRow(70))).toBe('target ratio ≥ 0.85 MISSED');
  });
});
