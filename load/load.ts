import {
  comparePaired,
  compareWithBaseline,
  defaultReportPath,
  DEFAULT_COMPARE_POLICY,
  DEFAULT_PAIRED_POLICY,
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
import { LoadUsageError } from './errors.js';
import { runPaired, type PairedRun } from './paired.js';
import type { Profile } from './profiles.js';
import { resolveAgainst, type AgainstRef } from './ref-worktree.js';
import { runProfile, outcomeOfRuns, type ProfileRun } from './runner.js';
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
  /** A commit (or `auto`) to serve beside this checkout and judge against, pair by pair, in this run (runPaired). */
  against?: string;
  /** With against: block pairs (default 8) and seconds per block (default half the profile's run). */
  pairs?: number;
  blockSeconds?: number;
  /** With against, test-only: hold the candidate's answers back by this share of their time (0.3 = +30 %). */
  slowCandidate?: number;
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
  if (options.against !== undefined) return runPairedLoad(options);
  if (options.slowCandidate) throw new LoadUsageError('--slow-candidate slows one side of a paired run: it needs --against');
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

/** The paired verdict as the report's comparison; an `auto` run that found no earlier commit cannot speak of a regression. */
function pairedComparison(against: AgainstRef, paired: PairedRun): LoadComparison {
  const c = comparePaired(paired.pairs, DEFAULT_PAIRED_POLICY);
  const refErrors = paired.baseline.reduce((n, b) => n + b.errors, 0);
  const refRequests = paired.baseline.reduce((n, b) => n + b.requests, 0);
  const base = {
    baseline: `${against.ref} ${against.sha.slice(0, 12)} (served beside the candidate in this run)`,
    method: 'paired' as const,
    against: { ref: against.ref, sha: against.sha, chosen: against.chosen, selfComparison: against.selfComparison },
    pairs: paired.pairs.length,
    ...(c.pValue !== undefined ? { pValue: c.pValue } : {}),
    ...(c.maxRelativeChange !== undefined && Number.isFinite(c.maxRelativeChange) ? { maxRelativeChange: c.maxRelativeChange } : {}),
    ...(c.cpuRelativeChange !== undefined && Number.isFinite(c.cpuRelativeChange) ? { cpuRelativeChange: c.cpuRelativeChange } : {}),
  };
  const aa = against.selfComparison ? ' (A/A: REF is the candidate\'s own commit and the tree is clean)' : '';
  if (against.fellBackToHead) return { ...base, verdict: 'inconclusive', reason: `no earlier commit to compare with (${against.chosen}); the A/A comparison said ${c.verdict}: ${c.reason}` };
  // A REF that mostly failed (e.g. its agent no longer matches the load cassettes) gives no latency to compare with.
  if (refRequests > 0 && refErrors / refRequests > 0.05) return { ...base, verdict: 'inconclusive', reason: `REF failed ${refErrors} of ${refRequests} requests, so its latency is no baseline; ${c.reason}` };
  return { ...base, verdict: c.verdict, reason: `${c.reason}${aa}` };
}

/** `load --against`: REF and the candidate served side by side, judged pair by pair; the candidate's blocks are the report's runs. */
async function runPairedLoad(options: LoadOptions): Promise<LoadOutcome> {
  if (options.url) throw new LoadUsageError('--against starts both services itself: drop --url');
  if (options.shard && options.shard.count > 1) throw new LoadUsageError('--against judges one unsharded run: drop --shard');
  if (options.updateBaseline) throw new LoadUsageError('--update-baseline records full profile runs: run it without --against');
  if (options.redisUrl) throw new LoadUsageError('--against serves both sides with in-memory state: drop --redis');
  const progress = options.onProgress ?? (() => {});
  const { profile } = options;
  const pairs = options.pairs ?? 8;
  const blockSeconds = options.blockSeconds ?? profile.durationSeconds / 2;
  const started = Date.now();
  const against = await resolveAgainst(options.against!);
  if (against.fellBackToHead) progress(`load: --against auto found no earlier commit: ${against.chosen}`);
  const paired = await runPaired({ profile, against, pairs, blockSeconds, slowCandidate: options.slowCandidate, onProgress: progress });
  // The candidate's blocks are the report's runs: the gate's absolute thresholds (p95, error rate) read them.
  const result: ProfileRun = { runs: paired.candidate, ...outcomeOfRuns(paired.candidate) };
  const comparison = pairedComparison(against, paired);
  const storedPath = baselinePath(options.baselineDir ?? 'load/baselines', profile.name);
  const stored = compareWithBaseline(storedPath, await readBaseline(storedPath), result.runs, DEFAULT_COMPARE_POLICY);
  const git = await gitInfo();
  const written = await writeReport(
    'load',
    {
      git,
      mode: 'simulated',
      model: 'sim',
      config: {
        profile: { ...profile, durationSeconds: blockSeconds },
        shard: null,
        target: 'two local service processes (REF from a git worktree, the candidate from this checkout), each on its own instance of the same simulator (cassettes, latency model)',
        redis: false,
        comparePolicy: DEFAULT_PAIRED_POLICY,
        against: {
          requested: against.requested,
          ref: against.ref,
          sha: against.sha,
          chosen: against.chosen,
          selfComparison: against.selfComparison,
          dependencies: paired.deps,
          worktree: `${paired.worktree} (removed)`,
          pairs,
          blockSeconds,
          order: paired.order,
          test: 'Wilcoxon signed-rank over per-pair log(candidate / REF) of p50, p95 and CPU ms per request; effect = median ratio − 1, floors as comparePolicy',
          ...(options.slowCandidate ? { slowCandidate: options.slowCandidate } : {}),
          refBlocks: paired.baseline.map((b) => ({ run: b.run, requests: b.requests, errors: b.errors, p50Ms: b.p50Ms, p95Ms: b.p95Ms, p99Ms: b.p99Ms, cpuMsPerRequest: b.cpuMsPerRequest ?? null })),
          candidateCpuMsPerRequest: paired.candidate.map((b) => b.cpuMsPerRequest ?? null),
          perMeasure: comparePaired(paired.pairs, DEFAULT_PAIRED_POLICY).perMeasure,
        },
        storedBaselineComparison: { ...stored.summary, note: 'informational: the stored baseline was recorded at another time; the verdict is the paired one' },
        perPercentile: [],
        saturated: result.saturated,
        sender: {
          kind: 'open-loop (load/open-loop.ts)',
          arrivals: 'fixed interval: t_i = t0 + i / rate; mix in seeded shuffled rounds; both blocks of a pair send the same sequence at the same time, one sender each',
          latencyFrom: 'intended send time (coordinated omission corrected by construction)',
          perRun: result.runs.map((r) => ({ run: r.run, sentRate: r.sentRate, sendLagP99Ms: r.sendLagP99Ms, peakConnections: r.connections, maxConnections: r.maxConnections, capHits: r.capHits })),
        },
        wallSeconds: Math.round((Date.now() - started) / 1000),
        efficiencyDefinition: 'measured rps / (C / L): C = mean requests in flight (rps × mean latency), L = simulated model time per request',
      },
      summary: { ...result.summary, comparison },
      results: result.runs.map(loadResultOf),
    },
    options.out ?? defaultReportPath('load'),
  );
  return written;
}
