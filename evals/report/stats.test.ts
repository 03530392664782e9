import { mcnemarExact, passHatK, percentile, wilson } from './stats.js';

describe('exact McNemar', () => {
  // Hand-computed: p = min(1, 2 · Σ_{i ≤ min(b,c)} C(b+c, i) / 2^(b+c)).
  it.each([
    [0, 5, 2 / 32], // 0.0625
    [1, 9, (2 * (1 + 10)) / 1024], // 0.021484375
    [2, 8, (2 * (1 + 10 + 45)) / 1024], // 0.109375
    [0, 6, 2 / 64], // 0.03125
    [3, 3, 1],
    [0, 0, 1],
    [10, 2, (2 * (1 + 12 + 66)) / 4096], // 0.03857421875
  ])('b=%i c=%i → p=%f', (b, c, p) => {
    expect(mcnemarExact(b, c)).toBeCloseTo(p, 12);
  });
});

describe('Wilson interval', () => {
  it.each([
    [95, 100, 0.888, 0.978],
    [100, 100, 0.963, 1],
    [0, 10, 0, 0.278],
    [5, 10, 0.237, 0.763],
  ])('%i/%i → [%f, %f]', (s, n, lo, hi) => {
    const ci = wilson(s, n);
    expect(ci.lower).toBeCloseTo(lo, 3);
    expect(ci.upper).toBeCloseTo(hi, 3);
  });
  it('is [0, 1] with no data', () => expect(wilson(0, 0)).toMatchObject({ lower: 0, upper: 1 }));
});

describe('pass^k (tau-bench)', () => {
  it.each([
    [3, 5, 1, 0.6],
    [3, 5, 2, 0.3],
    [5, 5, 3, 1],
    [2, 5, 3, 0],
    [1, 1, 1, 1],
  ])('c=%i n=%i k=%i → %f', (c, n, k, v) => expect(passHatK(c, n, k)).toBeCloseTo(v, 12));
});

describe('percentile (nearest rank)', () => {
  it('picks ranks', () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([5, 1, 3, 2, 4], 95)).toBe(5);
    expect(percentile([], 50)).toBe(0);
  });
});
