import { describe, expect, it } from 'vitest';
import { compareRuns, mannWhitney, type RunPercentiles } from './index.js';

// Per-run percentiles as a shared machine produces them: a few percent of jitter around a level.
const jitter = [0.97, 1.02, 0.99, 1.04, 0.98, 1.01, 1.03];
const runsAt = (p50: number, p95: number, p99: number, n = 5, shift = 0): RunPercentiles[] =>
  Array.from({ length: n }, (_, i) => {
    const j = jitter[(i + shift) % jitter.length]!;
    return { p50Ms: p50 * j, p95Ms: p95 * j, p99Ms: p99 * j };
  });

describe('mannWhitney', () => {
  it.each([
    { a: [1, 2, 3, 4, 5], b: [6, 7, 8, 9, 10], p: 2 / 252 },
    { a: [1, 2, 3], b: [1, 2, 3], p: 1 },
  ])('two-sided p of $a vs $b', ({ a, b, p }) => {
    expect(mannWhitney(a, b).pValue).toBeCloseTo(p, 4);
  });

  it('falls back to the normal approximation with ties', () => {
    const r = mannWhitney([1, 1, 2, 2, 3, 3], [4, 4, 5, 5, 6, 6]);
    expect(r.method).toBe('normal');
    expect(r.pValue).toBeLessThan(0.01);
  });
});

describe('compareRuns', () => {
  const baseline = runsAt(1300, 1600, 1800);

  it('flags a real 2× slowdown as regressed', () => {
    const c = compareRuns(baseline, runsAt(2600, 3200, 3600, 5, 2));
    expect(c.verdict).toBe('regressed');
    expect(c.pValue).toBeLessThan(0.05);
  });

  it('calls identical distributions the same', () => {
    expect(compareRuns(baseline, runsAt(1300, 1600, 1800)).verdict).toBe('same');
  });

  it('calls noise (same level, other jitter) the same', () => {
    expect(compareRuns(baseline, runsAt(1300, 1600, 1800, 5, 3)).verdict).toBe('same');
  });

  it('ignores a significant but tiny shift (below the effect-size floor)', () => {
    const base = runsAt(10, 12, 14);
    expect(compareRuns(base, base.map((r) => ({ p50Ms: r.p50Ms + 3, p95Ms: r.p95Ms + 3, p99Ms: r.p99Ms + 3 }))).verdict).toBe('same');
  });

  it('sees a 2× speed-up as improved', () => {
    expect(compareRuns(baseline, runsAt(650, 800, 900)).verdict).toBe('improved');
  });

  it('is inconclusive with too few runs', () => {
    expect(compareRuns(baseline, runsAt(2600, 3200, 3600, 2)).verdict).toBe('inconclusive');
  });
});
