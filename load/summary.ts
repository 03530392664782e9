import type { LoadComparison, LoadResult, LoadSummary } from '../evals/report/envelope.js';
import type { Baseline } from './baseline.js';
import { compareRuns, DEFAULT_COMPARE_POLICY, type ComparePolicy, type Comparison } from './compare.js';

function mean(values: readonly number[]): number {
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : 0;
}

function medianOf(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : 0;
}

const sum = (values: readonly number[]): number => values.reduce((s, v) => s + v, 0);

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
      p50Ms: medianOf(runs.map((r) => r.p50Ms)),
      p95Ms: medianOf(runs.map((r) => r.p95Ms)),
      p99Ms: medianOf(runs.map((r) => r.p99Ms)),
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
): { comparison?: Comparison; summary: LoadComparison } {
  let comparison: Comparison | undefined;
  let summary: LoadComparison;
  if (baseline) {
    comparison = compareRuns(baseline.runs, runs, policy);
    summary = { baseline: path, verdict: comparison.verdict, ...(comparison.pValue !== undefined ? { pValue: comparison.pValue } : {}), reason: comparison.reason };
  } else {
    summary = { baseline: path, verdict: 'inconclusive', reason: `no baseline at ${path}; record one with --update-baseline` };
  }
  if (note) summary = { ...summary, reason: `${summary.reason ?? ''} (${note})`.trim() };
  return { comparison, summary };
}
