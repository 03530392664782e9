import { describe, expect, it } from 'vitest';
import { mcnemarExact, wilsonInterval } from './stats.js';

describe('exact McNemar', () => {
  // Hand-computed: p = 2·Σ_{i≤min(b,c)} C(b+c, i) / 2^(b+c), capped at 1.
  it.each([
    [8, 1, 20 / 512], // 2·(1+9)/512
    [10, 0, 2 / 1024], // 2·1/1024
    [7, 2, 92 / 512], // 2·(1+9+36)/512
    [1, 6, 16 / 128], // 2·(1+7)/128
    [5, 5, 1],
    [0, 0, 1],
  ])('regressed %i, improved %i → p = %f', (b, c, p) => {
    expect(mcnemarExact(b, c).pValue).toBeCloseTo(p, 12);
  });
});

describe('Wilson interval', () => {
  it.each([
    [95, 100, 0.8882, 0.9785],
    [0, 10, 0, 0.2775],
    [10, 10, 0.7225, 1],
  ])('%i/%i → [%f, %f]', (k, n, lower, upper) => {
    const ci = wilsonInterval(k, n);
    expect(ci.lower).toBeCloseTo(lower, 4);
    expect(ci.upper).toBeCloseTo(upper, 4);
  });

  it('is the whole range without trials', () => {
    expect(wilsonInterval(0, 0)).toMatchObject({ lower: 0, upper: 1 });
  });
});
