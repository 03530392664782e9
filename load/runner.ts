import { setTimeout as sleep } from 'node:timers/promises';
import { percentile, summariseLoad, type LoadResult, type LoadSummaryOutcome } from '../evals/report/index.js';
import { runOpenLoop, type OpenLoopRequest } from './open-loop.js';
import type { Profile } from './profiles.js';
import { requestMix } from './scenarios.js';
import type { LoadTarget, ResourceSample } from './target.js';

export type RunMeasurement = LoadResult & ResourceSample & {
  p97_5Ms: number;
  targetRate: number;
  /** Requests sent per second between the first and the last send: the open-loop schedule holds it at targetRate. */
  sentRate: number;
  timeouts: number;
  non2xx: number;
  /** Mean simulated model time per completed request (ms); absent when the model is not ours to measure. */
  modelMsPerRequest?: number;
  /** measured rps / (C / L), C the mean requests in flight (Little's law), L the model time per request. */
  efficiency?: number;
  /** The sender's own lag behind its schedule (p99, ms): near 0 unless this process's event loop stalled. */
  sendLagP99Ms: number;
  /** Requests dispatched while all maxConnections were busy (real saturation: the service was a timeout behind). */
  capHits: number;
  maxConnections: number;
  /** Median time to first byte of streamed (SSE) requests, from the intended send time; absent without any. */
  streamedTtfbP50Ms?: number;
  /** Latency of each request by its index in the schedule (NaN when it got no answer): `load --against` matches them across a pair. */
  latencyByIndex: number[];
};

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

const ascending = (a: number, b: number) => a - b;

/** One open-loop run at the profile's fixed rate over the scenario mix; latencies are kept raw so every percentile is exact. */
export async function runOnce(target: LoadTarget, profile: Profile, run: number): Promise<RunMeasurement> {
  const mix = requestMix(profile.mix);
  const requests: OpenLoopRequest[] = mix.requests.map((r, i) => ({ ...r, scenario: mix.scenarios[i]!.id, stream: mix.scenarios[i]!.stream }));
  const stopMeasure = target.measure();
  const modelMs = modelLedger(target, profile.latency);
  const result = await runOpenLoop({
    url: target.url,
    rate: profile.rate,
    durationSeconds: profile.durationSeconds,
    timeoutMs: profile.timeoutSeconds * 1000,
    requests,
    seed: profile.seed + run,
    ...(profile.maxConnections !== undefined ? { maxConnections: profile.maxConnections } : {}),
  });
  const resources = await stopMeasure();
  const { records } = result;
  const answered = records.filter((r) => r.outcome === 'ok' || r.outcome === 'non2xx');
  // Every answer's latency runs from its intended send time, so the percentiles need no after-the-fact correction.
  const latencies = answered.map((r) => r.latencyMs);
  const sorted = [...latencies].sort(ascending);
  const ok = records.filter((r) => r.outcome === 'ok').length;
  const non2xx = answered.length - ok;
  const timeouts = records.filter((r) => r.outcome === 'timeout').length;
  const failed = records.filter((r) => r.outcome === 'error').length;
  // 2xx over t0 → last answer: a service that only keeps up by queueing stretches the window and cannot show the offered rate.
  const rps = ok / Math.max(profile.durationSeconds, result.elapsedMs / 1000);
  const meanMs = latencies.length ? latencies.reduce((s, v) => s + v, 0) / latencies.length : 0;
  const totalModelMs = modelMs();
  const modelMsPerRequest = totalModelMs !== undefined && ok > 0 ? totalModelMs / ok : undefined;
  // Little's law: mean in flight C = rps × mean latency; bound C / L; measured / bound simplifies to L / mean latency.
  const efficiency = modelMsPerRequest !== undefined && meanMs > 0 ? Math.min(1, modelMsPerRequest / meanMs) : undefined;
  const streamed = new Set(requests.filter((q) => q.stream).map((q) => q.scenario));
  const streamedTtfb = records.flatMap((r) => (r.outcome === 'ok' && streamed.has(r.scenario) && r.ttfbMs !== undefined ? [r.ttfbMs] : []));
  return {
    scenario: 'mix',
    run,
    durationSeconds: profile.durationSeconds,
    // Peak connections in use at once (one request per connection), never above maxConnections.
    connections: Math.min(result.peakInFlight, result.maxConnections),
    targetRate: profile.rate,
    sentRate: result.sentRate,
    requests: records.length,
    errors: non2xx + timeouts + failed,
    timeouts,
    non2xx,
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
    sendLagP99Ms: percentile(records.map((r) => r.sendLagMs).sort(ascending), 99),
    capHits: result.capHits,
    maxConnections: result.maxConnections,
    ...(streamedTtfb.length ? { streamedTtfbP50Ms: percentile(streamedTtfb.sort(ascending), 50) } : {}),
    latencyByIndex: records.reduce<number[]>((byIndex, r) => {
      byIndex[r.index] = r.outcome === 'ok' || r.outcome === 'non2xx' ? r.latencyMs : NaN;
      return byIndex;
    }, []),
  };
}

export interface ProfileRun {
  runs: RunMeasurement[];
  summary: LoadSummaryOutcome['summary'];
  /** True when some run hit its connection cap: the service fell a whole timeout behind the schedule. */
  saturated: boolean;
}

/** Runs the profile n times and summarises with summariseLoad (means for throughput and efficiency, medians of per-run percentiles). */
export async function runProfile(target: LoadTarget, profile: Profile, onProgress: (line: string) => void = () => {}): Promise<ProfileRun> {
  const runs: RunMeasurement[] = [];
  for (let i = 0; i < profile.runs; i++) {
    if (i > 0 && profile.pauseSeconds > 0) await sleep(profile.pauseSeconds * 1000);
    onProgress(`run ${i + 1}/${profile.runs}: ${profile.rate} req/s for ${profile.durationSeconds} s …`);
    const m = await runOnce(target, profile, i);
    runs.push(m);
    onProgress(
      `run ${i + 1}/${profile.runs}: sent ${m.sentRate.toFixed(2)} req/s, ${m.rps.toFixed(1)} 2xx/s, p50 ${m.p50Ms} ms, p95 ${m.p95Ms} ms, p99 ${m.p99Ms} ms, errors ${m.errors}` +
        (m.efficiency !== undefined ? `, efficiency ${m.efficiency.toFixed(3)}` : ''),
    );
  }
  return { runs, ...outcomeOfRuns(runs) };
}

/** The report summary of measured runs, and whether any saturated. */
export function outcomeOfRuns(runs: readonly RunMeasurement[]): Omit<ProfileRun, 'runs'> {
  // The summary lives in the report package so `luminamind report merge` recomputes it from results the same way.
  const { summary, saturated } = summariseLoad(runs);
  // Cap hits are the open-loop sender's real saturation signal; summariseLoad also flags a sender that fell behind.
  return { saturated: saturated || runs.some((r) => r.capHits > 0), summary };
}
