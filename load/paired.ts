import { setTimeout as sleep } from 'node:timers/promises';
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
  /** Block pairs to judge (A B, then B A, …). */
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
  /** Blocks in the order they were sent, e.g. A B B A A B … (A = baseline). */
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
 * Serves REF (from a temporary worktree) beside the candidate (this checkout), both as real service processes on
 * loopback behind one simulator with one latency model, and sends them interleaved blocks A B B A A B … with the
 * same request sequence per pair, so whatever else the machine does lands on both sides of each pair. A warm-up
 * block per side comes first and is not judged. Everything it started is stopped, and the worktree removed, on
 * return, on error and on SIGINT/SIGTERM.
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
    const sim = await startLoadSimulator(profile.latency);
    started.push(() => sim.close());
    // Side by side (nothing is measured yet), each registered for cleanup as soon as it is up: a REF that cannot start
    // must not orphan the other. A fresh worktree's TypeScript is compiled cold, and the machine may be busy: longer
    // than a warm start needs.
    const [ref, own] = await Promise.allSettled([startServiceTarget(sim, { root: worktree.dir, readyTimeoutMs: 90_000 }), startServiceTarget(sim, { readyTimeoutMs: 90_000 })]);
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
    progress(`load: REF ${against.sha.slice(0, 12)} at ${baseline.url} (${worktree.deps}), candidate (this checkout) at ${service.url}; one simulator (ttft ${profile.latency.ttftMs} ms, ${profile.latency.tokensPerSecond} tok/s)`);
    const sides = { A: { name: 'REF', target: baseline }, B: { name: 'candidate', target: candidate } } as const;
    const pause = () => (profile.pauseSeconds > 0 ? sleep(Math.min(profile.pauseSeconds, 0.5) * 1000) : Promise.resolve());
    // Both sides at once: the warm-up only brings each process's code and caches up to speed and is not judged.
    progress(`load: warm-up, one ${options.blockSeconds} s block per side, side by side (not judged) …`);
    await Promise.all([block(baseline, profile, -1), block(candidate, profile, -1)]);
    const results: BlockPair[] = [];
    const runs = { A: [] as BlockRun[], B: [] as BlockRun[] };
    const order: string[] = [];
    for (let k = 0; k < pairs; k++) {
      const sequence = k % 2 === 0 ? (['A', 'B'] as const) : (['B', 'A'] as const);
      for (const side of sequence) {
        await pause();
        const b = await block(sides[side].target, profile, k);
        runs[side].push(b);
        order.push(side);
        progress(`pair ${k + 1}/${pairs} ${side} (${sides[side].name}): ${describe(b)}`);
      }
      const [a, b] = [runs.A.at(-1)!, runs.B.at(-1)!];
      const matched = matchedLogRatio(a.latencyByIndex, b.latencyByIndex);
      results.push({ pair: k, baseline: measureOf(a), candidate: measureOf(b), ...(matched !== undefined ? { matchedLogRatio: matched } : {}) });
    }
    return { pairs: results, candidate: runs.B, baseline: runs.A, deps: worktree.deps, worktree: worktree.dir, order: order.join(' ') };
  } finally {
    await stopAll();
    cleanups.delete(stopAll);
  }
}
