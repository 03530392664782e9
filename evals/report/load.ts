import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { LoadResultSchema, type LoadComparison, type LoadReport, type LoadResult, type LoadSummary } from './envelope.js';
import { duplicatedIds } from './identity.js';
import { mannWhitney, mean, median, sum, wilcoxonSignedRank } from './stats.js';

/**
 * Every measure of a load report, from its results alone: the summary (`luminamind load` and `report merge` both
 * call summariseLoad) and the noise-aware comparison with a recorded baseline (compareRuns), whose verdict the gate reads.
 */

/** A recorded load baseline: per-run percentiles of an earlier run of the same profile (load/baselines/<profile>.json). */
export const BaselineSchema = z.object({
  profile: z.string().min(1),
  createdAt: z.string().min(1),
  git: z.object({ sha: z.string(), dirty: z.boolean() }),
  runs: z.array(z.object({ p50Ms: z.number().min(0), p95Ms: z.number().min(0), p99Ms: z.number().min(0), rps: z.number().min(0), errors: z.number().int().min(0) })).min(1),
});
export type Baseline = z.infer<typeof BaselineSchema>;

/** Undefined when there is no baseline yet; a malformed file throws (it must be fixed, never silently replaced). */
export async function readBaseline(path: string): Promise<Baseline | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  return BaselineSchema.parse(JSON.parse(text));
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

export interface LoadRunComparison {
  verdict: 'same' | 'improved' | 'regressed' | 'inconclusive';
  pValue?: number;
  /** The largest relative change of a compared percentile's median (+0.07 = 7 % slower). */
  maxRelativeChange?: number;
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
export function compareRuns(baseline: readonly RunPercentiles[], candidate: readonly RunPercentiles[], policy: ComparePolicy = DEFAULT_COMPARE_POLICY): LoadRunComparison {
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
  const describe = (ps: PercentileComparison[]) => ps.map((p) => describePercentile(p, policy)).join('; ');
  const worst = Math.max(...perPercentile.map((p) => p.relativeChange));
  if (regressed.length) return { verdict: 'regressed', pValue: Math.min(...regressed.map((p) => p.pValue)), maxRelativeChange: worst, reason: describe(regressed), perPercentile };
  if (improved.length) return { verdict: 'improved', pValue: Math.min(...improved.map((p) => p.pValue)), maxRelativeChange: worst, reason: describe(improved), perPercentile };
  return { verdict: 'same', pValue: Math.min(...perPercentile.map((p) => p.pValue)), maxRelativeChange: worst, reason: describe(perPercentile), perPercentile };
}

/** One percentile as a release manager reads it: "p50 867→925 ms, +7 %, below the 10 % floor: no regression (p=0.008)". */
export function describePercentile(p: PercentileComparison, policy: ComparePolicy = DEFAULT_COMPARE_POLICY): string {
  const name = p.percentile.replace(/Ms$/, '');
  const delta = p.candidateMedian - p.baselineMedian;
  const pct = Number.isFinite(p.relativeChange) ? `${p.relativeChange >= 0 ? '+' : ''}${(p.relativeChange * 100).toFixed(0)} %` : 'from 0';
  const head = `${name} ${p.baselineMedian.toFixed(0)}→${p.candidateMedian.toFixed(0)} ms, ${pct}`;
  const stat = `(Mann–Whitney p=${p.pValue.toPrecision(2)})`;
  if (p.verdict !== 'same') return `${head}: ${p.verdict === 'regressed' ? 'slower' : 'faster'}, significant and above both floors ${stat}`;
  if (Math.abs(p.relativeChange) < policy.minRelative) return `${head}, below the ${(policy.minRelative * 100).toFixed(0)} % floor: no regression ${stat}`;
  if (Math.abs(delta) < policy.minAbsoluteMs) return `${head}, below the ${policy.minAbsoluteMs} ms floor: no regression ${stat}`;
  return `${head}, not significant at α=${policy.alpha}: no regression ${stat}`;
}

/** One block of requests sent to one side of a paired run (`luminamind load --against`). */
export interface BlockMeasure {
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  /** utime + stime of the service process over the block (from /proc), per request sent; absent where not readable. */
  cpuMsPerRequest?: number;
}

/** A baseline block and a candidate block sent at the same time with the same request sequence: they saw the same machine. */
export interface BlockPair {
  pair: number;
  baseline: BlockMeasure;
  candidate: BlockMeasure;
  /**
   * Both blocks of a pair send the same request sequence, so request i is the same scenario on each side: the median
   * over i of log(candidate_i / baseline_i) is the pair's latency change with the scenario mix taken out.
   */
  matchedLogRatio?: number;
}

/**
 * The pair's per-request latency change: median over the requests both blocks answered of log(candidate / baseline).
 *
 * @example
 *   matchedLogRatio([100, 2000, NaN], [130, 2600, 900]); // log(1.3)
 */
export function matchedLogRatio(baseline: readonly number[], candidate: readonly number[]): number | undefined {
  const logs = baseline.flatMap((b, i) => {
    const c = candidate[i];
    return c !== undefined && b > 0 && c > 0 && Number.isFinite(b) && Number.isFinite(c) ? [Math.log(c / b)] : [];
  });
  return logs.length ? median(logs) : undefined;
}

/**
 * The measures a paired comparison judges: the matched per-request latency, the blocks' p50 and p95, and CPU per
 * request. p99 is not among them: a block of a few dozen requests has its p99 at its maximum.
 */
export const PAIRED_MEASURES = ['matchedLatency', 'p50Ms', 'p95Ms', 'cpuMsPerRequest'] as const;
export type PairedMeasure = (typeof PAIRED_MEASURES)[number];

export interface PairedPolicy extends ComparePolicy {
  /** Fewer usable pairs than this: inconclusive (the exact signed-rank test cannot reach α=0.05 two-sided below 6). */
  minPairs: number;
  /** Absolute floor for CPU ms per request, as minAbsoluteMs is for latency. */
  minAbsoluteCpuMs: number;
}

export const DEFAULT_PAIRED_POLICY: PairedPolicy = { ...DEFAULT_COMPARE_POLICY, minPairs: 6, minAbsoluteCpuMs: 0.5 };

export interface PairedMeasureComparison {
  measure: PairedMeasure;
  pairs: number;
  baselineMedian: number;
  candidateMedian: number;
  /** Median over pairs of candidate / baseline, minus 1 (+0.3 = 30 % slower): the effect the floors apply to. */
  relativeChange: number;
  /** Pairs in which the candidate measured higher. */
  higher: number;
  /** Wilcoxon signed-rank over the pairs' log ratios, two-sided. */
  pValue: number;
  verdict: 'same' | 'improved' | 'regressed';
}

export interface PairedComparison {
  verdict: 'same' | 'improved' | 'regressed' | 'inconclusive';
  pValue?: number;
  /** The largest relative change of a judged latency measure (+0.07 = 7 % slower). */
  maxRelativeChange?: number;
  /** The CPU-per-request change, the measure least moved by what else runs on the machine. */
  cpuRelativeChange?: number;
  reason: string;
  perMeasure: PairedMeasureComparison[];
}

/**
 * Judges candidate against baseline over blocks sent in pairs (both blocks of a pair at once) in the same run: per pair the ratio
 * candidate / baseline of each measure, a Wilcoxon signed-rank test over the pairs' log ratios, and the effect-size
 * floors on the median ratio and the absolute difference of medians. What the machine was doing hits both blocks of
 * a pair, so it cancels in the ratio instead of masquerading as a regression.
 *
 * @example
 *   comparePaired(pairs).verdict; // 'same' | 'improved' | 'regressed' | 'inconclusive'
 */
export function comparePaired(pairs: readonly BlockPair[], policy: PairedPolicy = DEFAULT_PAIRED_POLICY): PairedComparison {
  const usable = pairs.filter((p) => p.baseline.requests > 0 && p.candidate.requests > 0 && p.baseline.p50Ms > 0 && p.candidate.p50Ms > 0);
  if (usable.length < policy.minPairs) return { verdict: 'inconclusive', reason: `needs ≥${policy.minPairs} block pairs that both answered (got ${usable.length} of ${pairs.length})`, perMeasure: [] };
  const perMeasure = PAIRED_MEASURES.flatMap((measure): PairedMeasureComparison[] => {
    const rows = usable.flatMap((p) => {
      // The matched measure's level is the blocks' p50, its per-pair change the matched per-request ratio.
      const b = measure === 'matchedLatency' ? p.baseline.p50Ms : p.baseline[measure];
      const c = measure === 'matchedLatency' ? p.candidate.p50Ms : p.candidate[measure];
      const log = measure === 'matchedLatency' ? p.matchedLogRatio : b !== undefined && c !== undefined && b > 0 && c > 0 ? Math.log(c / b) : undefined;
      return b !== undefined && c !== undefined && log !== undefined ? [{ b, c, log }] : [];
    });
    if (rows.length < policy.minPairs) return [];
    const logRatios = rows.map((r) => r.log);
    const relativeChange = Math.exp(median(logRatios)) - 1;
    const baselineMedian = median(rows.map((r) => r.b));
    const candidateMedian = median(rows.map((r) => r.c));
    const floor = measure === 'cpuMsPerRequest' ? policy.minAbsoluteCpuMs : policy.minAbsoluteMs;
    const { pValue } = wilcoxonSignedRank(logRatios);
    // The absolute floor applies to the change the ratio implies at the baseline's level.
    const material = Math.abs(baselineMedian * relativeChange) >= floor && Math.abs(relativeChange) >= policy.minRelative;
    const verdict = pValue < policy.alpha && material ? (relativeChange > 0 ? 'regressed' : 'improved') : 'same';
    return [{ measure, pairs: rows.length, baselineMedian, candidateMedian, relativeChange, higher: logRatios.filter((x) => x > 0).length, pValue, verdict }];
  });
  const latency = perMeasure.filter((m) => m.measure !== 'cpuMsPerRequest');
  const cpu = perMeasure.find((m) => m.measure === 'cpuMsPerRequest');
  const regressed = perMeasure.filter((m) => m.verdict === 'regressed');
  const improved = perMeasure.filter((m) => m.verdict === 'improved');
  const verdict = regressed.length ? 'regressed' : improved.length ? 'improved' : 'same';
  const deciding = regressed.length ? regressed : improved.length ? improved : perMeasure;
  return {
    verdict,
    pValue: Math.min(...deciding.map((m) => m.pValue)),
    maxRelativeChange: Math.max(...latency.map((m) => m.relativeChange)),
    ...(cpu ? { cpuRelativeChange: cpu.relativeChange } : {}),
    reason: `${usable.length} block pairs: ${perMeasure.map((m) => describePairedMeasure(m, policy)).join('; ')}`,
    perMeasure,
  };
}

/** One paired measure as a release manager reads it: "p50 ×1.31 (8/8 pairs slower), 812→1063 ms: regressed (signed-rank p=0.0078)". */
export function describePairedMeasure(m: PairedMeasureComparison, policy: PairedPolicy = DEFAULT_PAIRED_POLICY): string {
  const cpu = m.measure === 'cpuMsPerRequest';
  const name = cpu ? 'CPU/request' : m.measure === 'matchedLatency' ? 'per-request latency (matched)' : m.measure.replace(/Ms$/, '');
  const digits = cpu ? 1 : 0;
  const pct = `${m.relativeChange >= 0 ? '+' : ''}${(m.relativeChange * 100).toFixed(1)} %`;
  const level = m.measure === 'matchedLatency' ? '' : `, ${m.baselineMedian.toFixed(digits)}→${m.candidateMedian.toFixed(digits)} ms`;
  const head = `${name} ${pct} (${m.higher}/${m.pairs} pairs higher)${level}`;
  const stat = `(signed-rank p=${m.pValue.toPrecision(2)})`;
  if (m.verdict !== 'same') return `${head}: ${m.verdict} ${stat}`;
  const floor = cpu ? policy.minAbsoluteCpuMs : policy.minAbsoluteMs;
  if (Math.abs(m.relativeChange) < policy.minRelative) return `${head}, below the ${(policy.minRelative * 100).toFixed(0)} % floor ${stat}`;
  if (Math.abs(m.baselineMedian * m.relativeChange) < floor) return `${head}, below the ${floor} ms floor ${stat}`;
  return `${head}, not significant at α=${policy.alpha} ${stat}`;
}

/** Sum or max of an optional field, kept only when every shard measured it. */
function combine(rs: readonly LoadResult[], key: keyof LoadResult, how: 'sum' | 'max'): number | undefined {
  const values = rs.map((r) => r[key]);
  if (!values.every((v): v is number => typeof v === 'number')) return undefined;
  return how === 'sum' ? sum(values) : Math.max(...values);
}

/**
 * The shards of one run index ran side by side against the same URL, so together they are one run at the full
 * rate: counts and rates add up; a percentile is the max over the shards, an upper bound of the true combined
 * percentile (a mixture's quantile lies between its parts'), since results carry per-run percentiles, not
 * per-request latencies. A run index with a single result (an unsharded run) is returned unchanged.
 *
 * @example
 *   combineShardRuns([{ run: 0, shard: '1/2', rps: 4, … }, { run: 0, shard: '2/2', rps: 4, … }]); // [{ run: 0, rps: 8, … }]
 */
export function combineShardRuns(results: readonly LoadResult[]): LoadResult[] {
  const byRun = new Map<number, LoadResult[]>();
  for (const r of results) byRun.set(r.run, [...(byRun.get(r.run) ?? []), r]);
  return [...byRun.entries()]
    .sort(([a], [b]) => a - b)
    .map(([run, rs]): LoadResult => {
      if (rs.length === 1) return rs[0]!;
      const opt = (key: keyof LoadResult, how: 'sum' | 'max') => {
        const v = combine(rs, key, how);
        return v === undefined ? {} : { [key]: v };
      };
      const weighted = rs.filter((r) => r.efficiency !== undefined);
      const weight = sum(weighted.map((r) => r.requests - r.errors));
      return {
        scenario: rs[0]!.scenario,
        run,
        durationSeconds: Math.max(...rs.map((r) => r.durationSeconds)),
        requests: sum(rs.map((r) => r.requests)),
        errors: sum(rs.map((r) => r.errors)),
        rps: sum(rs.map((r) => r.rps)),
        p50Ms: Math.max(...rs.map((r) => r.p50Ms)),
        p95Ms: Math.max(...rs.map((r) => r.p95Ms)),
        p99Ms: Math.max(...rs.map((r) => r.p99Ms)),
        ...opt('p90Ms', 'max'),
        ...opt('p97_5Ms', 'max'),
        ...opt('maxMs', 'max'),
        ...opt('connections', 'sum'),
        ...opt('targetRate', 'sum'),
        ...opt('sentRate', 'sum'),
        ...opt('timeouts', 'sum'),
        ...opt('non2xx', 'sum'),
        ...opt('rssBytesMax', 'max'),
        ...opt('eventLoopDelayP99Ms', 'max'),
        ...opt('eventLoopDelayMaxMs', 'max'),
        // Efficiency is per completed request, so the shards are weighted by what they completed.
        ...(weighted.length === rs.length && weight > 0 ? { efficiency: sum(weighted.map((r) => r.efficiency! * (r.requests - r.errors))) / weight } : {}),
      };
    });
}

export interface LoadSummaryOutcome {
  summary: Omit<LoadSummary, 'comparison'>;
  /** True when some run sent >10 % fewer requests than scheduled: coordinated omission crept back, latencies may be optimistic. */
  saturated: boolean;
  /** One entry per run index (shards combined): what the summary and the baseline comparison see. */
  runs: LoadResult[];
}

/**
 * The load summary from results alone (the runner and `luminamind report merge` both call it): means for
 * throughput and efficiency, medians of per-run percentiles (robust to one noisy run), errors over requests.
 *
 * @example
 *   summariseLoad(report.results).summary.rps;
 */
export function summariseLoad(results: readonly LoadResult[]): LoadSummaryOutcome {
  const runs = combineShardRuns(results);
  const requests = sum(runs.map((r) => r.requests));
  const errors = sum(runs.map((r) => r.errors));
  const efficiencies = runs.flatMap((r) => (r.efficiency !== undefined ? [r.efficiency] : []));
  return {
    runs,
    saturated: runs.some((r) => r.sentRate !== undefined && r.targetRate !== undefined && r.sentRate < 0.9 * r.targetRate),
    summary: {
      runs: runs.length,
      rps: mean(runs.map((r) => r.rps)),
      p50Ms: median(runs.map((r) => r.p50Ms)),
      p95Ms: median(runs.map((r) => r.p95Ms)),
      p99Ms: median(runs.map((r) => r.p99Ms)),
      errorRate: requests ? Math.min(1, errors / requests) : 0,
      ...(efficiencies.length ? { efficiency: mean(efficiencies) } : {}),
    },
  };
}

/**
 * The summary's verdict against a baseline (compareRuns is pure), inconclusive without one. `note` is appended
 * to the reason (e.g. a saturation warning, or how shards were combined).
 *
 * @example
 *   const { summary } = compareWithBaseline('load/baselines/smoke.json', await readBaseline(path), outcome.runs);
 */
export function compareWithBaseline(
  path: string,
  baseline: Baseline | undefined,
  runs: readonly LoadResult[],
  policy: ComparePolicy = DEFAULT_COMPARE_POLICY,
  note?: string,
): { comparison?: LoadRunComparison; summary: LoadComparison } {
  let comparison: LoadRunComparison | undefined;
  let summary: LoadComparison;
  if (baseline) {
    comparison = compareRuns(baseline.runs, runs, policy);
    summary = {
      baseline: path,
      verdict: comparison.verdict,
      ...(comparison.pValue !== undefined ? { pValue: comparison.pValue } : {}),
      ...(comparison.maxRelativeChange !== undefined && Number.isFinite(comparison.maxRelativeChange) ? { maxRelativeChange: comparison.maxRelativeChange } : {}),
      reason: comparison.reason,
    };
  } else {
    summary = { baseline: path, verdict: 'inconclusive', reason: `no baseline at ${path}; record one with --update-baseline` };
  }
  if (note) summary = { ...summary, reason: `${summary.reason ?? ''} (${note})`.trim() };
  return { comparison, summary };
}

/** A load report's summary measures as its results give them (what the gate's load checks read). */
export function loadSummary(report: Pick<LoadReport, 'results'>): Omit<LoadSummary, 'comparison'> {
  return summariseLoad(report.results).summary;
}

const LOAD_RESULT_KEYS = LoadResultSchema.keyof().options;

/**
 * The envelope's result of one run measurement: its known fields only. The envelope rejects unknown fields (a
 * reader must not take what it cannot check), so a producer's extra measurements go to its config, not here.
 *
 * @example
 *   loadResultOf({ ...run, capHits: 0 }); // no capHits
 */
export function loadResultOf(run: LoadResult): LoadResult {
  return Object.fromEntries(LOAD_RESULT_KEYS.flatMap((k) => (run[k] === undefined ? [] : [[k, run[k]]]))) as LoadResult;
}

/** A load result's identity within one report: its run index and shard. */
export const loadResultId = (r: Pick<LoadResult, 'run' | 'shard'>): string => `run ${r.run} shard ${r.shard ?? 'unsharded'}`;

/**
 * Why a load report cannot stand as evidence, or nothing: no runs, a run that sent nothing, or duplicated runs.
 */
export function loadIntegrity(report: Pick<LoadReport, 'results'>): string[] {
  const problems: string[] = [];
  if (report.results.length === 0) problems.push('no load runs');
  const empty = report.results.filter((r) => r.requests === 0);
  if (empty.length) problems.push(`${empty.length} run(s) sent nothing (${empty.map(loadResultId).join(', ')}): no latency or error rate was measured`);
  const dup = duplicatedIds(report.results.map(loadResultId));
  if (dup.length) problems.push(`duplicated runs: ${dup.join(', ')}`);
  return problems;
}
