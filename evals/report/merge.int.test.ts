import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../agent/src/index.js';
import { runEvalCommand, type EvalCommandOptions } from '../cli.js';
import { parseReport, type ChaosReport, type EvalReport, type LoadReport, type LoadResult, type Report } from './envelope.js';
import { mergeReports, type MergeInput } from './merge.js';
import { shardOption } from './shard.js';

const FIXTURES = join(import.meta.dirname, 'fixtures/v1');
const fixture = async <R extends Report>(kind: R['kind']): Promise<R> => parseReport(JSON.parse(await readFile(join(FIXTURES, `${kind}.json`), 'utf8'))) as R;
const input = (source: string, report: Report): MergeInput => ({ source, report });
const refused = expect.objectContaining({ code: 'EVL_ERR_REPORT_MERGE_REFUSED' });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lm-merge-test-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('report merge of eval shards', () => {
  it('two real --shard runs merge into the summary of the unsharded run over the same cases', async () => {
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    const options = (over: Partial<EvalCommandOptions>): EvalCommandOptions => ({
      repeat: 1,
      concurrency: 2,
      dataset: 'datasets/regression',
      timeoutMs: 60_000,
      json: true,
      engine: 'plain',
      filter: '^(mem-|fs-read)',
      out: join(dir, 'eval.json'),
      ...over,
    });
    const whole = (await runEvalCommand(options({ out: join(dir, 'whole/report.json') }), config)).report;
    const one = (await runEvalCommand(options({ shard: shardOption('1/2'), out: join(dir, 's1/report.json') }), config)).report;
    const two = (await runEvalCommand(options({ shard: shardOption('2/2'), out: join(dir, 's2/report.json') }), config)).report;
    expect(one.results.length).toBeGreaterThan(0);
    expect(whole.summary.sensitivity).toEqual(expect.any(Number));
    expect(two.results.length).toBeGreaterThan(0);
    // Another engineer may commit between the runs in a shared tree; the commit check is tested below.
    const merged = (await mergeReports([input('s1', one), input('s2', { ...two, git: one.git })], { kind: 'eval' })) as EvalReport;

    const key = (r: EvalReport['results'][number]) => `${r.caseId} ${r.variant}#${r.repeat} ${r.pass}`;
    expect(merged.results.map(key).sort()).toEqual(whole.results.map(key).sort());
    const pick = ({ runs, cases, passRate, passRateCi, sensitivity, specificity, harnessErrorRate, hallucinationRate, toolSuccessRate, passK, perCategory, perGrader }: EvalReport['summary']) =>
      ({ runs, cases, passRate, passRateCi, sensitivity, specificity, harnessErrorRate, hallucinationRate, toolSuccessRate, passK, perCategory, perGrader });
    expect(pick(merged.summary)).toEqual(pick(whole.summary));
    expect(merged.summary.runs).toBe(one.summary.runs + two.summary.runs);
    expect(merged.config).toMatchObject({ mergedFrom: [one.runId, two.runId], shards: ['1/2', '2/2'], filter: '^(mem-|fs-read)', engine: 'plain' });
    expect(merged.runId).not.toBe(one.runId);
    expect(parseReport(merged).kind).toBe('eval');
  }, 120_000);
});

describe('report merge refusals', () => {
  let a: EvalReport;
  let b: EvalReport;
  beforeAll(async () => {
    const base = await fixture<EvalReport>('eval');
    a = { ...base, runId: 'a', config: { shard: '1/2', repeat: 1 } };
    b = { ...base, runId: 'b', config: { shard: '2/2', repeat: 1 }, results: base.results.map((r) => ({ ...r, caseId: `${r.caseId}-b` })) };
  });

  it('merges disjoint slices of one run, and recomputes (never copies) the summary', async () => {
    const stale = { ...b, summary: { ...b.summary, passRate: 0.01, runs: 999 } };
    const merged = (await mergeReports([input('a', a), input('b', stale)])) as EvalReport;
    expect(merged.summary.runs).toBe(a.results.length + b.results.length);
    expect(merged.summary.passRate).not.toBe(0.01);
    expect(merged.git).toEqual(a.git);
    expect(merged.config).toMatchObject({ repeat: 1, varied: { shard: ['1/2', '2/2'] }, mergedFrom: ['a', 'b'] });
  });

  it.each<[string, (r: EvalReport) => Report, RegExp]>([
    ['kind', () => ({ ...a, kind: 'chaos', summary: { drills: 0, passed: 0, failed: 0 }, results: [] }) as unknown as Report, /kind differs/],
    ['commit', (r) => ({ ...r, git: { sha: 'f'.repeat(40), dirty: false } }), /commit \(git\.sha\) differs/],
    ['mode', (r) => ({ ...r, mode: 'live' }), /mode differs/],
    ['model', (r) => ({ ...r, model: 'gpt-4o-mini' }), /model differs/],
    ['config.repeat', (r) => ({ ...r, config: { ...r.config, repeat: 3 } }), /config\.repeat differs/],
  ])('refuses a different %s with EVL_ERR_REPORT_MERGE_REFUSED', async (_what, change, message) => {
    await expect(mergeReports([input('a', a), input('b', change(b))])).rejects.toThrow(refused);
    await expect(mergeReports([input('a', a), input('b', change(b))])).rejects.toThrow(message);
  });

  it('refuses overlapping results, a single input, --kind of another kind, and unmergeable kinds', async () => {
    await expect(mergeReports([input('a', a), input('b', { ...b, results: [...b.results, a.results[0]!] })])).rejects.toThrow(/overlapping results: case × variant × repeat fs-001 gold#0/);
    await expect(mergeReports([input('a', a)])).rejects.toThrow(refused);
    await expect(mergeReports([input('a', a), input('b', b)], { kind: 'load' })).rejects.toThrow(refused);
    const coverage = await fixture('coverage');
    await expect(mergeReports([input('c1', { ...coverage, runId: 'c1' }), input('c2', { ...coverage, runId: 'c2' })])).rejects.toThrow(/not mergeable/);
  });
});

describe('report merge of chaos and load shards', () => {
  it('chaos: one result per drill, the summary recounted, the same drill twice refused', async () => {
    const base = await fixture<ChaosReport>('chaos');
    const one = { ...base, runId: 'c1', config: { rate: 4, shard: '1/2', drills: ['redis-kill'] } };
    const fail = { ...base.results[0]!, drill: 'model-503', verdict: 'fail' as const };
    const two = { ...base, runId: 'c2', config: { rate: 4, shard: '2/2', drills: ['model-503'] }, results: [fail], summary: { drills: 1, passed: 1, failed: 0 } };
    const merged = (await mergeReports([input('c1', one), input('c2', two)])) as ChaosReport;
    expect(merged.summary).toEqual({ drills: 2, passed: 1, failed: 1 });
    expect(merged.config.drills).toEqual(['redis-kill', 'model-503']);
    await expect(mergeReports([input('c1', one), input('c2', { ...two, results: base.results })])).rejects.toThrow(/drill redis-kill/);
    await expect(mergeReports([input('c1', one), input('c2', { ...two, config: { ...two.config, rate: 8 } })])).rejects.toThrow(/config\.rate/);
  });

  const run = (shard: string | undefined, i: number, over: Partial<LoadResult> = {}): LoadResult => ({
    scenario: 'mix',
    run: i,
    ...(shard ? { shard } : {}),
    durationSeconds: 10,
    requests: 40,
    errors: 0,
    rps: 4,
    p50Ms: 100 + i,
    p95Ms: 200 + i,
    p99Ms: 300 + i,
    targetRate: 4,
    sentRate: 4,
    ...over,
  });
  const loadReport = async (runId: string, shard: string | undefined, results: LoadResult[]): Promise<LoadReport> => {
    const base = await fixture<LoadReport>('load');
    return {
      ...base,
      runId,
      config: { profile: { name: 'smoke', rate: 4, seed: 1, durationSeconds: 10, runs: 3 }, target: 'http://127.0.0.1:3000', redis: false, shard: shard ?? null, saturated: false },
      // A shard's own verdict: merge must not copy it.
      summary: { ...base.summary, comparison: { baseline: 'load/baselines/smoke.json', verdict: 'inconclusive', reason: 'shard' } },
      results,
    };
  };

  it('load: the shards of a run index add up to the full rate, percentiles are the max over shards, the comparison is recomputed', async () => {
    const one = await loadReport('l1', '1/2', [0, 1, 2].map((i) => run('1/2', i)));
    const two = await loadReport('l2', '2/2', [0, 1, 2].map((i) => run('2/2', i, { p95Ms: 250 + i, errors: 4 })));
    const baseline = { profile: 'smoke', createdAt: '2026-01-01T00:00:00Z', git: { sha: 'x', dirty: false }, runs: [0, 1, 2].map(() => ({ p50Ms: 100, p95Ms: 200, p99Ms: 300, rps: 8, errors: 0 })) };
    const merged = (await mergeReports([input('l1', one), input('l2', two)], { readLoadBaseline: async () => baseline })) as LoadReport;
    expect(merged.results).toHaveLength(6);
    expect(merged.summary).toMatchObject({ runs: 3, rps: 8, p50Ms: 101, p95Ms: 251, p99Ms: 301, errorRate: 12 / 240 });
    expect(merged.config.profile).toMatchObject({ rate: 8 });
    expect(merged.summary.comparison?.verdict).not.toBe('inconclusive');
    expect(merged.summary.comparison?.reason).toMatch(/recomputed by report merge/);

    const noBaseline = (await mergeReports([input('l1', one), input('l2', two)], { readLoadBaseline: async () => undefined })) as LoadReport;
    expect(noBaseline.summary.comparison).toMatchObject({ verdict: 'inconclusive', reason: expect.stringMatching(/no baseline/) });

    await expect(mergeReports([input('l1', one), input('l2', await loadReport('l2', '1/2', [run('1/2', 0)]))])).rejects.toThrow(/run 0 shard 1\/2/);
    await expect(mergeReports([input('l1', one), input('l2', await loadReport('l2', undefined, [run(undefined, 0)]))])).rejects.toThrow(/different numbers of shards/);
    const other = await loadReport('l2', '2/2', [run('2/2', 0)]);
    await expect(mergeReports([input('l1', one), input('l2', { ...other, config: { ...other.config, target: 'http://127.0.0.1:4000' } })])).rejects.toThrow(/config\.target/);
  });
});
