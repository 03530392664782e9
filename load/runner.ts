import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import type { LoadResult } from '../evals/report/envelope.js';
import type { Profile } from './profiles.js';
import { requestMix } from './scenarios.js';
import type { LoadTarget, ResourceSample } from './target.js';

export type RunMeasurement = LoadResult & ResourceSample & {
  p97_5Ms: number;
  targetRate: number;
  /** Requests sent per second: falls short of targetRate only when the pool ran out of free connections. */
  sentRate: number;
  timeouts: number;
  non2xx: number;
  /** Mean simulated model time per completed request (ms); absent when the model is not ours to measure. */
  modelMsPerRequest?: number;
  /** measured rps / (C / L), C the mean requests in flight (Little's law), L the model time per request. */
  efficiency?: number;
};

/**
 * HdrHistogram's recordValueWithExpectedInterval: autocannon's per-connection limiter sends at most `rate / connections`
 * per second and never while a request is in flight, so a response slower than that interval also stands for the
 * requests the schedule could not send meanwhile (v − I, v − 2I, …). Without this, slow phases would look rare.
 */
export function correctCoordinatedOmission(latencies: readonly number[], intervalMs: number): number[] {
  const out: number[] = [];
  for (const v of latencies) {
    out.push(v);
    for (let missing = v - intervalMs; intervalMs > 0 && missing > intervalMs; missing -= intervalMs) out.push(missing);
  }
  return out;
}

/** Nearest-rank percentile of raw latencies (ms). */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

function modelLedger(target: LoadTarget, latency: Profile['latency']): () => number | undefined {
  const sim = target.sim;
  if (!sim) return () => undefined;
  const start = sim.stats();
  return () => {
    const now = sim.stats();
    const served = now.served - start.served;
    const tokens = now.tokens.completion - start.tokens.completion;
    return served * latency.ttftMs + (latency.tokensPerSecond > 0 ? (tokens / latency.tokensPerSecond) * 1000 : 0);
  };
}

/** One autocannon run at the profile's fixed rate over the scenario mix; latencies are collected raw so every percentile is exact. */
export async function runOnce(target: LoadTarget, profile: Profile, run: number): Promise<RunMeasurement> {
  const { requests } = requestMix(profile.mix);
  const latencies: number[] = [];
  let ok = 0;
  const stopMeasure = target.measure();
  const modelMs = modelLedger(target, profile.latency);
  // Without a callback autocannon hands back its instance, which is also a promise of the result (the types miss that).
  const instance = autocannon({
    url: target.url,
    connections: profile.connections,
    duration: profile.durationSeconds,
    overallRate: profile.rate,
    timeout: profile.timeoutSeconds,
    requests,
  }) as unknown as autocannon.Instance & PromiseLike<autocannon.Result>;
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    latencies.push(Math.round(responseTime * 10) / 10);
    if (statusCode >= 200 && statusCode < 300) ok++;
  });
  const result = await instance;
  const resources = await stopMeasure();
  // autocannon caps connections at the overall rate, each connection then sends on a fixed per-second quota.
  const intervalMs = (1000 * Math.min(profile.connections, profile.rate)) / profile.rate;
  const sorted = correctCoordinatedOmission(latencies, intervalMs).sort((a, b) => a - b);
  const raw = latencies.length;
  const seconds = profile.durationSeconds;
  // Completed 2xx over the run's window; requests still in flight when the window closes are not counted.
  const rps = ok / seconds;
  const meanMs = raw ? latencies.reduce((s, v) => s + v, 0) / raw : 0;
  const totalModelMs = modelMs();
  const modelMsPerRequest = totalModelMs !== undefined && ok > 0 ? totalModelMs / ok : undefined;
  // Little's law: mean in flight C = rps × mean latency; bound C / L; measured / bound simplifies to L / mean latency.
  const efficiency = modelMsPerRequest !== undefined && meanMs > 0 ? Math.min(1, modelMsPerRequest / meanMs) : undefined;
  const errors = result.errors + result.timeouts + result.non2xx;
  return {
    scenario: 'mix',
    run,
    durationSeconds: seconds,
    connections: profile.connections,
    targetRate: profile.rate,
    sentRate: result.requests.sent / seconds,
    requests: raw + result.errors + result.timeouts,
    errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    rps,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p95Ms: percentile(sorted, 95),
    p97_5Ms: percentile(sorted, 97.5),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? 0,
    ...resources,
    ...(modelMsPerRequest !== undefined ? { modelMsPerRequest } : {}),
    ...(efficiency !== undefined ? { efficiency } : {}),
  };
}

export interface ProfileRun {
  runs: RunMeasurement[];
  summary: { runs: number; rps: number; p50Ms: number; p95Ms: number; p99Ms: number; errorRate: number; efficiency?: number };
  /** True when some run sent >10 % fewer requests than scheduled: coordinated omission crept back, latencies may be optimistic. */
  saturated: boolean;
}

function mean(values: readonly number[]): number {
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : 0;
}

function medianOf(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : 0;
}

/** Runs the profile n times and summarises: means for throughput and efficiency, medians of per-run percentiles (robust to one noisy run). */
export async function runProfile(target: LoadTarget, profile: Profile, onProgress: (line: string) => void = () => {}): Promise<ProfileRun> {
  const runs: RunMeasurement[] = [];
  for (let i = 0; i < profile.runs; i++) {
    if (i > 0 && profile.pauseSeconds > 0) await sleep(profile.pauseSeconds * 1000);
    onProgress(`run ${i + 1}/${profile.runs}: ${profile.rate} req/s for ${profile.durationSeconds} s …`);
    const m = await runOnce(target, profile, i);
    runs.push(m);
    onProgress(
      `run ${i + 1}/${profile.runs}: ${m.rps.toFixed(1)} req/s, p50 ${m.p50Ms} ms, p95 ${m.p95Ms} ms, p99 ${m.p99Ms} ms, errors ${m.errors}` +
        (m.efficiency !== undefined ? `, efficiency ${m.efficiency.toFixed(3)}` : ''),
    );
  }
  const requests = runs.reduce((s, r) => s + r.requests, 0);
  const errors = runs.reduce((s, r) => s + r.errors, 0);
  const efficiencies = runs.flatMap((r) => (r.efficiency !== undefined ? [r.efficiency] : []));
  return {
    runs,
    saturated: runs.some((r) => r.sentRate < 0.9 * r.targetRate),
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
