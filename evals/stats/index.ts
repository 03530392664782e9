import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

/**
 * Wilson score interval of a proportion (better than the normal approximation at small n or extreme p).
 *
 * @example
 *   wilson(95, 100) // { lower: 0.888, upper: 0.978, level: 0.95 }
 */
export function wilson(successes: number, n: number, level = 0.95): { lower: number; upper: number; level: number } {
  if (n === 0) return { lower: 0, upper: 1, level };
  const z = normalQuantile(1 - (1 - level) / 2, 0, 1);
  const p = successes / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half), level };
}

/** Exact two-sided McNemar p-value from the discordant counts b and c (binomial, p = 0.5). */
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

/** pass^k of one case with c passes out of n attempts: C(c,k)/C(n,k), the chance that k draws all pass (tau-bench). */
export function passHatK(c: number, n: number, k: number): number {
  if (n < k) return c === n ? 1 : 0;
  return choose(c, k) / choose(n, k);
}

/** Nearest-rank percentile of a sample (0 for an empty one). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}
