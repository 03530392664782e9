import { describe, expect, it } from 'vitest';
import { combineShardRuns, summariseLoad, type LoadResult } from '../evals/report/index.js';
import { shardProfile } from './load.js';
import { PROFILES, ProfileSchema } from './profiles.js';

const run = (i: number, over: Partial<LoadResult> = {}): LoadResult => ({ scenario: 'mix', run: i, durationSeconds: 10, requests: 100, errors: 1, rps: 10, p50Ms: 100, p95Ms: 200, p99Ms: 300, targetRate: 10, sentRate: 10, ...over });

describe('summariseLoad', () => {
  it('unsharded: means of throughput, medians of per-run percentiles, errors over requests', () => {
    const { summary, saturated, runs } = summariseLoad([run(0, { rps: 9, p95Ms: 500, efficiency: 0.5 }), run(1, { rps: 10, p95Ms: 200, efficiency: 0.7 }), run(2, { rps: 11, p95Ms: 210, efficiency: 0.6 })]);
    expect(runs).toHaveLength(3);
    expect(summary).toEqual({ runs: 3, rps: 10, p50Ms: 100, p95Ms: 210, p99Ms: 300, errorRate: 3 / 300, efficiency: expect.closeTo(0.6, 9) });
    expect(saturated).toBe(false);
    expect(summariseLoad([run(0, { sentRate: 8 })]).saturated).toBe(true);
  });

  it('sharded: a run index adds the shards up (rates, counts) and takes the max percentile, an upper bound', () => {
    const [combined] = combineShardRuns([run(0, { shard: '1/2', p95Ms: 180, p99Ms: 400 }), run(0, { shard: '2/2', p95Ms: 220, p99Ms: 350, errors: 3 })]);
    expect(combined).toMatchObject({ run: 0, rps: 20, requests: 200, errors: 4, targetRate: 20, sentRate: 20, p95Ms: 220, p99Ms: 400 });
    expect(combined).not.toHaveProperty('shard');
  });

  it('a shard sends rate/n of the profile', () => {
    const profile = ProfileSchema.parse({ ...PROFILES.baseline, maxConnections: 7 });
    expect(shardProfile(profile, { index: 2, count: 4 })).toMatchObject({ rate: profile.rate / 4, maxConnections: 2 });
    expect(shardProfile(profile, undefined)).toBe(profile);
  });
});
