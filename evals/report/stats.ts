import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

/** A two-sided confidence interval of a proportion. */
export interface ProportionInterval {
  lower: number;
  upper: number;
  level: number;
}

/**
 * Wilson score interval of a proportion: unlike the normal approximation it stays inside [0, 1] near 0 and 1
 * and behaves at small n.
 *
 * @example
 *   wilson(95, 100); // { lower: 0.888, upper: 0.978, level: 0.95 }
 */
export function wilson(successes: number, n: number, level = 0.95): ProportionInterval {
  if (n <= 0) return { lower: 0, upper: 1, level };
  const z = normalQuantile(1 - (1 - level) / 2, 0, 1);
  const p = successes / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half), level };
}

/**
 * Exact two-sided McNemar p-value from the discordant counts: min(1, 2·P(X ≤ min(b, c))), X ~ Binomial(b + c, ½).
 *
 * @example
 *   mcnemarExact(8, 1); // 0.0390625
 */
export function mcnemarExact(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  return Math.min(1, 2 * binomialCdf(Math.min(b, c), n, 0.5));
}

function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

/**
 * pass^k of one case with c passes out of n attempts, tau-bench's unbiased estimator C(c,k)/C(n,k): the chance
 * that k attempts drawn without replacement all pass. With fewer than k attempts it is 1 only when all passed.
 *
 * @example
 *   passHatK(3, 5, 2); // 0.3
 */
export function passHatK(c: number, n: number, k: number): number {
  if (n < k) return c === n ? 1 : 0;
  return choose(c, k) / choose(n, k);
}

/** Nearest-rank percentile (p in 0..100) of a sample; 0 for an empty one. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/** The median (mean of the two middle values for an even count); 0 for an empty sample. */
export function median(values: readonly number[]): number {
  if (!values.length) return 0;
  const s = [...values].sort((x, y) => x - y);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : 0;
}

export const sum = (values: readonly number[]): number => values.reduce((s, v) => s + v, 0);

/** a / b, or null when b is 0: a rate over nothing is not measured, never 0 or 1. */
export const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

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

export interface SignedRank {
  /** W+: the sum of the ranks of |d| over the positive differences (zeros dropped, ties get mid-ranks). */
  wPlus: number;
  /** Non-zero differences the test used. */
  n: number;
  /** Two-sided p-value: exact for n ≤ 50 without tied |d|, else the normal approximation with tie correction. */
  pValue: number;
  method: 'exact' | 'normal';
}

/** How many subsets of the ranks 1..n sum to each w (0..n(n+1)/2): the null distribution of W+. */
function signedRankCounts(n: number): number[] {
  let counts = [1];
  for (let k = 1; k <= n; k++) {
    const next = new Array<number>(counts.length + k).fill(0);
    counts.forEach((c, w) => {
      next[w]! += c;
      next[w + k]! += c;
    });
    counts = next;
  }
  return counts;
}

/**
 * Wilcoxon signed-rank test of paired differences (e.g. log(candidate / baseline) per block pair): is their centre 0?
 * Pairing takes out what both sides of a pair shared (the machine's load at that moment), which an unpaired test
 * of the same numbers cannot.
 *
 * @example
 *   wilcoxonSignedRank([0.3, 0.25, 0.28, 0.31, 0.22, 0.27]).pValue; // 0.03125 (all six positive)
 */
export function wilcoxonSignedRank(differences: readonly number[]): SignedRank {
  const d = differences.filter((x) => x !== 0 && Number.isFinite(x));
  const n = d.length;
  if (n === 0) return { wPlus: 0, n: 0, pValue: 1, method: 'exact' };
  const order = d.map((x, i) => ({ abs: Math.abs(x), positive: x > 0, i })).sort((a, b) => a.abs - b.abs);
  const ranks = new Array<number>(n).fill(0);
  const tieGroups: number[] = [];
  for (let i = 0; i < n; ) {
    let j = i;
    while (j < n && order[j]!.abs === order[i]!.abs) j++;
    for (let k = i; k < j; k++) ranks[k] = (i + j + 1) / 2;
    if (j - i > 1) tieGroups.push(j - i);
    i = j;
  }
  const wPlus = order.reduce((s, o, k) => s + (o.positive ? ranks[k]! : 0), 0);
  const total = (n * (n + 1)) / 2;
  if (!tieGroups.length && n <= 50) {
    const counts = signedRankCounts(n);
    const all = 2 ** n;
    const lo = Math.min(wPlus, total - wPlus);
    let tail = 0;
    for (let w = 0; w <= lo; w++) tail += counts[w]!;
    return { wPlus, n, pValue: Math.min(1, (2 * tail) / all), method: 'exact' };
  }
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - tieGroups.reduce((s, t) => s + (t ** 3 - t), 0) / 48;
  if (variance <= 0) return { wPlus, n, pValue: 1, method: 'normal' };
  const z = (Math.abs(wPlus - total / 2) - 0.5) / Math.sqrt(variance);
  return { wPlus, n, pValue: Math.min(1, 2 * (1 - normalCdf(Math.max(0, z), 0, 1))), method: 'normal' };
}
