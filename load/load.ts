import {
  compareWithBaseline,
  defaultReportPath,
  DEFAULT_COMPARE_POLICY,
  formatShard,
  gitInfo,
  loadResultOf,
  readBaseline,
  writeReport,
  type LoadComparison,
  type LoadReport,
  type LoadRunComparison,
  type Shard,
} from '../evals/report/index.js';
import { baselinePath, writeBaseline } from './baseline.js';
import type { Profile } from './profiles.js';
import { runProfile } from './runner.js';
import { remoteTarget, startLocalTarget, type LoadTarget } from './target.js';

export interface LoadOptions {
  profile: Profile;
  /** Target an existing service; else one is started in-process with the simulator behind it. */
  url?: string;
  redisUrl?: string;
  out?: string;
  baselineDir?: string;
  updateBaseline?: boolean;
  onProgress?: (line: string) => void;
  /** Send rate/n of the profile as the i-th of n shards run side by side against the same url; merge their reports. */
  shard?: Shard;
}

/**
 * The share of a profile one of n shards sends: rate/n (and maxConnections/n rounded up), so the n shards
 * together offer the profile's full rate.
 *
 * @example
 *   shardProfile(PROFILES.baseline, { index: 1, count: 4 }).rate; // 15
 */
export function shardProfile(profile: Profile, shard: Shard | undefined): Profile {
  if (!shard || shard.count === 1) return profile;
  return { ...profile, rate: profile.rate / shard.count, ...(profile.maxConnections !== undefined ? { maxConnections: Math.max(1, Math.ceil(profile.maxConnections / shard.count)) } : {}) };
}

export interface LoadOutcome {
  path: string;
  report: LoadReport;
  comparison?: LoadRunComparison;
}

/** Runs a profile, compares it with the stored baseline (rewritten only with updateBaseline) and writes reports/load/report.json. */
export async function runLoad(options: LoadOptions): Promise<LoadOutcome> {
  const progress = options.onProgress ?? (() => {});
  const { shard } = options;
  const sharded = shard !== undefined && shard.count > 1;
  if (sharded && !options.url) throw new Error('--shard needs --url: the shards must load one service together');
  if (sharded && options.updateBaseline) throw new Error('--update-baseline records a whole run, not a shard: merge the shards first');
  const profile = shardProfile(options.profile, shard);
  const started = Date.now();
  const target: LoadTarget = options.url ? remoteTarget(options.url) : await startLocalTarget(profile.latency, { redisUrl: options.redisUrl });
  progress(`load: profile ${profile.name} against ${target.url}${target.inProcess ? ' (local service process, simulator with ttft ' + profile.latency.ttftMs + ' ms, ' + profile.latency.tokensPerSecond + ' tok/s)' : ''}`);
  let result;
  try {
    result = await runProfile(target, profile, progress);
    if (shard) result = { ...result, runs: result.runs.map((r) => ({ ...r, shard: formatShard(shard) })) };
  } finally {
    await target.close();
  }
  const git = await gitInfo();
  const path = baselinePath(options.baselineDir ?? 'load/baselines', profile.name);
  const baseline = await readBaseline(path);
  let comparison: LoadRunComparison | undefined;
  let summaryComparison: LoadComparison;
  if (sharded) {
    // A shard offers rate/n, the baseline the full rate: only the merged report is comparable (report merge recomputes it).
    summaryComparison = { baseline: path, verdict: 'inconclusive', reason: `shard ${formatShard(shard)} of one run; merge the shards (luminamind report merge) to compare with the baseline` };
  } else ({ comparison, summary: summaryComparison } = compareWithBaseline(path, baseline, result.runs, DEFAULT_COMPARE_POLICY));
  if (result.saturated) summaryComparison = { ...summaryComparison, reason: `${summaryComparison.reason ?? ''} (warning: a run hit its connection cap of rate × timeout requests in flight, or sent < 90 % of its schedule: the service or this machine fell behind)`.trim() };
  if (options.updateBaseline) {
    await writeBaseline(path, profile.name, result.runs, git);
    progress(`load: baseline ${path} rewritten (--update-baseline)`);
  }
  const written = await writeReport(
    'load',
    {
      git,
      mode: 'simulated',
      model: target.inProcess ? 'sim' : 'external',
      config: {
        profile,
        shard: shard ? formatShard(shard) : null,
        target: target.inProcess ? `local process ${target.url}` : target.url,
        redis: Boolean(options.redisUrl),
        comparePolicy: DEFAULT_COMPARE_POLICY,
        perPercentile: comparison?.perPercentile ?? [],
        saturated: result.saturated,
        sender: {
          kind: 'open-loop (load/open-loop.ts)',
          arrivals: 'fixed interval: t_i = t0 + i / rate; mix in seeded shuffled rounds',
          latencyFrom: 'intended send time (coordinated omission corrected by construction)',
          perRun: result.runs.map((r) => ({ run: r.run, sentRate: r.sentRate, sendLagP99Ms: r.sendLagP99Ms, peakConnections: r.connections, maxConnections: r.maxConnections, capHits: r.capHits, ...(r.streamedTtfbP50Ms !== undefined ? { streamedTtfbP50Ms: r.streamedTtfbP50Ms } : {}) })),
        },
        wallSeconds: Math.round((Date.now() - started) / 1000),
        efficiencyDefinition: 'measured rps / (C / L): C = mean requests in flight (rps × mean latency), L = simulated model time per request',
      },
      summary: { ...result.summary, comparison: summaryComparison },
      results: result.runs.map(loadResultOf),
    },
    options.out ?? defaultReportPath('load'),
  );
  return { ...written, comparison };
}
