import { type Command, InvalidArgumentError } from 'commander';
import { isProfileId, PROFILES, ProfileSchema, type ProfileId } from './profiles.js';
import { shardOption, type Shard } from '../evals/report/index.js';
import { runLoad } from './load.js';

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

function share(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 10) throw new InvalidArgumentError('expected a share above 0, e.g. 0.3 for +30 %');
  return n;
}

function profileId(value: string): ProfileId {
  if (!isProfileId(value)) throw new InvalidArgumentError(`expected one of ${Object.keys(PROFILES).join(', ')}`);
  return value;
}

function loopbackUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('expected an http URL');
  }
  // Load is never aimed off this machine: every load or fault test targets loopback only.
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) throw new InvalidArgumentError('only loopback targets (127.0.0.1) are allowed');
  return value;
}

interface LoadCliOptions {
  profile: ProfileId;
  url?: string;
  redis?: string;
  out?: string;
  baselineDir: string;
  updateBaseline?: boolean;
  runs?: number;
  duration?: number;
  rate?: number;
  shard?: Shard;
  against?: string;
  pairs?: number;
  blockSeconds?: number;
  slowCandidate?: number;
}

export function registerLoadCommand(program: Command): void {
  program
    .command('load')
    .description('Drive POST /v1/chat at a fixed rate over a scenario mix, n runs; compare with the baseline; write reports/load/report.json')
    .option('--profile <name>', `one of ${Object.keys(PROFILES).join(', ')}`, profileId, 'smoke' as ProfileId)
    .option('--url <url>', 'target an existing service (loopback only) instead of starting one in-process with the simulator', loopbackUrl)
    .option('--redis <url>', 'in-process service on this Redis instead of in-memory state')
    .option('--out <path>', 'report path (default reports/load/report.json)')
    .option('--baseline-dir <dir>', 'where <profile>.json baselines live', 'load/baselines')
    .option('--update-baseline', 'rewrite the baseline with this run (never done implicitly)')
    .option('--runs <n>', 'override the profile: number of runs', positive)
    .option('--duration <seconds>', 'override the profile: seconds per run', positive)
    .option('--rate <rps>', 'override the profile: fixed request rate', positive)
    .option('--shard <i/n>', 'send rate/n as the i-th of n shards run side by side against the same --url; merge the reports with `luminamind report merge`', shardOption)
    .option('--against <ref>', 'serve this commit (from a temporary git worktree) beside this checkout on one simulator and judge the difference pair by pair in this run; `auto` = merge base with main on a branch, else the last promoted commit, else HEAD~1, else HEAD (A/A)')
    .option('--pairs <n>', 'with --against: block pairs (A B, B A, …) to judge (default 8; ≥ 6 can reach α = 0.05)', positive)
    .option('--block-seconds <s>', "with --against: seconds per block (default half the profile's run)", positive)
    .option('--slow-candidate <share>', 'test only, with --against: hold the candidate\'s answers back by this share of their time (0.3 = +30 % latency)', share)
    .addHelpText(
      'after',
      '\nExit: 0 done, 1 the comparison says regressed, 2 usage.\nExamples:\n  luminamind load --profile smoke --out reports/load/report.json\n  luminamind load --profile smoke --against auto   # what the gate runs',
    )
    .action(async (opts: LoadCliOptions) => {
      const base = PROFILES[opts.profile];
      const profile = ProfileSchema.parse({
        ...base,
        ...(opts.runs ? { runs: Math.round(opts.runs) } : {}),
        ...(opts.duration ? { durationSeconds: opts.duration } : {}),
        ...(opts.rate ? { rate: opts.rate } : {}),
      });
      if (opts.shard && opts.shard.count > 1 && !opts.url) throw new InvalidArgumentError('--shard needs --url: the n shards must load one service together');
      if (opts.shard && opts.shard.count > 1 && opts.updateBaseline) throw new InvalidArgumentError('--update-baseline records a whole run: merge the shards first');
      const progress = (line: string) => process.stderr.write(`${line}\n`);
      const { path, report } = await runLoad({
        profile,
        url: opts.url,
        redisUrl: opts.redis,
        out: opts.out,
        baselineDir: opts.baselineDir,
        updateBaseline: opts.updateBaseline,
        onProgress: progress,
        shard: opts.shard,
        against: opts.against,
        pairs: opts.pairs ? Math.round(opts.pairs) : undefined,
        blockSeconds: opts.blockSeconds,
        slowCandidate: opts.slowCandidate,
      });
      const s = report.summary;
      progress(
        `load: ${s.runs} runs, ${s.rps.toFixed(1)} req/s, p50 ${s.p50Ms} ms, p95 ${s.p95Ms} ms, p99 ${s.p99Ms} ms, errors ${(s.errorRate * 100).toFixed(2)} %` +
          (s.efficiency !== undefined ? `, efficiency ${s.efficiency.toFixed(3)}` : '') +
          `; vs ${s.comparison?.method === 'paired' ? `REF ${s.comparison.against?.sha.slice(0, 12)} (paired)` : 'baseline'}: ${s.comparison?.verdict}` +
          (s.comparison?.pValue !== undefined ? `, p=${s.comparison.pValue.toPrecision(2)}` : '') +
          (s.comparison?.maxRelativeChange !== undefined ? `, effect ${(s.comparison.maxRelativeChange * 100).toFixed(1)} %` : '') +
          ` (${s.comparison?.reason ?? ''})`,
      );
      process.stdout.write(`${path}\n`);
      if (s.comparison?.verdict === 'regressed') process.exitCode = 1;
    });
}
