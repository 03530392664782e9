import { matchedLogRatio, type BlockMeasure, type BlockPair } from '../evals/report/index.js';
import { startDelayProxy, type DelayProxy } from './delay-proxy.js';
import { AgainstFailedError } from './errors.js';
import { processCpuMs } from './process-cpu.js';
import type { Profile } from './profiles.js';
import type { AgainstRef } from './ref-worktree.js';
import { checkoutWorktree, type RefWorktree } from './ref-worktree.js';
import { runOnce, type RunMeasurement } from './runner.js';
import { startLoadSimulator, startServiceTarget, type LoadTarget } from './target.js';

export interface PairedOptions {
  profile: Profile;
  against: AgainstRef;
  /** Block pairs to judge; the two blocks of a pair run at the same time. */
  pairs: number;
  /** Seconds of open-loop load per block, at the profile's rate. */
  blockSeconds: number;
  /** Test-only knob: the candidate's answers are held back by this share of their own time (0.3 = +30 % latency). */
  slowCandidate?: number;
  onProgress?: (line: string) => void;
}

export type BlockRun = RunMeasurement & { cpuMsPerRequest?: number };

export interface PairedRun {
  pairs: BlockPair[];
  candidate: BlockRun[];
  baseline: BlockRun[];
  deps: string;
  /** Where REF was checked out (removed by the time runPaired returns). */
  worktree: string;
  /** How the blocks were sent: each pair's A (REF) and B (candidate) at once, and which sender started first per pair. */
  order: string;
}

const cleanups = new Set<() => Promise<void>>();
let signalsHooked = false;

/** Ctrl-C or a CI cancel during a paired run still removes the worktree and stops both services. */
function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      process.stderr.write(`load: ${signal}: removing the --against worktree and stopping the services …\n`);
      void Promise.allSettled([...cleanups].map((c) => c())).then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
}

/** One block against one side: the open-loop run of the profile for blockSeconds, with the service's CPU time from /proc around it. */
async function block(target: LoadTarget, profile: Profile, pair: number): Promise<BlockRun> {
  const pid = target.pid?.();
  const cpu = () => {
    try {
      return pid ? processCpuMs(pid) : undefined;
    } catch {
      return undefined; // /proc unreadable (not Linux): CPU is simply not reported.
    }
  };
  const before = cpu();
  // The same pair index → the same seed → the same request sequence on both sides of a pair.
  const m = await runOnce(target, profile, pair);
  const after = cpu();
  return { ...m, ...(before !== undefined && after !== undefined && m.requests > 0 ? { cpuMsPerRequest: (after - before) / m.requests } : {}) };
}

const measureOf = (b: BlockRun): BlockMeasure => ({ p50Ms: b.p50Ms, p95Ms: b.p95Ms, p99Ms: b.p99Ms, requests: b.requests, errors: b.errors, ...(b.cpuMsPerRequest !== undefined ? { cpuMsPerRequest: b.cpuMsPerRequest } : {}) });

const describe = (b: BlockRun) => `p50 ${b.p50Ms.toFixed(0)} ms, p95 ${b.p95Ms.toFixed(0)} ms, errors ${b.errors}/${b.requests}${b.cpuMsPerRequest !== undefined ? `, CPU ${b.cpuMsPerRequest.toFixed(1)} ms/request` : ''}`;

/**
 * One pair: both sides' blocks at once with the same pair index (→ the same seed → the same request sequence), each
 * from its own open-loop sender, started `first`-side first. Resolves when both have drained. Each side's CPU is read
 * from /proc for its own pid around its own block, so running together does not mix the two processes' CPU time.
 */
async function simultaneousPair(baseline: LoadTarget, candidate: LoadTarget, profile: Profile, pair: number, first: 'A' | 'B'): Promise<{ A: BlockRun; B: BlockRun }> {
  // Array order is start order: each block() starts its sender synchronously up to its first send's wait.
  if (first === 'A') {
    const [A, B] = await Promise.all([block(baseline, profile, pair), block(candidate, profile, pair)]);
    return { A, B };
  }
  const [B, A] = await Promise.all([block(candidate, profile, pair), block(baseline, profile, pair)]);
  return { A, B };
}

/**
 * Serves REF (from a temporary worktree) beside the candidate (this checkout), both as real service processes on
 * loopback, each behind its own instance of the same simulator (cassettes, latency model), and runs each pair's two blocks AT THE SAME TIME: A (REF) and
 * B (candidate) get the same seeded request sequence simultaneously, each from its own open-loop sender. Whatever
 * else the machine does then lands on both sides of a pair at the same moment, which pairs better than blocks sent
 * one after the other (A B B A …, where a burst of other work could hit one block and miss its partner), and the
 * stage takes about half the time. A warm-up pair comes first and is not judged. Everything it started is stopped,
 * and the worktree removed, on return, on error and on SIGINT/SIGTERM.
 */
export async function runPaired(options: PairedOptions): Promise<PairedRun> {
  const progress = options.onProgress ?? (() => {});
  const { against, pairs } = options;
  const profile: Profile = { ...options.profile, durationSeconds: options.blockSeconds };
  const started: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of started.splice(0).reverse()) await stop().catch(() => {});
  };
  hookSignals();
  cleanups.add(stopAll);
  try {
    progress(`load: --against ${against.requested} → ${against.ref} ${against.sha.slice(0, 12)} (${against.chosen}); checking it out in a temporary worktree …`);
    const worktree: RefWorktree = await checkoutWorktree(against.sha, process.cwd(), progress);
    started.push(worktree.remove);
    // One simulator per side, both the same (cassettes, latency model) and in this process: with both sides loaded at
    // once, a shared simulator's served/token counters would mix the two sides' model calls into each block's
    // model-time ledger (the efficiency figure doubled and capped at 1 in a trial run).
    const [refSim, ownSim] = await Promise.all([startLoadSimulator(profile.latency), startLoadSimulator(profile.latency)]);
    started.push(() => refSim.close(), () => ownSim.close());
    // Side by side (nothing is measured yet), each registered for cleanup as soon as it is up: a REF that cannot start
    // must not orphan the other. A fresh worktree's TypeScript is compiled cold, and the machine may be busy: longer
    // than a warm start needs.
    const [ref, own] = await Promise.allSettled([startServiceTarget(refSim, { root: worktree.dir, readyTimeoutMs: 90_000 }), startServiceTarget(ownSim, { readyTimeoutMs: 90_000 })]);
    for (const side of [ref, own]) if (side.status === 'fulfilled') started.push(side.value.close);
    if (ref.status === 'rejected') throw new AgainstFailedError(against.sha.slice(0, 12), `its service did not start: ${ref.reason instanceof Error ? ref.reason.message : String(ref.reason)}`);
    if (own.status === 'rejected') throw own.reason;
    const [baseline, service] = [ref.value, own.value];
    let candidate: LoadTarget = service;
    if (options.slowCandidate) {
      const proxy: DelayProxy = await startDelayProxy(service.url, options.slowCandidate);
      started.push(proxy.close);
      candidate = { ...service, url: proxy.url };
      progress(`load: test knob --slow-candidate ${options.slowCandidate}: the candidate's answers are held back ${(options.slowCandidate * 100).toFixed(0)} % of their own time`);
    }
    progress(`load: REF ${against.sha.slice(0, 12)} at ${baseline.url} (${worktree.deps}), candidate (this checkout) at ${service.url}; a simulator each, the same (ttft ${profile.latency.ttftMs} ms, ${profile.latency.tokensPerSecond} tok/s)`);
    // The warm-up is needed: a service's first requests compile code paths (tsx, cold in REF's fresh worktree) and
    // fill caches, which would make pair 1 measure start-up instead of the code. It is not judged.
    progress(`load: warm-up, one ${options.blockSeconds} s block per side, side by side (not judged) …`);
    await simultaneousPair(baseline, candidate, profile, -1, 'A');
    const results: BlockPair[] = [];
    const runs = { A: [] as BlockRun[], B: [] as BlockRun[] };
    const order: string[] = [];
    // No pause between pairs: each block already waits for its last request to finish, so nothing of one pair is in
    // flight during the next; a pause measured nothing, and whatever settles after a pair (GC, timers) settles in both
    // processes at the same moment, so it lands on both sides of the next pair alike.
    for (let k = 0; k < pairs; k++) {
      // Both senders share this process's event loop and fire request i at the same intended time; the one started
      // first dispatches a hair earlier, so which one that is alternates per pair (counterbalanced, as A B B A was).
      const first = k % 2 === 0 ? 'A' : 'B';
      const { A: a, B: b } = await simultaneousPair(baseline, candidate, profile, k, first);
      runs.A.push(a);
      runs.B.push(b);
      order.push(first === 'A' ? 'A|B' : 'B|A');
      progress(`pair ${k + 1}/${pairs} A (REF): ${describe(a)}`);
      progress(`pair ${k + 1}/${pairs} B (candidate): ${describe(b)}`);
      const matched = matchedLogRatio(a.latencyByIndex, b.latencyByIndex);
      results.push({ pair: k, baseline: measureOf(a), candidate: measureOf(b), ...(matched !== undefined ? { matchedLogRatio: matched } : {}) });
    }
    const schedule = `simultaneous: each pair's A (REF) and B (candidate) at the same time, same seeded sequence, one open-loop sender each; the sender started first per pair: ${order.join(' ')}`;
    return { pairs: results, candidate: runs.B, baseline: runs.A, deps: worktree.deps, worktree: worktree.dir, order: schedule };
  } finally {
    await stopAll();
    cleanups.delete(stopAll);
  }
}
