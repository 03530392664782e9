import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

/** Wilson score interval of a proportion; unlike the normal approximation it stays inside [0, 1] near 0 and 1. */
export function wilsonInterval(successes: number, trials: number, level = 0.95): { lower: number; upper: number; level: number } {
  if (trials <= 0) return { lower: 0, upper: 1, level };
  const z = normalQuantile(1 - (1 - level) / 2, 0, 1);
  const p = successes / trials;
  const z2n = (z * z) / trials;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / trials + z2n / (4 * trials));
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half), level };
}

/**
 * Exact (binomial) McNemar test over paired outcomes: `regressed` pairs passed in the baseline and fail
 * now, `improved` the reverse. Two-sided p = min(1, 2·P(X ≤ min(b, c))) with X ~ Binomial(b + c, ½).
 *
 * @example
 *   mcnemarExact(8, 1).pValue; // 0.0390625
 */
export function mcnemarExact(regressed: number, improved: number): { regressed: number; improved: number; discordant: number; pValue: number } {
  const discordant = regressed + improved;
  const pValue = discordant === 0 ? 1 : Math.min(1, 2 * binomialCdf(Math.min(regressed, improved), discordant, 0.5));
  return { regressed, improved, discordant, pValue };
}
