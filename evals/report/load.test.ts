import { describe, expect, it } from 'vitest';
import { compareRuns, comparePaired, mannWhitney, matchedLogRatio, wilcoxonSignedRank, type BlockMeasure, type BlockPair, type RunPercentiles } from './index.js';

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

describe('wilcoxonSignedRank', () => {
  it.each([
    { d: [0.3, 0.25, 0.28, 0.31, 0.22, 0.27], p: 2 / 64 },
    { d: [1, 2, 3, 4, 5, 6, 7, 8], p: 2 / 256 },
    // |d| ranks 1..6, W+ = 19 of 21: P(W ≤ 2) = 3/64 (the subsets {}, {1}, {2}), two-sided 6/64.
    { d: [1, -2, 3, 4, 5, 6], p: 6 / 64 },
    { d: [-1, 2, -3, -4, -5, -6], p: 6 / 64 },
    { d: [0, 0, 1, -1], p: 1 },
    { d: [], p: 1 },
  ])('$d → p=$p', ({ d, p }) => {
    expect(wilcoxonSignedRank(d).pValue).toBeCloseTo(p, 12);
  });
});

// Eight block pairs on a shared machine: each pair sees its own load (up to 2× slower), both of its blocks alike.
const machine = [1.0, 1.9, 1.2, 1.6, 1.05, 2.0, 1.35, 1.5];
const within = [0.99, 1.02, 1.01, 0.98, 1.0, 1.03, 0.97, 1.01];
const block = (p50: number, cpu: number, load: number, j: number): BlockMeasure => ({ p50Ms: p50 * load * j, p95Ms: 2 * p50 * load * j, p99Ms: 3 * p50 * load * j, requests: 32, errors: 0, cpuMsPerRequest: cpu * j });
const pairsOf = (slowdown: number, cpuSlowdown = 1): BlockPair[] =>
  machine.map((load, i) => ({
    pair: i,
    baseline: block(800, 12, load, within[i]!),
    candidate: block(800 * slowdown, 12 * cpuSlowdown, load, within[(i + 3) % 8]!),
    matchedLogRatio: Math.log((slowdown * within[(i + 5) % 8]!) / within[i]!),
  }));

describe('comparePaired', () => {
  it('identical code under machine noise up to 2×: same', () => {
    const c = comparePaired(pairsOf(1));
    expect(c.verdict).toBe('same');
    expect(Math.abs(c.maxRelativeChange!)).toBeLessThan(0.05);
  });

  it('a candidate 30 % slower under the same noise: regressed, with the effect and p-value', () => {
    const c = comparePaired(pairsOf(1.3));
    expect(c.verdict).toBe('regressed');
    expect(c.maxRelativeChange).toBeGreaterThan(0.25);
    expect(c.pValue).toBeLessThan(0.05);
    expect(c.perMeasure.find((m) => m.measure === 'p50Ms')).toMatchObject({ higher: 8, verdict: 'regressed' });
    expect(c.perMeasure.find((m) => m.measure === 'cpuMsPerRequest')?.verdict).toBe('same');
  });

  it('can fail: the unpaired test on the same blocks lets the machine noise hide the 30 % slowdown', () => {
    const pairs = pairsOf(1.3);
    expect(compareRuns(pairs.map((p) => p.baseline), pairs.map((p) => p.candidate)).verdict).toBe('same');
  });

  it('block p50s thrown about by the scenario mix hide a 30 % slowdown that the matched per-request ratio still shows', () => {
    const mixed = pairsOf(1.3).map((p, i) => ({ ...p, candidate: { ...p.candidate, p50Ms: p.baseline.p50Ms * [0.6, 1.7, 0.8, 1.5, 0.7, 1.6, 0.9, 1.4][i]!, p95Ms: p.baseline.p95Ms } }));
    const c = comparePaired(mixed);
    expect(c.perMeasure.find((m) => m.measure === 'p50Ms')?.verdict).toBe('same');
    expect(c.perMeasure.find((m) => m.measure === 'matchedLatency')).toMatchObject({ verdict: 'regressed', higher: 8 });
    expect(c.verdict).toBe('regressed');
    // Can fail: without the matched ratio the same blocks say nothing.
    expect(comparePaired(mixed.map(({ matchedLogRatio: _m, ...p }) => p)).verdict).toBe('same');
  });

  it('matchedLogRatio: the median per-request log ratio over requests both sides answered', () => {
    expect(matchedLogRatio([100, 2000, NaN, 500], [130, 2600, 900, 650])).toBeCloseTo(Math.log(1.3), 12);
    expect(matchedLogRatio([NaN], [100])).toBeUndefined();
  });

  it('CPU per request 30 % higher with unchanged latency: regressed on CPU', () => {
    const c = comparePaired(pairsOf(1, 1.3));
    expect(c.verdict).toBe('regressed');
    expect(c.cpuRelativeChange).toBeGreaterThan(0.25);
  });

  it('a consistent 5 % slowdown is significant but below the 10 % floor: same', () => {
    const c = comparePaired(pairsOf(1.05));
    expect(c.verdict).toBe('same');
    expect(c.perMeasure.find((m) => m.measure === 'p50Ms')!.pValue).toBeLessThan(0.05);
  });

  it('a 30 % faster candidate: improved', () => {
    expect(comparePaired(pairsOf(0.7)).verdict).toBe('improved');
  });

  it('too few pairs, or pairs whose blocks answered nothing: inconclusive', () => {
    expect(comparePaired(pairsOf(1.3).slice(0, 5)).verdict).toBe('inconclusive');
    const dead = pairsOf(1.3).map((p) => ({ ...p, candidate: { ...p.candidate, requests: 0 } }));
    expect(comparePaired(dead).verdict).toBe('inconclusive');
  });
});
