import normalCdf from '@stdlib/stats-base-dists-normal-cdf';

export interface MannWhitney {
  /** U of the first sample: how often a value of `a` exceeds one of `b` (ties count ½). */
  u: number;
  /** Two-sided p-value: exact for small samples without ties, else the normal approximation with tie correction. */
  pValue: number;
  method: 'exact' | 'normal';
}

/** Counts of U for sizes (m, n) by the classic recurrence; fine for the handful of runs a load test repeats. */
function exactUCounts(m: number, n: number): number[] {
  const memo = new Map<string, number[]>();
  const counts = (i: number, j: number): number[] => {
    const key = `${i},${j}`;
    const hit = memo.get(key);
    if (hit) return hit;
    let out: number[];
    if (i === 0 || j === 0) out = [1];
    else {
      // The largest value is either from the first sample (it beats all j of the second) or from the second.
      const withA = counts(i - 1, j);
      const withB = counts(i, j - 1);
      out = new Array<number>(i * j + 1).fill(0);
      withA.forEach((c, u) => (out[u + j]! += c));
      withB.forEach((c, u) => (out[u]! += c));
    }
    memo.set(key, out);
    return out;
  };
  return counts(m, n);
}

/**
 * Mann–Whitney U test (Wilcoxon rank-sum) of two independent samples.
 *
 * @example
 *   mannWhitney([10, 11, 12, 13, 14], [20, 21, 22, 23, 24]).pValue; // ≈ 0.0079
 */
export function mannWhitney(a: readonly number[], b: readonly number[]): MannWhitney {
  const m = a.length;
  const n = b.length;
  if (!m || !n) return { u: 0, pValue: 1, method: 'exact' };
  let u = 0;
  for (const x of a) for (const y of b) u += x > y ? 1 : x === y ? 0.5 : 0;
  const all = [...a, ...b].sort((x, y) => x - y);
  const tieGroups: number[] = [];
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j] === all[i]) j++;
    if (j - i > 1) tieGroups.push(j - i);
    i = j;
  }
  if (!tieGroups.length && m * n <= 400) {
    const counts = exactUCounts(m, n);
    const total = counts.reduce((s, c) => s + c, 0);
    const lo = Math.min(u, m * n - u);
    let tail = 0;
    for (let k = 0; k <= lo; k++) tail += counts[k]!;
    return { u, pValue: Math.min(1, (2 * tail) / total), method: 'exact' };
  }
  const N = m + n;
  const tieTerm = tieGroups.reduce((s, t) => s + (t ** 3 - t), 0) / (N * (N - 1));
  const variance = ((m * n) / 12) * (N + 1 - tieTerm);
  if (variance <= 0) return { u, pValue: 1, method: 'normal' };
  const z = (Math.abs(u - (m * n) / 2) - 0.5) / Math.sqrt(variance);
  return { u, pValue: Math.min(1, 2 * (1 - normalCdf(Math.max(0, z), 0, 1))), method: 'normal' };
}

export function median(values: readonly number[]): number {
  if (!values.length) return 0;
  const s = [...values].sort((x, y) => x - y);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** A change counts only when it is significant AND large: noise on a shared machine must not block a release. */
export interface ComparePolicy {
  alpha: number;
  /** Relative floor: the median moved by at least this share (0.1 = 10 %). */
  minRelative: number;
  /** Absolute floor in ms, so a 3 ms → 4 ms p50 is never a "33 % regression". */
  minAbsoluteMs: number;
  /** Fewer runs than this on either side: inconclusive. */
  minRuns: number;
}

export const DEFAULT_COMPARE_POLICY: ComparePolicy = { alpha: 0.05, minRelative: 0.1, minAbsoluteMs: 20, minRuns: 3 };

export const COMPARED_PERCENTILES = ['p50Ms', 'p95Ms', 'p99Ms'] as const;
export type ComparedPercentile = (typeof COMPARED_PERCENTILES)[number];
export type RunPercentiles = Record<ComparedPercentile, number>;

export interface PercentileComparison {
  percentile: ComparedPercentile;
  baselineMedian: number;
  candidateMedian: number;
  relativeChange: number;
  pValue: number;
  verdict: 'same' | 'improved' | 'regressed';
}

export interface Comparison {
  verdict: 'same' | 'improved' | 'regressed' | 'inconclusive';
  pValue?: number;
  reason: string;
  perPercentile: PercentileComparison[];
}

/**
 * Compares per-run latency percentiles of a candidate against a baseline, percentile by percentile: regressed
 * when any percentile is significantly (Mann–Whitney, alpha) and materially (both floors) slower.
 *
 * @example
 *   compareRuns(baselineRuns, candidateRuns).verdict; // 'same' | 'improved' | 'regressed' | 'inconclusive'
 */
export function compareRuns(baseline: readonly RunPercentiles[], candidate: readonly RunPercentiles[], policy: ComparePolicy = DEFAULT_COMPARE_POLICY): Comparison {
  if (baseline.length < policy.minRuns || candidate.length < policy.minRuns) {
    return { verdict: 'inconclusive', reason: `needs ≥${policy.minRuns} runs on each side (baseline ${baseline.length}, candidate ${candidate.length})`, perPercentile: [] };
  }
  const perPercentile = COMPARED_PERCENTILES.map((percentile): PercentileComparison => {
    const a = candidate.map((r) => r[percentile]);
    const b = baseline.map((r) => r[percentile]);
    const baselineMedian = median(b);
    const candidateMedian = median(a);
    const delta = candidateMedian - baselineMedian;
    const relativeChange = baselineMedian > 0 ? delta / baselineMedian : delta > 0 ? Infinity : 0;
    const { pValue } = mannWhitney(a, b);
    const material = Math.abs(delta) >= policy.minAbsoluteMs && Math.abs(relativeChange) >= policy.minRelative;
    const verdict = pValue < policy.alpha && material ? (delta > 0 ? 'regressed' : 'improved') : 'same';
    return { percentile, baselineMedian, candidateMedian, relativeChange, pValue, verdict };
  });
  const pick = (v: PercentileComparison['verdict']) => perPercentile.filter((p) => p.verdict === v);
  const regressed = pick('regressed');
  const improved = pick('improved');
  const describe = (ps: PercentileComparison[]) =>
    ps.map((p) => `${p.percentile} ${p.baselineMedian.toFixed(0)}→${p.candidateMedian.toFixed(0)} ms (${(p.relativeChange * 100).toFixed(0)} %, p=${p.pValue.toFixed(3)})`).join('; ');
  if (regressed.length) return { verdict: 'regressed', pValue: Math.min(...regressed.map((p) => p.pValue)), reason: `slower: ${describe(regressed)}`, perPercentile };
  if (improved.length) return { verdict: 'improved', pValue: Math.min(...improved.map((p) => p.pValue)), reason: `faster: ${describe(improved)}`, perPercentile };
  return { verdict: 'same', pValue: Math.min(...perPercentile.map((p) => p.pValue)), reason: `no significant change ≥${policy.minRelative * 100} % and ≥${policy.minAbsoluteMs} ms: ${describe(perPercentile)}`, perPercentile };
}
